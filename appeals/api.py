"""REST API of appeals: intake (single and batch, idempotent on channel + external id), the
scoped list and card, and the workflow transitions as actions calling `appeals.services`.

- Every read starts from `selectors.appeals_visible_to(request.user)`: a foreign appeal is a 404.
- The applicant's personal data (applicant_*) is masked everywhere except the card of a user
  with `appeals.personal_data`; that unmasking is written to the appeal's timeline and the
  audit log (152-ФЗ). Responses to intake and to transitions are masked too.
- Integration sources (`appeals.integration`) may only register appeals, of their own channel.
- The list uses cursor pagination (-registered_at, -id): no COUNT(*) over the appeals table.
"""

import datetime
import math
from decimal import ROUND_HALF_UP, Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, parsers, serializers, status, viewsets
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.decorators import action
from rest_framework.exceptions import ParseError, PermissionDenied, ValidationError
from rest_framework.pagination import CursorPagination
from rest_framework.permissions import BasePermission
from rest_framework.response import Response

from cur.errors import DomainError
from cur.roles import can
from sectors.models import Organisation, SectorBlock, Territory

from . import selectors, services
from .filters import AppealFilter
from .integration import IntegrationKeyAuthentication, integration_source
from .models import Appeal, Topic

S = Appeal.Status

BATCH_MAX_ITEMS = 1000
TEXT_MAX_LENGTH = 20_000
COMMENT_MAX_LENGTH = 5_000
# Clocks of source systems drift: a receipt time a little in the future is accepted as is.
RECEIVED_AT_TOLERANCE = datetime.timedelta(minutes=10)

# --- Public status -----------------------------------------------------------------------------

PUBLIC_ACCEPTED = "принято"
PUBLIC_IN_WORK = "в работе"
PUBLIC_ANSWERED = "дан ответ"
PUBLIC_CLOSED = "закрыто"

# What a citizen-facing API shows: the internal workflow (returned for rework, information
# requested, redirected, reopened) is "в работе" to the citizen; a rejected appeal is closed.
PUBLIC_STATUSES: dict[str, str] = {
    S.NEW: PUBLIC_ACCEPTED,
    S.ASSIGNED: PUBLIC_IN_WORK,
    S.IN_PROGRESS: PUBLIC_IN_WORK,
    S.INFO_REQUESTED: PUBLIC_IN_WORK,
    S.RETURNED: PUBLIC_IN_WORK,
    S.REOPENED: PUBLIC_IN_WORK,
    S.ANSWERED: PUBLIC_ANSWERED,
    S.CLOSED: PUBLIC_CLOSED,
    S.REJECTED: PUBLIC_CLOSED,
}


def public_status(appeal: Appeal) -> str:
    """The status a citizen sees: принято / в работе / дан ответ / закрыто."""
    return PUBLIC_STATUSES[appeal.status]


