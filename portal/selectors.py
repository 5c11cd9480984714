"""Reads of the portal, scoped by role: block roles see their blocks; the curator, the executive and the
administrator everything; other staff and the competence center only approved material."""

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.functions import TruncMonth

from appeals.models import Appeal
from appeals.selectors import territory_and_descendants
from cur.roles import BLOCK_ROLES, Role, can
from ratings.periods import MOSCOW, bounds

from . import figures as fig
from .models import BestPractice, Indicator, IndicatorValue, Report, ReportVersion, Roadmap, RoadmapMeasure, Training

REGION_ROLES = frozenset({Role.ADMIN, Role.CURATOR, Role.EXECUTIVE})


def _block_ids(user) -> list[int]:
    return [b.pk for b in user.sector_blocks.all()]


# --- reports ------------------------------------------------------------------------------------------


def reports_visible_to(user) -> QuerySet[Report]:
    """Reports a user may open: all (region roles), their blocks' and approved summaries (block roles),
    approved ones (other staff, the competence center)."""
    qs = Report.objects.select_related("sector_block", "created_by", "approved_by")
    if not can(user, "portal.view"):
        return qs.none()
    if user.role in REGION_ROLES:
        return qs
    approved = Q(status=Report.Status.APPROVED)
    if user.role in BLOCK_ROLES:
        return qs.filter(Q(sector_block__in=_block_ids(user)) | (approved & Q(sector_block=None)))
    return qs.filter(approved)


def report_for(user, pk: int) -> Report:
    return reports_visible_to(user).get(pk=pk)


def report_versions(report: Report) -> list[ReportVersion]:
    return list(report.versions.select_related("submitted_by", "decided_by").order_by("number"))


def report_figures(report: Report) -> dict:
    """The frozen figures of an approved report; the live ones of any other."""
    if report.status == Report.Status.APPROVED and report.figures is not None:
        return report.figures
    blocks = None if report.is_summary else [report.sector_block_id]
    return fig.period_figures(blocks, report.period_start, report.period_end)


def may_write_report(user, report: Report) -> bool:
    """Whether the user may edit and submit this report (its block's people, the executive)."""
    if not can(user, "portal.reports.write"):
        return False
    if user.role == Role.EXECUTIVE:
        return True
    return not report.is_summary and report.sector_block_id in _block_ids(user)


@dataclass
class SectionDiff:
    code: str
    label: str
    changed: bool
    lines: list[tuple[str, str]]  # ("+"/"-"/" ", text)


def version_diff(old: ReportVersion | None, new: ReportVersion) -> dict:
    """What changed from one submission to the next: the sections (line by line) and the totals."""
    import difflib

    from .models import NARRATIVE_SECTIONS

    before_text = old.narrative if old else {}
    sections = []
    for code, label in NARRATIVE_SECTIONS:
        a, b = (before_text.get(code) or "").splitlines(), (new.narrative.get(code) or "").splitlines()
        lines = [(line[0], line[2:]) for line in difflib.ndiff(a, b) if line[:1] in "+- "]
        sections.append(SectionDiff(code, label, a != b, lines))
    totals_before = (old.figures or {}).get("totals", {}) if old else {}
    totals_after = new.figures.get("totals", {})
    figures = [
        (label, fig.fmt(totals_before.get(code)), fig.fmt(totals_after.get(code)))
        for code, label in fig.COUNT_LABELS
        if totals_before.get(code) != totals_after.get(code)
    ]
    return {"sections": sections, "figures": figures, "old": old, "new": new}


# --- indicators ---------------------------------------------------------------------------------------


def indicators_visible_to(user) -> QuerySet[Indicator]:
    """Approved indicators (a block role: region-wide and its blocks'); proposals to the curator, the
    executive, the administrator and whoever proposed them."""
    qs = Indicator.objects.select_related("sector_block", "proposed_by", "decided_by")
    if not can(user, "portal.view"):
        return qs.none()
    approved = Q(status=Indicator.Status.APPROVED)
    if user.role in REGION_ROLES:
        return qs
    if user.role in BLOCK_ROLES:
        return qs.filter(
            (approved | Q(proposed_by=user)) & (Q(sector_block=None) | Q(sector_block__in=_block_ids(user)))
        )
    if user.role == Role.COMPETENCE_CENTER:
        return qs.filter(approved)
    return qs.filter(approved | Q(proposed_by=user))


@dataclass
class DashboardRow:
    indicator: Indicator
    target: Decimal | None
    actual: float | None
    light: str  # green / yellow / red / grey

    @property
    def light_label(self) -> str:
        return {"green": "достигнут", "yellow": "близко к цели", "red": "не достигнут"}.get(self.light, "нет данных")


def traffic_light(indicator: Indicator, target, actual) -> str:
    """Green: the target is met; yellow: within 10 % of it; red: further; grey: no target or no actual."""
    if target is None or actual is None:
        return "grey"
    target, actual = float(target), float(actual)
    if indicator.direction == Indicator.Direction.LOWER:
        return "green" if actual <= target else "yellow" if actual <= target * 1.1 else "red"
    return "green" if actual >= target else "yellow" if actual >= target * 0.9 else "red"


