"""REST API of ИНФОЦУР: information events (lifecycle transitions, sources, audience, history) and
recommendations (issued by the center; accepted, done or declined by the body they are addressed to).
Reads come from the selectors (scoped by the user), writes go through the services."""

from django.db.models import Prefetch
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from cur.web.api import IdFilter, ModelSerializer, ScopedPrimaryKeyField, ScopedViewSet, Serializer
from cur.web.dates import ApiDateTimeField
from sectors.models import Organisation, SectorBlock, Territory

from . import selectors, services
from .models import AudiencePoint, EventSource, InformationEvent, Priority, Recommendation, topic_model

S = InformationEvent.Status


def _territories(user):
    return Territory.objects.filter(is_active=True).defer("boundary")


def _blocks(user):
    return SectorBlock.objects.filter(is_active=True)


def _organisations(user):
    return Organisation.objects.filter(is_active=True)


def _managers(user):
    return selectors.managers()


# --- events ---------------------------------------------------------------------------------------


class SourceSerializer(ModelSerializer):
    class Meta:
        model = EventSource
        fields = ["id", "network", "kind", "url", "outlet", "title", "published_at", "reach", "added_at"]
        read_only_fields = ["id", "added_at"]
        validators: list = []


class AudienceSerializer(ModelSerializer):
    class Meta:
        model = AudiencePoint
        fields = ["measured_at", "reach", "reactions", "comments", "shares"]
        validators: list = []


class EventSerializer(ModelSerializer):
    """Информационный повод. Статус меняется действием transition, ответственный — действием assign."""

    sector = serializers.SlugRelatedField(source="sector_block", slug_field="code", read_only=True, allow_null=True)
    territories = serializers.PrimaryKeyRelatedField(many=True, read_only=True)
    responsible = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    # Declared: a read-only model field loses allow_blank, and the schema would forbid the empty outcome.
    outcome = serializers.ChoiceField(choices=InformationEvent.Outcome.choices, allow_blank=True, read_only=True)

    class Meta:
        model = InformationEvent
        fields = [
            "id",
            "title",
            "essence",
            "status",
            "priority",
            "origin",
            "sector",
            "territories",
            "first_seen_at",
            "responsible",
            "react_by",
            "work_off_by",
            "reacted_at",
            "worked_off_at",
            "closed_at",
            "overdue_at",
            "outcome",
            "outcome_comment",
            "reach",
            "growth",
            "created_at",
        ]
        read_only_fields = fields


class EventDetailSerializer(EventSerializer):
    topics = serializers.SlugRelatedField(many=True, slug_field="code", read_only=True)
    sources = SourceSerializer(many=True, read_only=True)
    audience = AudienceSerializer(many=True, read_only=True)

    class Meta(EventSerializer.Meta):
        fields = [*EventSerializer.Meta.fields, "topics", "sources", "audience"]
        read_only_fields = fields


class EventWriteSerializer(Serializer):
    title = serializers.CharField(max_length=255, label="Название")
    essence = serializers.CharField(max_length=20_000, label="Суть")
    first_seen_at = ApiDateTimeField(required=False, label="Впервые замечен")
    priority = serializers.ChoiceField(choices=Priority.choices, required=False, label="Приоритет")
    sector = ScopedPrimaryKeyField(selector=_blocks, required=False, allow_null=True, label="Отраслевой блок (id)")
    topics = serializers.SlugRelatedField(
        many=True,
        slug_field="code",
        queryset=topic_model().objects.filter(is_active=True),
        required=False,
        label="Темы (коды)",
    )
    territories = ScopedPrimaryKeyField(selector=_territories, many=True, required=False, label="Территории (id)")
    responsible = ScopedPrimaryKeyField(selector=_managers, required=False, allow_null=True, label="Ответственный")


class EventTransitionSerializer(Serializer):
    status = serializers.ChoiceField(choices=S.choices, label="Новый статус")
    comment = serializers.CharField(max_length=5000, required=False, allow_blank=True, label="Комментарий")
    outcome = serializers.ChoiceField(choices=InformationEvent.Outcome.choices, required=False, label="Итог")


class EventAssignSerializer(Serializer):
    responsible = ScopedPrimaryKeyField(selector=_managers, label="Ответственный модератор (id)")


class EventFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=S.choices)
    priority = filters.ChoiceFilter(choices=Priority.choices)
    sector = filters.CharFilter(field_name="sector_block__code", max_length=32)
    territory = IdFilter(field_name="territories")
    responsible = IdFilter(field_name="responsible_id")

    class Meta:
        model = InformationEvent
        fields = ["status", "priority", "sector", "territory", "responsible"]


