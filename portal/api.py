"""The portal API for the competence center (and staff): approved reports with their frozen figures,
indicators with targets and actuals, roadmaps with measures. Read-only; token or session auth; the scope
is the selectors' (the competence center sees approved material only)."""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.response import Response

from cur.roles import can

from . import selectors
from .models import Indicator, IndicatorValue, Report, Roadmap, RoadmapMeasure

# A plain string, not an enum: ratings' period_kind (with «year», «custom») would collide in the schema.
PERIOD_KIND_HELP = "Вид периода: month — месяц, quarter — квартал"


class CanViewPortal(BasePermission):
    message = "Недостаточно прав для этого действия."

    def has_permission(self, request, view) -> bool:
        return can(request.user, "portal.view") and request.method in SAFE_METHODS


class PortalReportSerializer(serializers.ModelSerializer):
    sector_block = serializers.SlugRelatedField(
        slug_field="code", read_only=True, allow_null=True, help_text="Код блока; пусто — сводный"
    )
    figures = serializers.SerializerMethodField(help_text="Показатели (зафиксированы при утверждении)")
    period_kind = serializers.CharField(read_only=True, help_text=PERIOD_KIND_HELP)

    class Meta:
        model = Report
        fields = [
            "id",
            "sector_block",
            "period_kind",
            "period_start",
            "period_end",
            "status",
            "narrative",
            "figures",
            "submitted_at",
            "approved_at",
        ]

    @extend_schema_field({"type": "object", "additionalProperties": {}, "nullable": True})  # null until approved
    def get_figures(self, report: Report) -> dict | None:
        # Lists never compute live figures: only frozen ones are served (an approved report has them).
        return report.figures


class PortalIndicatorValueSerializer(serializers.ModelSerializer):
    actual = serializers.SerializerMethodField(help_text="Факт: введённый или рассчитанный из данных")
    period_kind = serializers.CharField(read_only=True, help_text=PERIOD_KIND_HELP)

    class Meta:
        model = IndicatorValue
        fields = ["period_kind", "period_start", "period_end", "target", "actual"]

    @extend_schema_field({"type": "number", "format": "float", "nullable": True})  # null: no data yet
    def get_actual(self, value: IndicatorValue) -> float | None:
        if value.indicator.is_computed:
            totals = self.context["actuals"].get((value.period_start, value.period_end), {})
            return totals.get(value.indicator.sector_block_id, {}).get(value.indicator.source)
        return float(value.actual) if value.actual is not None else None


class PortalIndicatorSerializer(serializers.ModelSerializer):
    sector_block = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    values = PortalIndicatorValueSerializer(many=True, read_only=True)

    class Meta:
        model = Indicator
        fields = ["id", "code", "name", "unit", "kind", "source", "direction", "sector_block", "status", "values"]


class PortalRoadmapMeasureSerializer(serializers.ModelSerializer):
    responsible = serializers.StringRelatedField()

    class Meta:
        model = RoadmapMeasure
        fields = ["id", "title", "responsible", "due_date", "status", "progress", "completed_at"]


class PortalRoadmapSerializer(serializers.ModelSerializer):
    topic = serializers.SlugRelatedField(slug_field="code", read_only=True)
    territory = serializers.SlugRelatedField(slug_field="oktmo", read_only=True, help_text="ОКТМО территории")
    sector_block = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)
    measures = PortalRoadmapMeasureSerializer(many=True, read_only=True)

    class Meta:
        model = Roadmap
        fields = [
            "id",
            "title",
            "topic",
            "territory",
            "sector_block",
            "status",
            "starts_on",
            "approved_at",
            "problem_point",
            "measures",
        ]


class ReportViewSet(viewsets.ReadOnlyModelViewSet):
    """Reports of sector blocks and the ЦУР's summary reports (the competence center: approved ones)."""

    serializer_class = PortalReportSerializer
    permission_classes = [CanViewPortal]
    filterset_fields = ["status", "period_kind"]
    ordering_fields = ["period_start", "approved_at"]

    def get_queryset(self):
        return selectors.reports_visible_to(self.request.user).order_by("-period_start", "id")


class IndicatorViewSet(viewsets.ReadOnlyModelViewSet):
    """Approved indicators with targets and actuals per period."""

    serializer_class = PortalIndicatorSerializer
    permission_classes = [CanViewPortal]
    filterset_fields = ["kind", "status"]

    def get_queryset(self):
        values = IndicatorValue.objects.select_related("indicator").order_by("-period_start")
        return (
            selectors.indicators_visible_to(self.request.user)
            .filter(status=Indicator.Status.APPROVED)
            .prefetch_related(Prefetch("values", queryset=values))
            .order_by("kind", "code")
        )

    def _context(self, indicators) -> dict:
        # One pair of aggregate queries per distinct period that a computed indicator has a value row for.
        spans = {(v.period_start, v.period_end) for i in indicators if i.is_computed for v in i.values.all()}
        actuals = {span: selectors.computed_actuals(*span) for span in sorted(spans)}
        return {**self.get_serializer_context(), "actuals": actuals}

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.filter_queryset(self.get_queryset()))
        return self.get_paginated_response(self.get_serializer(page, many=True, context=self._context(page)).data)

    def retrieve(self, request, *args, **kwargs):
        indicator = self.get_object()
        return Response(self.get_serializer(indicator, context=self._context([indicator])).data)


class RoadmapViewSet(viewsets.ReadOnlyModelViewSet):
    """Roadmaps with their measures (the competence center: approved and completed ones)."""

    serializer_class = PortalRoadmapSerializer
    permission_classes = [CanViewPortal]
    filterset_fields = ["status"]

    def get_queryset(self):
        measures = RoadmapMeasure.objects.select_related("responsible").order_by("due_date", "id")
        return (
            selectors.roadmaps_visible_to(self.request.user)
            .prefetch_related(Prefetch("measures", queryset=measures))
            .order_by("-created_at", "-id")
        )
