"""REST API of the moderation center: batch intake of messages (up to 1,000 items, a result per item,
idempotent on network + external id), the queue and messages with assignment and decisions, surges
and the automated reports (figures as JSON; XLSX and PDF from the report page)."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from cur.web.api import IdFilter, ModelSerializer, NewestFirstCursor, ScopedPrimaryKeyField, ScopedViewSet, Serializer
from cur.web.dates import ApiDateField, ApiDateTimeField
from informing import selectors as informing_selectors
from informing.models import Network, Priority

from . import intake, reports, selectors, services
from .models import IncomingMessage, ModerationReport, Surge

S = IncomingMessage.Status


def _moderators(user):
    return informing_selectors.managers()


class MessageItemSerializer(Serializer):
    """Одно сообщение пакета (для документации: пакет проверяется построчно, ошибки — по каждому элементу)."""

    network = serializers.ChoiceField(choices=Network.choices, help_text="Код сети или её название по-русски")
    external_id = serializers.CharField(required=False, help_text="Идентификатор в источнике (иначе — хэш содержания)")
    text = serializers.CharField()
    author = serializers.CharField(required=False)
    url = serializers.URLField(required=False)
    posted_at = ApiDateTimeField(required=False, help_text="ISO 8601 или дд.мм.гггг чч:мм (МСК)")
    territory = serializers.CharField(required=False, help_text="ОКТМО или название территории")
    sector = serializers.CharField(required=False, help_text="Код отраслевого блока")
    reach = serializers.IntegerField(required=False, min_value=0)


class MessageBatchSerializer(Serializer):
    items = serializers.ListField(child=serializers.JSONField(), allow_empty=False, max_length=intake.MAX_BATCH)


BATCH_RESULT = inline_serializer(
    "MessageBatchResult",
    {
        "created": serializers.IntegerField(),
        "existing": serializers.IntegerField(),
        "errors": serializers.IntegerField(),
        "results": serializers.ListField(child=serializers.DictField()),
    },
)


class MessageSerializer(ModelSerializer):
    """Сообщение из соцсети, мессенджера или СМИ и решение по нему."""

    territory_name = serializers.CharField(source="territory.name", read_only=True, allow_null=True)
    sector = serializers.SlugRelatedField(source="sector_block", slug_field="code", read_only=True, allow_null=True)

    class Meta:
        model = IncomingMessage
        fields = [
            "id",
            "network",
            "external_id",
            "text",
            "author",
            "url",
            "posted_at",
            "received_at",
            "territory",
            "territory_name",
            "sector",
            "reach",
            "status",
            "assigned_to",
            "assigned_at",
            "due_at",
            "reacted_at",
            "decided_at",
            "decided_by",
            "appeal",
            "event",
            "disinformation",
            "comment",
        ]
        read_only_fields = fields


class MessageDecideSerializer(Serializer):
    decision = serializers.ChoiceField(choices=[(s, S(s).label) for s in IncomingMessage.DECISIONS])
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True)
    event = ScopedPrimaryKeyField(selector=informing_selectors.events_visible_to, required=False, allow_null=True)
    new_event_title = serializers.CharField(max_length=255, required=False, allow_blank=True)
    new_event_priority = serializers.ChoiceField(choices=Priority.choices, required=False)
    case = ScopedPrimaryKeyField(selector=informing_selectors.cases_visible_to, required=False, allow_null=True)
    new_case_title = serializers.CharField(max_length=255, required=False, allow_blank=True)


class MessageBulkDecideSerializer(MessageDecideSerializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1),
        allow_empty=False,
        max_length=services.MAX_BULK,
    )


class MessageAssignSerializer(Serializer):
    moderator = ScopedPrimaryKeyField(
        selector=_moderators, required=False, allow_null=True, help_text="id модератора; по умолчанию — себе"
    )


def decision_kwargs(data: dict) -> dict:
    kwargs = {"decision": data["decision"], "comment": data.get("comment", "")}
    if data["decision"] == S.EVENT:
        kwargs["event"] = data.get("event")
        if data.get("new_event_title"):
            kwargs["new_event"] = {"title": data["new_event_title"], "priority": data.get("new_event_priority")}
    if data["decision"] == S.DISINFORMATION:
        kwargs["case"] = data.get("case")
        if data.get("new_case_title"):
            kwargs["new_case"] = {"title": data["new_case_title"]}
    return kwargs


class MessageFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=S.choices)
    network = filters.ChoiceFilter(choices=Network.choices)
    territory = IdFilter(field_name="territory_id")
    assigned_to = IdFilter(field_name="assigned_to_id")
    open = filters.BooleanFilter(method="filter_open", label="Только нерешённые")

    class Meta:
        model = IncomingMessage
        fields = ["status", "network", "territory", "assigned_to", "open"]

    def filter_open(self, queryset, name, value):
        return (
            queryset.filter(status__in=IncomingMessage.OPEN_STATUSES)
            if value
            else queryset.exclude(status__in=IncomingMessage.OPEN_STATUSES)
        )


class MessageCursor(NewestFirstCursor):
    ordering = ("-received_at", "-id")


@extend_schema_view(
    list=extend_schema(summary="Сообщения (новые сначала)"),
    retrieve=extend_schema(summary="Сообщение"),
)
class MessageViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Сообщения из соцсетей, мессенджеров и СМИ: приём пакетом, назначение, решения."""

    queryset = IncomingMessage.objects.none()
    serializer_class = MessageSerializer
    read_capability = write_capability = "moderation.work"
    filterset_class = MessageFilter
    pagination_class = MessageCursor
    ordering_fields: list = []

    def visible_rows(self, user):
        return selectors.message_list(user)

    def get_serializer_class(self):
        return {
            "batch": MessageBatchSerializer,
            "decide": MessageDecideSerializer,
            "bulk_decide": MessageBulkDecideSerializer,
            "assign": MessageAssignSerializer,
        }.get(self.action, MessageSerializer)

    @extend_schema(
        summary="Принять пакет сообщений (до 1000), идемпотентно по (network, external_id)",
        request=inline_serializer("MessageBatch", {"items": MessageItemSerializer(many=True)}),
        responses={200: BATCH_RESULT},
    )
    @action(detail=False, methods=["post"])
    def batch(self, request):
        items = request.data.get("items") if isinstance(request.data, dict) else request.data
        if not isinstance(items, list) or not items:
            raise ValidationError({"items": ["Передайте непустой список сообщений в поле items."]})
        if len(items) > intake.MAX_BATCH:
            raise ValidationError({"items": [f"Не более {intake.MAX_BATCH} сообщений в пакете."]})
        results = intake.intake_batch(items, by=request.user)
        counts = {k: sum(1 for r in results if r.status == k) for k in ("created", "existing", "error")}
        body = {
            "created": counts["created"],
            "existing": counts["existing"],
            "errors": counts["error"],
            "results": [r.as_dict() for r in results],
        }
        return Response(body, status=status.HTTP_200_OK)

    def _out(self, message):
        return Response(MessageSerializer(selectors.message_for(self.request.user, message.pk)).data)

    @extend_schema(
        summary="Взять сообщение (или назначить модератору)",
        request=MessageAssignSerializer,
        responses=MessageSerializer,
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        message = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        to = serializer.validated_data.get("moderator") or request.user
        return self._out(services.assign_message(message, to=to, by=request.user))

    @extend_schema(
        summary="Решение по сообщению: обращение, повод, дезинформация или шум",
        request=MessageDecideSerializer,
        responses=MessageSerializer,
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        message = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._out(
            services.decide_message(message, by=request.user, **decision_kwargs(serializer.validated_data))
        )

    @extend_schema(
        summary="Одно решение для нескольких сообщений",
        request=MessageBulkDecideSerializer,
        responses={
            200: inline_serializer("BulkResult", {"done": serializers.ListField(), "failed": serializers.DictField()})
        },
    )
    @action(detail=False, methods=["post"], url_path="bulk-decide")
    def bulk_decide(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        messages = list(selectors.messages_visible_to(request.user).filter(pk__in=data["ids"]).order_by("pk"))
        result = services.bulk_decide(messages, by=request.user, **decision_kwargs(data))
        missing = set(data["ids"]) - {m.pk for m in messages}
        failed = {**{str(k): v for k, v in result.failed.items()}, **{str(k): "Не найдено." for k in sorted(missing)}}
        return Response({"done": result.done, "failed": failed})


class SurgeSerializer(ModelSerializer):
    sector = serializers.CharField(source="sector_block.name", read_only=True)
    territory_name = serializers.CharField(source="territory.name", read_only=True)
    ratio = serializers.FloatField(read_only=True)

    class Meta:
        model = Surge
        fields = [
            "id",
            "sector_block",
            "sector",
            "territory",
            "territory_name",
            "window_start",
            "window_end",
            "count",
            "baseline",
            "ratio",
            "reach",
            "sample",
            "status",
            "event",
            "detected_at",
        ]
        read_only_fields = fields


@extend_schema_view(list=extend_schema(summary="Всплески сообщений"), retrieve=extend_schema(summary="Всплеск"))
class SurgeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Темы и территории, где сообщений больше обычного: предложенные информационные поводы."""

    queryset = Surge.objects.none()
    serializer_class = SurgeSerializer
    read_capability = write_capability = "moderation.work"

    def visible_rows(self, user):
        return selectors.surge_list(user)

    @extend_schema(summary="Открыть информационный повод по всплеску", request=None, responses=SurgeSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        surge = self.get_object()
        services.accept_surge(surge, by=request.user)
        return Response(SurgeSerializer(selectors.surge_list(request.user).get(pk=surge.pk)).data)

    @extend_schema(summary="Отклонить всплеск", request=None, responses=SurgeSerializer)
    @action(detail=True, methods=["post"])
    def dismiss(self, request, pk=None):
        surge = self.get_object()
        services.dismiss_surge(surge, by=request.user)
        return Response(SurgeSerializer(selectors.surge_list(request.user).get(pk=surge.pk)).data)


class ReportSerializer(ModelSerializer):
    """Отчёт центра модерации за период: показатели сообщений, поводов, рекомендаций, мероприятий."""

    class Meta:
        model = ModerationReport
        fields = ["id", "period_kind", "period_start", "period_end", "built_at", "figures"]
        read_only_fields = fields


class ReportBuildSerializer(Serializer):
    period_kind = serializers.ChoiceField(choices=ModerationReport.Period.choices)
    day = ApiDateField(help_text="Любой день периода")  # the range of cur.web.dates; a future period is refused


@extend_schema_view(list=extend_schema(summary="Отчёты центра модерации"), retrieve=extend_schema(summary="Отчёт"))
class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Автоматизированные отчёты (сутки, неделя, месяц): формируются по расписанию, пересчитываются по запросу."""

    queryset = ModerationReport.objects.none()
    serializer_class = ReportSerializer
    read_capability = staticmethod(selectors.may_see_reports)
    write_capability = "moderation.work"

    def visible_rows(self, user):
        qs = selectors.reports_visible_to(user)
        kind = self.request.query_params.get("period_kind", "")
        return qs.filter(period_kind=kind) if kind in ModerationReport.Period.values else qs

    def get_serializer_class(self):
        return ReportBuildSerializer if self.action == "build" else ReportSerializer

    @extend_schema(
        summary="Сформировать (пересчитать) отчёт за период", request=ReportBuildSerializer, responses=ReportSerializer
    )
    @action(detail=False, methods=["post"])
    def build(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        report = reports.build_report(reports.period_of(data["period_kind"], data["day"]), by=request.user)
        return Response(ReportSerializer(report).data, status=status.HTTP_201_CREATED)
