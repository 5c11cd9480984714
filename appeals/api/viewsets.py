"""The appeal API's viewset: intake (single and batch, idempotent on channel + external id), the
scoped list and card, and the workflow transitions as actions calling `appeals.services`.

- Every read starts from `selectors.appeals_visible_to(request.user)`: a foreign appeal is a 404.
- The applicant's personal data (applicant_*) is masked everywhere except the card of a user
  with `appeals.personal_data`; that unmasking is written to the appeal's timeline and the
  audit log (152-ФЗ). Responses to intake and to transitions are masked too.
- Integration sources (`appeals.intake.integration`) may only register appeals, of their own channel.
- The list uses cursor pagination (-registered_at, -id): no COUNT(*) over the appeals table.
"""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from cur.roles import can
from cur.web.api import PARSERS, storable_text

from .. import selectors, services
from ..errors import AppealsError
from ..filters import AppealFilter
from ..intake.integration import IntegrationKeyAuthentication, integration_source
from ..models import Appeal
from ..workflow import transitions
from .batch import REGISTERED_ELSEWHERE, foreign_channel_message, hidden_from, register_batch
from .fields import CodeResolver
from .serializers import (
    AnswerInput,
    AppealDetailSerializer,
    AppealIntakeSerializer,
    AppealListSerializer,
    AssignInput,
    BatchResultSerializer,
    ClassifyInput,
    CommentInput,
    ExtendInput,
    OptionalCommentInput,
    QualityInput,
    RedirectInput,
    RejectInput,
    ReopenInput,
    SatisfactionInput,
)

BATCH_MAX_ITEMS = 1000

# --- Permissions and pagination -------------------------------------------------------------------

# Who may call what: any one of the capabilities. Executors' actions also need the appeal to be
# their organisation's (the scope already guarantees it; checked again in `get_object`).
ACTION_CAPABILITIES: dict[str, tuple[str, ...]] = {
    "list": ("appeals.view",),
    "retrieve": ("appeals.view",),
    "create": ("appeals.register",),
    "batch": ("appeals.register",),
    "assign": ("appeals.triage",),
    "redirect": ("appeals.triage",),
    "classify": ("appeals.triage",),
    "accept_suggestion": ("appeals.triage",),
    "reject": ("appeals.triage",),
    "extend": ("appeals.triage",),
    "quality": ("appeals.triage",),
    "return_for_rework": ("appeals.triage",),
    "close": ("appeals.triage",),
    "satisfaction": ("appeals.triage",),
    "reopen": ("appeals.triage",),
    "start": ("appeals.answer",),
    "request_info": ("appeals.answer",),
    "answer": ("appeals.answer",),
    # The citizen's reply may reach the executor or the ЦУР's call centre.
    "receive_info": ("appeals.answer", "appeals.triage"),
}
INTAKE_ACTIONS = frozenset({"create", "batch"})


class AppealPermission(BasePermission):
    message = "Недостаточно прав для этого действия."

    def has_permission(self, request, view) -> bool:
        source = integration_source(request.user)
        if source is not None:
            return view.action in INTAKE_ACTIONS
        if not request.user or not request.user.is_authenticated:
            return False
        capabilities = ACTION_CAPABILITIES.get(view.action, ("appeals.view",))
        return any(can(request.user, capability) for capability in capabilities)


class AppealCursorPagination(CursorPagination):
    ordering = ("-registered_at", "-id")
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 200
    invalid_cursor_message = "Неверный курсор страницы."


# --- The viewset --------------------------------------------------------------------------------------


def _transition_schema(summary: str, request=None, description: str = ""):
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        responses={status.HTTP_200_OK: AppealDetailSerializer},
    )


LIST_RELATIONS = ("territory", "sector_block", "topic", "organisation")
SUGGESTION_RELATIONS = ("suggested_sector_block", "suggested_topic", "suggested_territory")