# --- Parsing and fields ---------------------------------------------------------------------------


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with a Russian message; a body nested deeper than the recursion limit
    (json raises RecursionError, not ValueError) is a 400 too, not a 500."""

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            return super().parse(stream, media_type, parser_context)
        except (ParseError, RecursionError, LookupError) as exc:
            raise ParseError("Тело запроса не является корректным JSON.") from exc


PARSERS = [JSONParser, parsers.FormParser, parsers.MultiPartParser]


def storable_text(text: str) -> bool:
    """PostgreSQL refuses NUL characters and unpaired surrogates (a DataError, i.e. a 500)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class TextField(serializers.CharField):
    """A CharField that refuses text PostgreSQL cannot store."""

    default_error_messages = {"unstorable": "Текст содержит недопустимые символы."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not storable_text(value):
            self.fail("unstorable")
        return value


class CoordinateField(serializers.FloatField):
    """Degrees as a float, rounded to the model's 6 decimals (clients send more)."""

    default_error_messages = {"not_finite": "Ожидается конечное число."}

    def to_internal_value(self, data):
        value = super().to_internal_value(data)
        if not math.isfinite(value):
            self.fail("not_finite")
        return Decimal(str(value)).quantize(Decimal("0.000001"), rounding=ROUND_HALF_UP)


@extend_schema_field({"type": "string", "nullable": True})
class MaskedField(serializers.CharField):
    """Personal data: shown as is only when the serializer context says `unmask`."""

    def to_representation(self, value):
        if not self.context.get("unmask"):
            return selectors.mask(value)
        return value


def _text(max_length: int, **kwargs) -> TextField:
    """An optional text field: blank by default."""
    return TextField(max_length=max_length, required=False, allow_blank=True, default="", **kwargs)


# --- Codes of sector blocks, topics and territories ---------------------------------------------


class CodeResolver:
    """Codes → rows: a sector block by code, a topic by code, a territory by OKTMO. Each kind is
    looked up in one query for any number of codes (a batch prefetches them all at once)."""

    KINDS = {
        "sector": ("code", lambda: SectorBlock.objects.filter(is_active=True)),
        "topic": ("code", lambda: Topic.objects.filter(is_active=True).select_related("sector_block")),
        "territory": ("oktmo", lambda: Territory.objects.filter(is_active=True).defer("boundary")),
    }

    def __init__(self):
        self._rows: dict[str, dict[str, object]] = {kind: {} for kind in self.KINDS}

    def prefetch(self, kind: str, codes) -> None:
        known = self._rows[kind]
        wanted = {c for c in codes if isinstance(c, str) and 0 < len(c) <= 100 and c not in known and storable_text(c)}
        if not wanted:
            return
        field, queryset = self.KINDS[kind]
        known.update(dict.fromkeys(wanted))
        known.update({getattr(row, field): row for row in queryset().filter(**{f"{field}__in": wanted})})

    def prefetch_items(self, items) -> None:
        for kind in self.KINDS:
            self.prefetch(kind, [item.get(kind) for item in items if isinstance(item, dict)])

    def get(self, kind: str, code: str):
        self.prefetch(kind, [code])
        return self._rows[kind].get(code)


UNKNOWN_CODE = {
    "sector": "Неизвестный или недействующий код отраслевого блока «{code}».",
    "topic": "Неизвестный или недействующий код темы «{code}».",
    "territory": "Неизвестный или недействующий код ОКТМО территории «{code}».",
}


def resolve_codes(attrs: dict, resolver: CodeResolver) -> dict:
    """Replace `sector`, `topic`, `territory` codes in attrs by rows; field errors for unknown ones."""
    errors, rows = {}, {}
    for kind in ("sector", "topic", "territory"):
        code = attrs.pop(kind, None)
        if not code:
            continue
        row = resolver.get(kind, code)
        if row is None:
            errors[kind] = [UNKNOWN_CODE[kind].format(code=code)]
        rows[kind] = row
    sector, topic = rows.get("sector"), rows.get("topic")
    if sector is not None and topic is not None and topic.sector_block_id != sector.pk:
        errors["topic"] = [f"Тема «{topic.name}» не относится к отраслевому блоку «{sector.name}»."]
    if errors:
        raise ValidationError(errors)
    return rows


# --- Intake serializers ----------------------------------------------------------------------------


class AppealIntakeSerializer(serializers.Serializer):
    """Обращение из внешней системы или от оператора. Повторная отправка с тем же
    (channel, external_id) возвращает уже зарегистрированное обращение."""

    channel = serializers.ChoiceField(
        choices=Appeal.Channel.choices,
        required=False,
        label="Канал",
        help_text="Обязателен для сотрудников; источник интеграции может его не указывать (канал источника).",
    )
    external_id = TextField(max_length=128, label="Идентификатор в источнике")
    text = TextField(max_length=TEXT_MAX_LENGTH, label="Текст обращения")
    received_at = serializers.DateTimeField(required=False, label="Поступило", help_text="По умолчанию — сейчас.")
    address = _text(500, label="Адрес проблемы")
    applicant_name = _text(255, label="ФИО заявителя")
    applicant_phone = _text(32, label="Телефон заявителя")
    applicant_email = serializers.EmailField(
        max_length=254, required=False, allow_blank=True, default="", label="E-mail заявителя"
    )
    applicant_address = _text(500, label="Почтовый адрес заявителя")
    applicant_is_legal = serializers.BooleanField(required=False, default=False, label="Юридическое лицо")
    applicant_legal_name = _text(500, label="Наименование юридического лица")
    latitude = CoordinateField(required=False, allow_null=True, min_value=-90, max_value=90, label="Широта")
    longitude = CoordinateField(required=False, allow_null=True, min_value=-180, max_value=180, label="Долгота")
    sector = _text(100, allow_null=True, label="Код отраслевого блока")
    topic = _text(100, allow_null=True, label="Код темы")
    territory = _text(100, allow_null=True, label="Код ОКТМО территории")

    def validate_received_at(self, value):
        if value > timezone.now() + RECEIVED_AT_TOLERANCE:
            raise ValidationError("Время поступления не может быть в будущем.")
        return value

    def validate(self, attrs):
        source = self.context.get("source")
        if not attrs.get("channel"):
            if source is None:
                raise ValidationError({"channel": ["Обязательное поле."]})
            attrs["channel"] = source.channel
        if (attrs.get("latitude") is None) != (attrs.get("longitude") is None):
            raise ValidationError({"longitude": ["Укажите обе координаты: широту и долготу."]})
        rows = resolve_codes(attrs, self.context["resolver"])
        # Only what is given: register_appeal derives the sector block from the topic.
        for kind, field in (("sector", "sector_block"), ("topic", "topic"), ("territory", "territory")):
            if rows.get(kind) is not None:
                attrs[field] = rows[kind]
        for field in ("latitude", "longitude", "received_at"):
            if attrs.get(field) is None:
                attrs.pop(field, None)
        return attrs

    def create(self, validated_data):
        raise NotImplementedError("Обращения регистрирует services.register_appeal.")

    def update(self, instance, validated_data):
        raise NotImplementedError("Обращения изменяют сервисы appeals.services.")


class BatchItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(label="Номер элемента в пакете (с 0)")
    status = serializers.ChoiceField(choices=["created", "existing", "error"], label="Результат")
    id = serializers.IntegerField(allow_null=True)
    number = serializers.CharField(allow_null=True, label="Номер обращения")
    errors = serializers.JSONField(allow_null=True, label="Ошибки по полям")


class BatchResultSerializer(serializers.Serializer):
    created = serializers.IntegerField(label="Создано")
    existing = serializers.IntegerField(label="Уже были")
    failed = serializers.IntegerField(label="С ошибками")
    results = BatchItemResultSerializer(many=True, label="Результаты в порядке пакета")


# --- Output serializers --------------------------------------------------------------------------


class AppealEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    created_at = serializers.DateTimeField(read_only=True, label="Время")
    kind = serializers.CharField(read_only=True, label="Событие")
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    actor = serializers.CharField(read_only=True, allow_null=True, label="Кто")
    from_status = serializers.CharField(read_only=True, label="Статус до")
    to_status = serializers.CharField(read_only=True, label="Статус после")
    changes = serializers.JSONField(read_only=True, label="Изменения: поле → [до, после]")
    comment = serializers.CharField(read_only=True, label="Комментарий")


class AppealListSerializer(serializers.Serializer):
    """Обращение в списке: персональные данные заявителя всегда маскированы."""

    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(read_only=True, label="Номер")
    channel = serializers.CharField(read_only=True, label="Канал")
    external_id = serializers.CharField(read_only=True, label="Идентификатор в источнике")
    status = serializers.CharField(read_only=True, label="Статус")
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    public_status = serializers.SerializerMethodField(label="Публичный статус")
    received_at = serializers.DateTimeField(read_only=True, label="Поступило")
    registered_at = serializers.DateTimeField(read_only=True, label="Зарегистрировано")
    text = serializers.CharField(read_only=True, label="Текст")
    address = serializers.CharField(read_only=True, label="Адрес проблемы")
    territory = serializers.CharField(source="territory.oktmo", read_only=True, allow_null=True, label="ОКТМО")
    territory_name = serializers.CharField(source="territory.name", read_only=True, allow_null=True)
    sector = serializers.CharField(source="sector_block.code", read_only=True, allow_null=True, label="Блок")
    sector_name = serializers.CharField(source="sector_block.name", read_only=True, allow_null=True)
    topic = serializers.CharField(source="topic.code", read_only=True, allow_null=True, label="Тема")
    topic_name = serializers.CharField(source="topic.name", read_only=True, allow_null=True)
    organisation = serializers.IntegerField(source="organisation_id", read_only=True, allow_null=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True, allow_null=True)
    due_at = serializers.DateTimeField(read_only=True, allow_null=True, label="Срок ответа")
    days_left = serializers.SerializerMethodField(label="Дней до срока")
    is_overdue = serializers.SerializerMethodField(label="Просрочено")
    answered_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    applicant_name = MaskedField(read_only=True, label="ФИО заявителя")
    applicant_phone = MaskedField(read_only=True, label="Телефон заявителя")
    applicant_email = MaskedField(read_only=True, label="E-mail заявителя")

    def get_public_status(self, appeal: Appeal) -> str:
        return public_status(appeal)

    def get_days_left(self, appeal: Appeal) -> int | None:
        return selectors.days_left(appeal) if appeal.is_open else None

    def get_is_overdue(self, appeal: Appeal) -> bool:
        return appeal.overdue_at is not None and appeal.is_open


class AppealDetailSerializer(AppealListSerializer):
    """Карточка обращения с историей; персональные данные открыты только ролям с доступом к ним."""

    latitude = serializers.DecimalField(max_digits=9, decimal_places=6, read_only=True, allow_null=True)
    longitude = serializers.DecimalField(max_digits=9, decimal_places=6, read_only=True, allow_null=True)
    applicant_address = MaskedField(read_only=True, label="Почтовый адрес заявителя")
    applicant_is_legal = serializers.BooleanField(read_only=True, label="Юридическое лицо")
    applicant_legal_name = MaskedField(read_only=True, label="Наименование юридического лица")
    personal_data_masked = serializers.SerializerMethodField(label="Персональные данные скрыты")
    suggested_sector = serializers.CharField(source="suggested_sector_block.code", read_only=True, allow_null=True)
    suggested_topic = serializers.CharField(source="suggested_topic.code", read_only=True, allow_null=True)
    suggested_topic_name = serializers.CharField(source="suggested_topic.name", read_only=True, allow_null=True)
    suggested_territory = serializers.CharField(source="suggested_territory.oktmo", read_only=True, allow_null=True)
    confidence = serializers.FloatField(read_only=True, allow_null=True, label="Уверенность классификации")
    classification_source = serializers.CharField(read_only=True)
    assigned_at = serializers.DateTimeField(read_only=True, allow_null=True)
    clock_paused_at = serializers.DateTimeField(read_only=True, allow_null=True, label="Срок приостановлен")
    overdue_at = serializers.DateTimeField(read_only=True, allow_null=True)
    escalation_level = serializers.IntegerField(read_only=True)
    answer_text = serializers.CharField(read_only=True, label="Ответ")
    answer_quality = serializers.CharField(read_only=True, label="Качество ответа")
    satisfaction = serializers.IntegerField(read_only=True, allow_null=True, label="Оценка заявителя")
    satisfaction_comment = serializers.CharField(read_only=True)
    reject_reason = serializers.CharField(read_only=True)
    repeat_of = serializers.IntegerField(source="repeat_of_id", read_only=True, allow_null=True)
    incident = serializers.IntegerField(source="incident_id", read_only=True, allow_null=True)
    events = serializers.SerializerMethodField(label="История")

    def get_personal_data_masked(self, appeal: Appeal) -> bool:
        return not self.context.get("unmask")

    @extend_schema_field(AppealEventSerializer(many=True))
    def get_events(self, appeal: Appeal):
        return AppealEventSerializer(selectors.appeal_timeline(appeal), many=True).data


# --- Transition inputs ---------------------------------------------------------------------------------


class OrganisationField(serializers.PrimaryKeyRelatedField):
    def __init__(self, **kwargs):
        kwargs.setdefault("queryset", Organisation.objects.defer("territory__boundary"))
        kwargs.setdefault("label", "Исполнитель (id организации)")
        super().__init__(**kwargs)


class AssignInput(serializers.Serializer):
    organisation = OrganisationField()
    comment = _text(COMMENT_MAX_LENGTH, label="Комментарий")


class RedirectInput(serializers.Serializer):
    organisation = OrganisationField()
    comment = TextField(max_length=COMMENT_MAX_LENGTH, label="Причина перенаправления")


class CommentInput(serializers.Serializer):
    comment = TextField(max_length=COMMENT_MAX_LENGTH, label="Комментарий")


class OptionalCommentInput(serializers.Serializer):
    comment = _text(COMMENT_MAX_LENGTH, label="Комментарий")


class ExtendInput(serializers.Serializer):
    due_date = serializers.DateField(label="Новый срок (дата)")
    reason = TextField(max_length=COMMENT_MAX_LENGTH, label="Причина продления")

    def validate_due_date(self, value):
        if value.year > timezone.localdate().year + 5:
            raise ValidationError("Слишком далёкий срок.")
        return value


class AnswerInput(serializers.Serializer):
    text = TextField(max_length=TEXT_MAX_LENGTH, label="Текст ответа")


class QualityInput(serializers.Serializer):
    quality = serializers.ChoiceField(choices=Appeal.AnswerQuality.choices, label="Качество ответа")
    comment = _text(COMMENT_MAX_LENGTH, label="Комментарий")


class SatisfactionInput(serializers.Serializer):
    score = serializers.IntegerField(min_value=1, max_value=5, label="Оценка заявителя (1–5)")
    comment = _text(COMMENT_MAX_LENGTH, label="Комментарий заявителя")


class ReopenInput(serializers.Serializer):
    reason = TextField(max_length=COMMENT_MAX_LENGTH, label="Причина возобновления")


@extend_schema_field({"type": "integer", "nullable": True})
class VisibleAppealField(serializers.PrimaryKeyRelatedField):
    def get_queryset(self):
        return selectors.appeals_visible_to(self.context["request"].user)


class RejectInput(serializers.Serializer):
    reason = serializers.ChoiceField(choices=Appeal.RejectReason.choices, label="Причина отклонения")
    comment = _text(COMMENT_MAX_LENGTH, label="Комментарий")
    duplicate_of = VisibleAppealField(
        required=False, allow_null=True, label="Дубликат обращения (id)", help_text="Обязателен для причины duplicate."
    )

    def validate(self, attrs):
        if attrs["reason"] == Appeal.RejectReason.DUPLICATE and attrs.get("duplicate_of") is None:
            raise ValidationError({"duplicate_of": ["Укажите обращение, дубликатом которого является это."]})
        return attrs


class ClassifyInput(serializers.Serializer):
    sector = _text(100, allow_null=True, label="Код отраслевого блока")
    topic = _text(100, allow_null=True, label="Код темы")
    territory = _text(100, allow_null=True, label="Код ОКТМО территории")

    def validate(self, attrs):
        if not attrs.get("sector") and not attrs.get("topic"):
            raise ValidationError({"topic": ["Укажите тему или отраслевой блок."]})
        rows = resolve_codes(attrs, CodeResolver())
        return {"sector_block": rows.get("sector"), "topic": rows.get("topic"), "territory": rows.get("territory")}


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
EXECUTOR_ACTIONS = frozenset({"start", "request_info", "answer"})
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
            "сообщения — 200 и уже зарегистрированное обращение. Сотрудник с правом регистрации или "
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
        if self.action in EXECUTOR_ACTIONS and appeal.organisation_id != self.request.user.organisation_id:
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
            raise PermissionDenied(_foreign_channel_message(source))
        appeal, created = services.register_appeal(by=None if source else request.user, **fields)
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


def _foreign_channel_message(source) -> str:
    return (
        f"Источник «{source.name}» может регистрировать только обращения канала "
        f"«{Appeal.Channel(source.channel).label}»."
    )


def register_batch(items: list, *, source=None, by=None) -> dict:
    """Register each item independently; the result per item, in input order."""
    resolver = CodeResolver()
    resolver.prefetch_items(items)  # one query per kind of code for the whole batch
    results: list[dict | None] = [None] * len(items)
    valid: list[tuple[int, dict]] = []
    for index, item in enumerate(items):
        serializer = AppealIntakeSerializer(data=item, context={"resolver": resolver, "source": source})
        if not serializer.is_valid():
            results[index] = _item_error(index, serializer.errors)
            continue
        fields = dict(serializer.validated_data)
        if source is not None and fields["channel"] != source.channel:
            results[index] = _item_error(index, {"channel": [_foreign_channel_message(source)]})
            continue
        valid.append((index, fields))

    # Already registered messages in one query; repeats inside the batch are found as we go.
    known = {}
    if valid:
        channels = {fields["channel"] for _, fields in valid}
        external_ids = {fields["external_id"] for _, fields in valid}
        for appeal in Appeal.objects.filter(channel__in=channels, external_id__in=external_ids).only(
            "id", "channel", "external_id", "registered_at"
        ):
            known[(appeal.channel, appeal.external_id)] = appeal
    for index, fields in valid:
        key = (fields["channel"], fields["external_id"])
        if key in known:
            results[index] = _item_result(index, "existing", known[key])
            continue
        try:
            appeal, created = services.register_appeal(by=by, **fields)
        except DomainError as exc:
            results[index] = _item_error(index, {"non_field_errors": [exc.message]})
            continue
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            results[index] = _item_error(index, detail)
            continue
        except IntegrityError:
            results[index] = _item_error(index, {"non_field_errors": ["Не удалось сохранить обращение."]})
            continue
        known[key] = appeal
        results[index] = _item_result(index, "created" if created else "existing", appeal)
    counts = {state: sum(1 for r in results if r["status"] == state) for state in ("created", "existing", "error")}
    return {
        "created": counts["created"],
        "existing": counts["existing"],
        "failed": counts["error"],
        "results": results,
    }


def _item_result(index: int, state: str, appeal: Appeal) -> dict:
    return {"index": index, "status": state, "id": appeal.pk, "number": appeal.number, "errors": None}


def _item_error(index: int, errors) -> dict:
    return {"index": index, "status": "error", "id": None, "number": None, "errors": errors}
