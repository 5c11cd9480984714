"""Pages of the heat map: the map, a topic on a territory, the priorities for polls, the dashboards.

Reads only (the writes are in `views_problems`): a scoped fetch through `heatmap.scope`, the filters
validated by a form (a bad value falls back to the default, never a 500), selectors composed in
`heatmap.reports` / `heatmap.dashboards`, figures from `heatmap.charts`.
"""

from django.http import Http404, JsonResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control
from django.utils.functional import cached_property
from django.utils.html import escape
from django.views import View
from django.views.generic import TemplateView

from appeals.models import Topic
from cur.permissions import HasCapability
from cur.roles import can
from sectors.models import SectorBlock, Territory

from . import charts, dashboards, exports, metrics, reports, selectors
from .forms import DashboardForm, FocusFilterForm, HeatFilterForm, PrioritiesForm
from .scope import Scope, scope_for
from .selectors import HeatQuery


class ScopedPage(HasCapability, TemplateView):
    capability = "heatmap.view"
    section = ""

    @cached_property
    def scope(self) -> Scope:
        return scope_for(self.request.user)

    @cached_property
    def allowed_blocks(self) -> list[SectorBlock] | None:
        """The blocks the user's filters offer: None for everything."""
        if self.scope.blocks is None:
            return None
        return list(SectorBlock.objects.filter(pk__in=self.scope.blocks).order_by("position", "name"))

    def get_context_data(self, **kwargs):
        kwargs.setdefault("section", self.section)
        kwargs.setdefault("can_confirm", can(self.request.user, "heatmap.problems.confirm"))
        return super().get_context_data(**kwargs)


def _area_text(row: reports.TerritoryRow, code: str) -> str:
    c = row.counts
    lines = [f"<b>{escape(row.place.name)}</b>"]
    if code != "appeals":  # the count is the next line
        lines.append(f"{metrics.METRICS[code].label}: {metrics.formatted(code, row.value)}")
    lines.append(f"обращений: {metrics.formatted('appeals', c['received'])} (было {row.previous})")
    if row.place.population:
        lines.append(f"население: {row.place.population:,}".replace(",", " "))
    lines.append("нажмите, чтобы открыть обращения")
    return "<br>".join(lines)


class MapView(ScopedPage):
    """The choropleth of municipalities, the territory × block matrix and the trend."""

    template_name = "heatmap/map.html"
    section = "map"

    def get_context_data(self, **kwargs):
        form = HeatFilterForm(self.request.GET or None, blocks=self.allowed_blocks)
        q, code = form.query(), form.metric_code()
        topic, sector = form.value("topic"), form.value("sector")
        codes = {sector.pk: sector.code} if sector else {}
        report = reports.heat_map(self.scope, q, code, sector_codes=codes, topic_code=topic.code if topic else None)
        areas = [charts.Area(r.place.id, r.place.name, r.value, _area_text(r, code), r.url) for r in report.rows]
        figure = charts.choropleth_figure(areas, geojson_url=reverse("heatmap:geojson"), metric=report.metric)
        matrix = charts.matrix_figure(report.matrix["rows"], report.matrix["columns"], report.matrix["z"],
                                      report.matrix["urls"])  # fmt: skip
        starts, series, size = report.trend
        rows = sorted(report.rows, key=lambda r: (r.value is None, -(r.value or 0), r.place.name))
        totals = report.totals
        return super().get_context_data(
            form=form, report=report, query=q, metric=report.metric, rows=rows,
            values={r.place.id: metrics.formatted(code, r.value) for r in rows},
            map_figure=figure, matrix_figure=matrix,
            trend_figure=charts.trend_figure(starts, series, granularity=size),
            region={"received": totals["received"], "previous": report.previous_total,
                    "per_1000": metrics.formatted("per_1000", metrics.value("per_1000", totals,
                                                                              population=report.population)),
                    "overdue": metrics.formatted("overdue_share", metrics.value("overdue_share", totals)),
                    "dissatisfied": metrics.formatted("dissatisfied_share",
                                                      metrics.value("dissatisfied_share", totals)),
                    "growth": metrics.formatted("growth", metrics.growth(totals["received"], report.previous_total))},
            region_url=reports.appeals_url(q, topic_code=topic.code if topic else None,
                                           sector_code=codes.get(q.sector_id)),
            **kwargs,
        )  # fmt: skip


class GeoJsonView(HasCapability, View):
    """The municipalities' boundaries as GeoJSON (feature id = territory id), for the map. Public OSM data,
    the same for every user: cached by the browser for an hour."""

    capability = "heatmap.view"

    def get(self, request):
        rows = Territory.objects.filter(
            kind__in=Territory.MUNICIPAL_KINDS, is_active=True, boundary__isnull=False
        ).values_list("pk", "name", "boundary")
        # Wound for d3-geo here, whatever the source (the OSM file, the API, the admin) stored.
        features = [
            {"type": "Feature", "id": str(pk), "properties": {"name": name}, "geometry": geometry}
            for pk, name, boundary in rows
            if (geometry := charts.d3_winding(boundary)) is not None
        ]
        response = JsonResponse({"type": "FeatureCollection", "features": features,
                                 "attribution": charts.ATTRIBUTION + ", ODbL"})  # fmt: skip
        patch_cache_control(response, private=True, max_age=3600)
        return response