@extend_schema_view(
    list=extend_schema(summary="Обращения (в пределах доступа пользователя)"),
    retrieve=extend_schema(summary="Карточка обращения с историей"),
    create=extend_schema(
        summary="Зарегистрировать обращение",
        description=(
            "Идемпотентно по (channel, external_id): новое обращение — 201, повторная отправка того же "
            "сообщения — 200 и уже зарегистрированное обращение (409 без данных обращения, если оно вне "
            "области доступа сотрудника). Сотрудник с правом регистрации или "
            "источник интеграции (заголовок «Authorization: Integration <ключ>») — только своего канала."
        ),
        request=AppealIntakeSerializer,
        responses={status.HTTP_201_CREATED: AppealListSerializer, status.HTTP_200_OK: AppealListSerializer},
    ),
)
class AppealViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Appeal.objects.none()
    serializer_class = AppealListSerializer
    # The integration scheme first: a wrong key is a 401 with its WWW-Authenticate challenge.
    authentication_classes = [IntegrationKeyAuthentication, SessionAuthentication, TokenAuthentication]
    permission_classes = [AppealPermission]
    parser_classes = PARSERS
    filter_backends = [DjangoFilterBackend]
    filterset_class = AppealFilter
    pagination_class = AppealCursorPagination
    lookup_value_regex = "[0-9]+"

    # --- reads

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation: no user to scope by
            return Appeal.objects.none()
        qs = selectors.appeals_visible_to(self.request.user).select_related(*LIST_RELATIONS)
        if self.action == "list":
            # Territory boundaries are GeoJSON polygons: never loaded for a list.
            return qs.defer("territory__boundary")
        return qs.select_related(*SUGGESTION_RELATIONS).defer("territory__boundary", "suggested_territory__boundary")

    def get_serializer_class(self):
        return AppealListSerializer if self.action == "list" else AppealDetailSerializer

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        for values in request.query_params.lists():
            if any(not storable_text(value) for value in values[1]):
                raise ValidationError({values[0]: ["Параметр содержит недопустимые символы."]})

    def get_object(self):
        appeal = super().get_object()
        action = transitions.ACTIONS.get(self.action)
        executor_only = action is not None and action.executor and not action.triage
        if executor_only and not transitions.is_own_executor(self.request.user, appeal):
            raise PermissionDenied("Обращение назначено другой организации.")
        return appeal

    def retrieve(self, request, *args, **kwargs):
        appeal = self.get_object()
        unmask = can(request.user, "appeals.personal_data")
        if unmask and _has_personal_data(appeal):
            services.log_personal_data_view(appeal, by=request.user)
        return Response(
            AppealDetailSerializer(appeal, context={**self.get_serializer_context(), "unmask": unmask}).data
        )

    def _card(self, appeal: Appeal) -> Response:
        # Not re-scoped: a transition may move the appeal out of the user's scope (a municipal
        # operator reclassifies it to another territory); they still see what they did, masked.
        appeal = (
            Appeal.objects.select_related(*LIST_RELATIONS, *SUGGESTION_RELATIONS)
            .defer("territory__boundary", "suggested_territory__boundary")
            .get(pk=appeal.pk)
        )
        return Response(AppealDetailSerializer(appeal, context=self.get_serializer_context()).data)

    # --- intake

    def create(self, request, *args, **kwargs):
        source = integration_source(request.user)
        serializer = AppealIntakeSerializer(data=request.data, context={"resolver": CodeResolver(), "source": source})
        serializer.is_valid(raise_exception=True)
        fields = dict(serializer.validated_data)
        if source is not None and fields["channel"] != source.channel:
            raise PermissionDenied(foreign_channel_message(source))
        by = None if source else request.user
        appeal, created = services.register_appeal(by=by, **fields)
        if not created and hidden_from(by, [appeal.pk]):
            raise AppealsError(REGISTERED_ELSEWHERE)  # 409, nothing of the appeal
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        # The list representation, masked: no timeline or internal comments for a source system.
        return Response(AppealListSerializer(appeal, context=self.get_serializer_context()).data, status=code)

    @extend_schema(
        summary="Зарегистрировать пакет обращений (до 1000)",
        description=(
            'Тело — JSON-массив обращений (или объект {"items": [...]}), каждое как в POST /appeals/. '
            "Ошибка в одном элементе не мешает остальным; результат — по каждому элементу в порядке пакета."
        ),
        request=AppealIntakeSerializer(many=True),
        responses={status.HTTP_200_OK: BatchResultSerializer},
    )
    @action(detail=False, methods=["post"])
    def batch(self, request, *args, **kwargs):
        items = request.data
        if isinstance(items, dict) and isinstance(items.get("items"), list):
            items = items["items"]
        if not isinstance(items, list):
            raise ValidationError({"non_field_errors": ["Ожидается JSON-массив обращений."]})
        if len(items) > BATCH_MAX_ITEMS:
            raise ValidationError(
                {"non_field_errors": [f"В пакете не больше {BATCH_MAX_ITEMS} обращений, передано {len(items)}."]}
            )
        source = integration_source(request.user)
        return Response(register_batch(items, source=source, by=None if source else request.user))

    # --- transitions

    def _run(self, request, service, input_serializer=None):
        """Scoped fetch (404), validate the body (400), call the service (409 if it refuses)."""
        appeal = self.get_object()
        data = {}
        if input_serializer is not None:
            serializer = input_serializer(data=request.data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            data = serializer.validated_data
        appeal = service(appeal, by=request.user, **data)
        return self._card(appeal)

    @_transition_schema("Назначить исполнителя", AssignInput, "Новое или возобновлённое обращение; запускает срок.")
    @action(detail=True, methods=["post"])
    def assign(self, request, *args, **kwargs):
        return self._run(request, services.assign_appeal, AssignInput)

    @_transition_schema("Перенаправить по компетенции", RedirectInput)
    @action(detail=True, methods=["post"])
    def redirect(self, request, *args, **kwargs):
        return self._run(request, services.redirect_appeal, RedirectInput)

    @_transition_schema("Принять в работу (исполнитель)")
    @action(detail=True, methods=["post"])
    def start(self, request, *args, **kwargs):
        return self._run(request, services.start_work)

    @_transition_schema("Запросить сведения у заявителя (исполнитель)", CommentInput, "Срок приостанавливается.")
    @action(detail=True, methods=["post"], url_path="request-info")
    def request_info(self, request, *args, **kwargs):
        return self._run(request, services.request_info, CommentInput)

    @_transition_schema("Получены сведения от заявителя", OptionalCommentInput, "Срок возобновляется.")
    @action(detail=True, methods=["post"], url_path="receive-info")
    def receive_info(self, request, *args, **kwargs):
        return self._run(request, services.receive_info, OptionalCommentInput)

    @_transition_schema("Продлить срок ответа", ExtendInput)
    @action(detail=True, methods=["post"])
    def extend(self, request, *args, **kwargs):
        return self._run(request, services.extend_deadline, ExtendInput)

    @_transition_schema("Записать ответ (исполнитель)", AnswerInput)
    @action(detail=True, methods=["post"])
    def answer(self, request, *args, **kwargs):
        return self._run(request, services.answer_appeal, AnswerInput)

    @_transition_schema("Оценить качество ответа", QualityInput)
    @action(detail=True, methods=["post"])
    def quality(self, request, *args, **kwargs):
        return self._run(request, services.check_answer_quality, QualityInput)

    @_transition_schema("Вернуть на доработку", CommentInput)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_for_rework(self, request, *args, **kwargs):
        return self._run(request, services.return_appeal, CommentInput)

    @_transition_schema("Закрыть", OptionalCommentInput, "После оценки качества ответа.")
    @action(detail=True, methods=["post"])
    def close(self, request, *args, **kwargs):
        return self._run(request, services.close_appeal, OptionalCommentInput)

    @_transition_schema("Записать оценку заявителя", SatisfactionInput, "Оценка 1–2 возобновляет обращение.")
    @action(detail=True, methods=["post"])
    def satisfaction(self, request, *args, **kwargs):
        return self._run(request, services.record_satisfaction, SatisfactionInput)

    @_transition_schema("Возобновить", ReopenInput)
    @action(detail=True, methods=["post"])
    def reopen(self, request, *args, **kwargs):
        return self._run(request, services.reopen_appeal, ReopenInput)

    @_transition_schema("Отклонить", RejectInput, "Спам, дубликат (укажите duplicate_of), вне компетенции, без сути.")
    @action(detail=True, methods=["post"])
    def reject(self, request, *args, **kwargs):
        return self._run(request, services.reject_appeal, RejectInput)

    @_transition_schema("Классифицировать: блок, тема, территория", ClassifyInput)
    @action(detail=True, methods=["post"])
    def classify(self, request, *args, **kwargs):
        return self._run(request, services.set_classification, ClassifyInput)

    @_transition_schema("Принять предложенную классификацию")
    @action(detail=True, methods=["post"], url_path="accept-suggestion")
    def accept_suggestion(self, request, *args, **kwargs):
        return self._run(request, services.accept_suggestion)


def _has_personal_data(appeal: Appeal) -> bool:
    return any(
        (appeal.applicant_name, appeal.applicant_phone, appeal.applicant_email, appeal.applicant_address,
         appeal.applicant_legal_name)
    )  # fmt: skip
