"""REST API of what ИНФОЦУР watches: disinformation cases (marked false with evidence, refuted, warned
about, where they spread) and official pages of bodies, with the bodies that have none."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from cur.web.api import IdFilter, ModelSerializer, ScopedPrimaryKeyField, ScopedViewSet, Serializer
from cur.web.dates import ApiDateTimeField

from . import selectors, services
from .api import _blocks, _organisations, _territories
from .models import Channel, DisinformationCase, Network, OfficialPage


class CaseSerializer(ModelSerializer):
    """Случай дезинформации: утверждение, доказательства, опровержение, где распространилось."""

    spread = serializers.SerializerMethodField()
    warnings = serializers.SerializerMethodField()
    refutation_url = serializers.CharField(read_only=True, help_text="Ссылка на опровержение; пусто — ещё нет")

    class Meta:
        model = DisinformationCase
        fields = [
            "id",
            "title",
            "claim",
            "status",
            "event",
            "sector_block",
            "detected_at",
            "evidence",
            "evidence_links",
            "marked_false_at",
            "refutation_material",
            "refutation_url",
            "refuted_at",
            "total_reach",
            "spread",
            "warnings",
        ]
        read_only_fields = fields

    def get_spread(self, case) -> list[dict]:
        return [
            {"network": s.network, "url": s.url, "territory": s.territory_id, "reach": s.reach, "found_at": s.found_at}
            for s in case.spread.all()
        ]

    def get_warnings(self, case) -> list[dict]:
        return [
            {
                "organisation": w.organisation_id,
                "addressee": w.addressee,
                "channel": w.channel,
                "text": w.text,
                "issued_at": w.issued_at,
            }
            for w in case.warnings.all()
        ]


class CaseCreateSerializer(Serializer):
    title = serializers.CharField(max_length=255)
    claim = serializers.CharField(max_length=20_000)
    detected_at = ApiDateTimeField(required=False)
    event = ScopedPrimaryKeyField(selector=selectors.events_visible_to, required=False, allow_null=True)
    sector_block = ScopedPrimaryKeyField(selector=_blocks, required=False, allow_null=True)


class MarkFalseSerializer(Serializer):
    evidence = serializers.CharField(max_length=20_000)
    links = serializers.ListField(child=serializers.URLField(max_length=1000), required=False, max_length=50)


class RefuteSerializer(Serializer):
    material = ScopedPrimaryKeyField(selector=selectors.materials_visible_to, required=False, allow_null=True)
    url = serializers.URLField(max_length=1000, required=False, allow_blank=True)


class SpreadSerializer(Serializer):
    network = serializers.ChoiceField(choices=Network.choices)
    url = serializers.URLField(max_length=1000)
    found_at = ApiDateTimeField(required=False)
    territory = ScopedPrimaryKeyField(selector=_territories, required=False, allow_null=True)
    reach = serializers.IntegerField(min_value=0, max_value=10**12, required=False)


class WarningSerializer(Serializer):
    text = serializers.CharField(max_length=20_000)
    organisation = ScopedPrimaryKeyField(selector=_organisations, required=False, allow_null=True)
    addressee = serializers.CharField(max_length=255, required=False, allow_blank=True)
    channel = serializers.ChoiceField(choices=Channel.choices, required=False)


CASE_ACTIONS = {
    "mark_false": (MarkFalseSerializer, services.mark_false),
    "refute": (RefuteSerializer, services.refute_case),
    "spread": (SpreadSerializer, services.add_spread),
    "warnings": (WarningSerializer, services.issue_warning),
}


@extend_schema_view(
    list=extend_schema(summary="Дезинформация"),
    retrieve=extend_schema(summary="Случай дезинформации"),
    create=extend_schema(summary="Зарегистрировать утверждение для проверки", request=CaseCreateSerializer),
)
class DisinformationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, ScopedViewSet):
    """Утверждения, признанные недостоверными: доказательства, опровержение, предупреждения, распространение."""

    queryset = DisinformationCase.objects.none()
    serializer_class = CaseSerializer
    read_capability, write_capability = "informing.view", "informing.manage"

    def visible_rows(self, user):
        return selectors.cases_visible_to(user).prefetch_related("spread", "warnings").order_by("-detected_at", "-id")

    def get_serializer_class(self):
        if self.action == "create":
            return CaseCreateSerializer
        return CASE_ACTIONS.get(self.action, (CaseSerializer,))[0]

    def _out(self, case, code=status.HTTP_200_OK):
        case = self.visible_rows(self.request.user).get(pk=case.pk)
        return Response(CaseSerializer(case).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return self._out(services.create_case(by=request.user, **serializer.validated_data), status.HTTP_201_CREATED)

    def _run(self, request):
        case = self.get_object()
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        CASE_ACTIONS[self.action][1](case, by=request.user, **serializer.validated_data)
        return self._out(case)

    @extend_schema(
        summary="Признать недостоверным (доказательства)", request=MarkFalseSerializer, responses=CaseSerializer
    )
    @action(detail=True, methods=["post"], url_path="mark-false")
    def mark_false(self, request, pk=None):
        return self._run(request)

    @extend_schema(summary="Отметить опровержение", request=RefuteSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def refute(self, request, pk=None):
        return self._run(request)

    @extend_schema(summary="Добавить место распространения", request=SpreadSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def spread(self, request, pk=None):
        return self._run(request)

    @extend_schema(summary="Выдать предупреждение", request=WarningSerializer, responses=CaseSerializer)
    @action(detail=True, methods=["post"])
    def warnings(self, request, pk=None):
        return self._run(request)


class OfficialPageSerializer(ModelSerializer):
    """Госпаблик органа: сеть, адрес, подтверждение, статус, последняя публикация."""

    organisation = ScopedPrimaryKeyField(selector=_organisations)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)

    class Meta:
        model = OfficialPage
        fields = [
            "id",
            "organisation",
            "organisation_name",
            "network",
            "url",
            "name",
            "status",
            "verified",
            "verified_at",
            "last_activity_at",
            "followers",
        ]
        read_only_fields = ["id", "verified_at"]
        validators: list = []

    def get_fields(self):
        fields = super().get_fields()
        fields["url"].validators = [v for v in fields["url"].validators if "Unique" not in type(v).__name__]
        return fields


class PageFilter(filters.FilterSet):
    network = filters.ChoiceFilter(choices=Network.choices)
    status = filters.ChoiceFilter(choices=OfficialPage.Status.choices)
    verified = filters.BooleanFilter()
    organisation = IdFilter(field_name="organisation_id")

    class Meta:
        model = OfficialPage
        fields = ["network", "status", "verified", "organisation"]


@extend_schema_view(
    list=extend_schema(summary="Госпаблики органов"),
    retrieve=extend_schema(summary="Госпаблик"),
    create=extend_schema(summary="Добавить госпаблик"),
    partial_update=extend_schema(summary="Изменить госпаблик"),
)
class OfficialPageViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.CreateModelMixin, mixins.UpdateModelMixin, ScopedViewSet
):
    """Официальные страницы органов (Положение 2.1.9); without-page — органы без действующего госпаблика."""

    queryset = OfficialPage.objects.none()
    serializer_class = OfficialPageSerializer
    read_capability, write_capability = "informing.view", "informing.manage"
    filterset_class = PageFilter
    http_method_names = ["get", "post", "patch", "head", "options"]

    def visible_rows(self, user):
        return selectors.official_page_list(user)

    def perform_create(self, serializer):
        serializer.instance = services.save_official_page(None, by=self.request.user, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.save_official_page(
            serializer.instance, by=self.request.user, **serializer.validated_data
        )

    @extend_schema(
        summary="Органы без действующего госпаблика",
        responses=serializers.ListSerializer(child=serializers.DictField()),
    )
    @action(detail=False, methods=["get"], url_path="without-page", filterset_class=None)
    def without_page(self, request):
        page = self.paginate_queryset(selectors.organisations_without_page(request.user))
        rows = [
            {"id": o.pk, "name": o.name, "kind": o.kind, "territory": o.territory.name, "pages_not_kept": o.other_pages}
            for o in page
        ]
        return self.get_paginated_response(rows)