class FocusView(ScopedPage):
    """One topic on one territory: its figures and trend, the poll results beside them, its problem points."""

    template_name = "heatmap/focus.html"
    section = "priorities"

    def get_context_data(self, **kwargs):
        directory = selectors.places()
        place = self._place(directory)
        topic = Topic.objects.filter(code=self.request.GET.get("topic", "")[:100]).first()
        if topic is None or not self.scope.allows_block(topic.sector_block_id):
            raise Http404("Тема не найдена.")
        form = FocusFilterForm(self.request.GET or None, blocks=self.allowed_blocks)
        q = form.query()
        report = reports.focus(self.scope, q, place, topic, self.request.user, directory)
        starts, series, size = report.trend
        points = selectors.problem_points_visible_to(self.request.user).filter(territory_id=place.id, topic=topic)
        return super().get_context_data(
            form=form, report=report, trend_figure=charts.trend_figure(starts, series, granularity=size),
            figures=metrics.key_figures(report.counts), points=list(points[:20]),
            growth=metrics.formatted("growth", metrics.growth(report.counts["received"], report.previous)), **kwargs,
        )  # fmt: skip

    def _place(self, directory: selectors.Places) -> selectors.Place:
        raw = self.request.GET.get("territory", "")
        place = directory.by_id().get(int(raw)) if raw.isdigit() and len(raw) < 12 else None
        if place is None or not self.scope.allows_territory(place.id):
            raise Http404("Территория не найдена.")
        return place


class PrioritiesView(ScopedPage):
    """Topic × territory pairs ranked for polls and votes, with reasons; an export as a proposal."""

    template_name = "heatmap/priorities.html"
    section = "priorities"
    fmt = ""

    def rows(self, form: PrioritiesForm) -> tuple[HeatQuery, list]:
        q = form.query()
        return q, reports.priority_rows(self.scope, q, self.request.user, min_count=form.min_appeals())

    def get(self, request, *args, **kwargs):
        if not self.fmt:
            return super().get(request, *args, **kwargs)
        form = PrioritiesForm(request.GET or None, blocks=self.allowed_blocks)
        q, rows = self.rows(form)
        return exports.respond(self.fmt, exports.PRIORITY_HEADERS, exports.priority_rows(rows),
                               filename=f"prioritety-oprosov-{q.since:%Y%m%d}-{q.until:%Y%m%d}",
                               title="Предложение тем опросов")  # fmt: skip

    def get_context_data(self, **kwargs):
        form = PrioritiesForm(self.request.GET or None, blocks=self.allowed_blocks)
        q, rows = self.rows(form)
        return super().get_context_data(form=form, query=q, rows=rows, weights=reports_weights(),
                                        can_import=can(self.request.user, "heatmap.problems.confirm"),
                                        export_query=self.request.GET.urlencode(), **kwargs)  # fmt: skip


def reports_weights() -> list[tuple[str, int]]:
    from .priorities import WEIGHTS

    names = {"volume": "число обращений", "growth": "рост", "dissatisfied": "неудовлетворённость",
             "overdue": "просрочка"}  # fmt: skip
    return [(names[k], round(100 * v)) for k, v in WEIGHTS.items()]


class BlockDashboardView(ScopedPage):
    """The block head's dashboard: their blocks only."""

    capability = "dashboard.block"
    template_name = "heatmap/block_dashboard.html"
    section = "block"

    def get_context_data(self, **kwargs):
        blocks = self.allowed_blocks or []
        form = DashboardForm(self.request.GET or None, blocks=blocks)
        since, until = form.period_bounds()
        chosen = form.value("block")
        shown = [b for b in blocks if chosen is None or b.pk == chosen.pk]
        scope = Scope(blocks=tuple(b.pk for b in shown))
        q = HeatQuery(since, until, sector_id=chosen.pk if chosen else None)
        problems = selectors.problem_points_visible_to(self.request.user).filter(sector_block_id__in=scope.blocks)
        board = dashboards.block_dashboard(scope, q, shown, problems)
        starts, series, size = board.trend
        return super().get_context_data(form=form, board=board, query=q,
                                        trend_figure=charts.trend_figure(starts, series, granularity=size),
                                        region_url=reports.appeals_url(q, sector_code=chosen.code if chosen else None),
                                        **kwargs)  # fmt: skip


class RegionDashboardView(ScopedPage):
    """The curator's and the executive's dashboard: every block side by side and what needs a decision."""

    capability = "dashboard.region"
    template_name = "heatmap/region_dashboard.html"
    section = "region"

    def get_context_data(self, **kwargs):
        form = DashboardForm(self.request.GET or None)
        since, until = form.period_bounds()
        q = HeatQuery(since, until)
        board = dashboards.region_dashboard(self.scope, q, selectors.problem_points_visible_to(self.request.user))
        starts, series, size = board.trend
        names = [f.block.name for f in board.figures]
        return super().get_context_data(
            form=form, board=board, query=q,
            trend_figure=charts.trend_figure(starts, series, granularity=size),
            blocks_figure=charts.blocks_figure(names, [f.counts["received"] for f in board.figures],
                                               [f.shares["overdue"] for f in board.figures]),
            per_1000=metrics.formatted("per_1000", metrics.value("per_1000", board.total.counts,
                                                                   population=board.population)),
            block_urls={f.block.pk: reports.appeals_url(q, sector_code=f.block.code) for f in board.figures},
            **kwargs,
        )  # fmt: skip