@extend_schema_view(
    list=extend_schema(summary="Информационные поводы"),
    retrieve=extend_schema(summary="Информационный повод с источниками и замерами аудитории"),
    create=extend_schema(summary="Зарегистрировать информационный повод", request=EventWriteSerializer),
    partial_update=extend_schema(summary="Изменить сведения о поводе", request=EventWriteSerializer),
)
class InformationEventViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Информационные поводы: выявлен → на анализе → выданы рекомендации → проводятся мероприятия →
    отработан → закрыт (с итогом)."""

    queryset = InformationEvent.objects.none()
    read_capability, write_capability = "informing.view", "informing.manage"
    filterset_class = EventFilter
    ordering_fields = ["first_seen_at", "work_off_by", "reach", "growth"]

    def visible_rows(self, user):
        qs = selectors.events_visible_to(user).select_related("sector_block").prefetch_related("territories")
        if self.action == "retrieve":
            qs = qs.prefetch_related(
                "topics", "sources", Prefetch("audience", AudiencePoint.objects.order_by("measured_at"))
            )
        return qs.order_by("-first_seen_at", "-id")

    def get_serializer_class(self):
        return {
            "retrieve": EventDetailSerializer,
            "create": EventWriteSerializer,
            "partial_update": EventWriteSerializer,
            "transition": EventTransitionSerializer,
            "assign": EventAssignSerializer,
            "sources": SourceSerializer,
            "audience": AudienceSerializer,
        }.get(self.action, EventSerializer)

    def _detail(self, event, code=status.HTTP_200_OK):
        event = self.visible_rows(self.request.user).prefetch_related("topics", "sources", "audience").get(pk=event.pk)
        return Response(EventDetailSerializer(event, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        data = self._valid(request.data)
        event = services.create_event(by=request.user, sector_block=data.pop("sector", None), **data)
        return self._detail(event, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        event = self.get_object()
        data = self._valid(request.data, partial=True)
        if "responsible" in data:
            responsible = data.pop("responsible")
            if responsible is not None:
                services.assign_event(event, responsible=responsible, by=request.user)
        if "sector" in data:
            data["sector_block"] = data.pop("sector")
        services.update_event(event, by=request.user, **data)
        return self._detail(event)

    def _valid(self, data, partial=False) -> dict:
        serializer = EventWriteSerializer(data=data, partial=partial, context=self.get_serializer_context())
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    @extend_schema(
        summary="Перевести повод в другой статус", request=EventTransitionSerializer, responses=EventDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def transition(self, request, pk=None):
        event = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        services.move_event(
            event, to=data["status"], by=request.user, comment=data.get("comment", ""), outcome=data.get("outcome", "")
        )
        return self._detail(event)

    @extend_schema(
        summary="Назначить ответственного модератора", request=EventAssignSerializer, responses=EventDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, pk=None):
        event = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.assign_event(event, responsible=serializer.validated_data["responsible"], by=request.user)
        return self._detail(event)

    @extend_schema(
        summary="Добавить источник (пост, статью, видео)", request=SourceSerializer, responses=EventDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def sources(self, request, pk=None):
        event = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.add_source(event, by=request.user, **serializer.validated_data)
        return self._detail(event, status.HTTP_201_CREATED)

    @extend_schema(
        summary="Записать замер аудитории (охват, реакции)", request=AudienceSerializer, responses=EventDetailSerializer
    )
    @action(detail=True, methods=["post"])
    def audience(self, request, pk=None):
        event = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.record_audience(event, by=request.user, **serializer.validated_data)
        return self._detail(event, status.HTTP_201_CREATED)

    @extend_schema(summary="История повода", responses=serializers.ListSerializer(child=serializers.DictField()))
    @action(detail=True, methods=["get"])
    def history(self, request, pk=None):
        event = self.get_object()
        rows = [
            {
                "at": h.created_at,
                "kind": h.kind,
                "kind_label": h.get_kind_display(),
                "actor": h.actor_id,
                "from_status": h.from_status,
                "to_status": h.to_status,
                "changes": h.changes,
                "comment": h.comment,
            }
            for h in selectors.event_timeline(event)
        ]
        return Response(rows)


# --- recommendations ------------------------------------------------------------------------------


class RecommendationSerializer(ModelSerializer):
    """Рекомендация органу: что опубликовать, где и в какой срок."""

    event_title = serializers.CharField(source="event.title", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    result_url = serializers.CharField(read_only=True, help_text="Ссылка на публикацию; пусто — ещё нет")

    class Meta:
        model = Recommendation
        fields = [
            "id",
            "event",
            "event_title",
            "organisation",
            "organisation_name",
            "text",
            "channel",
            "where",
            "due_at",
            "status",
            "response",
            "result_url",
            "accepted_at",
            "done_at",
            "escalated_at",
            "created_at",
        ]
        read_only_fields = fields


class RecommendationIssueSerializer(Serializer):
    event = ScopedPrimaryKeyField(selector=selectors.events_visible_to, label="Повод (id)")
    organisation = ScopedPrimaryKeyField(selector=_organisations, label="Орган или организация (id)")
    text = serializers.CharField(max_length=20_000, label="Что опубликовать")
    channel = serializers.ChoiceField(choices=Recommendation._meta.get_field("channel").choices, required=False)
    where = serializers.CharField(max_length=500, required=False, allow_blank=True, label="Где опубликовать")
    due_at = ApiDateTimeField(label="Срок")


class RecommendationAnswerSerializer(Serializer):
    comment = serializers.CharField(max_length=20_000, required=False, allow_blank=True, label="Комментарий")
    result_url = serializers.URLField(max_length=1000, required=False, allow_blank=True, label="Ссылка на публикацию")


class RecommendationFilter(filters.FilterSet):
    status = filters.ChoiceFilter(choices=Recommendation.Status.choices)
    event = IdFilter(field_name="event_id")
    organisation = IdFilter(field_name="organisation_id")

    class Meta:
        model = Recommendation
        fields = ["status", "event", "organisation"]


@extend_schema_view(
    list=extend_schema(summary="Рекомендации (сотруднику органа — адресованные его организации)"),
    retrieve=extend_schema(summary="Рекомендация"),
    create=extend_schema(summary="Выдать рекомендацию органу", request=RecommendationIssueSerializer),
)
class RecommendationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Рекомендации органам и организациям. Орган принимает (accept), отмечает выполнение (done) или
    отклоняет (decline); центр отзывает (cancel). Просроченные эскалируются автоматически."""

    queryset = Recommendation.objects.none()
    serializer_class = RecommendationSerializer
    read_capability = staticmethod(selectors.may_see_recommendations)
    write_capability = "informing.manage"
    action_capabilities = {
        "accept": selectors.may_see_recommendations,
        "done": selectors.may_see_recommendations,
        "decline": selectors.may_see_recommendations,
    }
    filterset_class = RecommendationFilter
    ordering_fields = ["due_at", "created_at"]

    def visible_rows(self, user):
        return (
            selectors.recommendations_visible_to(user).select_related("event", "organisation").order_by("due_at", "id")
        )

    def get_serializer_class(self):
        if self.action == "create":
            return RecommendationIssueSerializer
        if self.action in ("accept", "done", "decline", "cancel"):
            return RecommendationAnswerSerializer
        return RecommendationSerializer

    def _out(self, rec, code=status.HTTP_200_OK):
        return Response(RecommendationSerializer(rec, context=self.get_serializer_context()).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        rec = services.issue_recommendation(data.pop("event"), by=request.user, **data)
        return self._out(rec, status.HTTP_201_CREATED)

    def _answer(self, request, service, arguments):
        rec = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._out(service(rec, by=request.user, **arguments(serializer.validated_data)))

    @extend_schema(summary="Принять рекомендацию к исполнению (орган)", request=RecommendationAnswerSerializer)
    @action(detail=True, methods=["post"])
    def accept(self, request, pk=None):
        return self._answer(request, services.accept_recommendation, lambda d: {"comment": d.get("comment", "")})

    @extend_schema(summary="Отметить выполнение (орган): что сделано и ссылка", request=RecommendationAnswerSerializer)
    @action(detail=True, methods=["post"])
    def done(self, request, pk=None):
        return self._answer(
            request,
            services.complete_recommendation,
            lambda d: {"response": d.get("comment", ""), "result_url": d.get("result_url", "")},
        )

    @extend_schema(summary="Отклонить рекомендацию с причиной (орган)", request=RecommendationAnswerSerializer)
    @action(detail=True, methods=["post"])
    def decline(self, request, pk=None):
        return self._answer(request, services.decline_recommendation, lambda d: {"reason": d.get("comment", "")})

    @extend_schema(summary="Отозвать рекомендацию (центр)", request=RecommendationAnswerSerializer)
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        return self._answer(request, services.cancel_recommendation, lambda d: {"reason": d.get("comment", "")})