def computed_actuals(start: datetime.date, end: datetime.date) -> dict[int | None, dict]:
    """The totals of the period for the region (key None) and per block: two aggregate queries."""
    qs = fig._appeals(None, start, end)
    result = {None: fig._totals(qs)}
    result.update(fig.totals_by_block(qs))
    return result


def indicator_dashboard(user, period_kind: str, start: datetime.date, end: datetime.date) -> list[DashboardRow]:
    """Approved indicators the user sees with target, actual (computed or entered) and traffic light."""
    values = IndicatorValue.objects.filter(period_kind=period_kind, period_start=start)
    indicators = list(
        indicators_visible_to(user)
        .filter(status=Indicator.Status.APPROVED)
        .prefetch_related(Prefetch("values", queryset=values, to_attr="period_values"))
    )
    actuals = computed_actuals(start, end) if any(i.is_computed for i in indicators) else {}
    rows = []
    for indicator in indicators:
        value = indicator.period_values[0] if indicator.period_values else None
        target = value.target if value else None
        if indicator.is_computed:
            actual = actuals.get(indicator.sector_block_id, {}).get(indicator.source)
        else:
            actual = float(value.actual) if value and value.actual is not None else None
        rows.append(DashboardRow(indicator, target, actual, traffic_light(indicator, target, actual)))
    return rows


# --- roadmaps -----------------------------------------------------------------------------------------


def roadmaps_visible_to(user) -> QuerySet[Roadmap]:
    qs = Roadmap.objects.select_related("topic", "territory", "sector_block", "created_by", "approved_by")
    if not can(user, "portal.view"):
        return qs.none()
    if user.role in REGION_ROLES:
        return qs
    if user.role in BLOCK_ROLES:
        return qs.filter(sector_block__in=_block_ids(user))
    return qs.filter(status__in=[Roadmap.Status.APPROVED, Roadmap.Status.COMPLETED])


def roadmap_for(user, pk: int) -> Roadmap:
    return roadmaps_visible_to(user).get(pk=pk)


def may_write_roadmap(user, roadmap: Roadmap) -> bool:
    if not can(user, "portal.roadmaps.write"):
        return False
    return user.role not in BLOCK_ROLES or roadmap.sector_block_id in _block_ids(user)


def roadmap_measures(roadmap: Roadmap) -> list[RoadmapMeasure]:
    return list(roadmap.measures.select_related("responsible", "responsible__organisation").order_by("due_date", "id"))


def is_overdue(measure: RoadmapMeasure, today: datetime.date) -> bool:
    return measure.status in RoadmapMeasure.OPEN and measure.due_date < today


def _month_add(day: datetime.date, months: int) -> datetime.date:
    index = day.year * 12 + day.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def roadmap_effect(roadmap: Roadmap, *, today: datetime.date, months: int = 6) -> dict:
    """Appeals on the roadmap's topic × territory (and the places inside it), per month: `months` full
    months before it started, and from its start month to today; the monthly averages and their change."""
    first_after = roadmap.starts_on.replace(day=1)
    since = _month_add(first_after, -months)
    until = max(today, first_after)
    begin, cutoff = bounds(since, until)
    rows = (
        Appeal.objects.filter(
            topic_id=roadmap.topic_id,
            territory_id__in=territory_and_descendants(roadmap.territory),
            registered_at__gte=begin,
            registered_at__lt=cutoff,
        )
        .annotate(month=TruncMonth("registered_at", tzinfo=MOSCOW))
        .values("month")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {r["month"].date() if isinstance(r["month"], datetime.datetime) else r["month"]: r["n"] for r in rows}
    months_all, day = [], since
    while day <= until:
        months_all.append(day)
        day = _month_add(day, 1)
    before = [(m, counts.get(m, 0)) for m in months_all if m < first_after]
    after = [(m, counts.get(m, 0)) for m in months_all if m >= first_after]
    before_avg = sum(n for _, n in before) / len(before) if before else 0.0
    after_avg = sum(n for _, n in after) / len(after) if after else 0.0
    change = round(100 * (after_avg - before_avg) / before_avg, 1) if before_avg else None
    return {
        "before": before,
        "after": after,
        "before_avg": round(before_avg, 2),
        "after_avg": round(after_avg, 2),
        "change_pct": change,
    }


# --- registries ---------------------------------------------------------------------------------------


def best_practices(*, status: str = "", block: int | None = None) -> QuerySet[BestPractice]:
    qs = BestPractice.objects.select_related("organisation", "sector_block", "created_by")
    if status:
        qs = qs.filter(status=status)
    if block:
        qs = qs.filter(sector_block_id=block)
    return qs


def trainings() -> QuerySet[Training]:
    return Training.objects.select_related("created_by").prefetch_related("organisations", "participants")
