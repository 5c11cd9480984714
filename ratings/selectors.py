"""Reads of ratings: runs, the rating table with the change against the previous period, a subject's
history, the methodology versions, and the appeals behind a number (scoped by `appeals_visible_to`).

Rating tables are not personal data and are the same for every staff role; the appeals behind them
are filtered by the user's scope like every appeal list.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Prefetch, QuerySet

from appeals.models import Appeal
from appeals.selectors import appeals_visible_to, with_list_relations
from sectors.models import ResponsiblePerson

from . import compute, indicators
from .models import Level, RatingEntry, RatingIndicator, RatingMethodology, RatingRun

DONE = RatingRun.Status.DONE


# --- methodology ----------------------------------------------------------------------------------


def methodologies() -> QuerySet[RatingMethodology]:
    """Every version, newest first, with its indicators."""
    return RatingMethodology.objects.select_related("created_by", "approved_by", "based_on").prefetch_related(
        Prefetch("indicators", queryset=RatingIndicator.objects.order_by("position", "pk"))
    )


def approved_methodologies() -> QuerySet[RatingMethodology]:
    return methodologies().filter(status=RatingMethodology.Status.APPROVED)


def methodology_to_show() -> RatingMethodology | None:
    """The methodology page's default: the current approved version (a draft only if none is approved)."""
    return approved_methodologies().first() or methodologies().first()


def draft_methodology() -> RatingMethodology | None:
    return methodologies().filter(status=RatingMethodology.Status.DRAFT).first()


# --- runs -------------------------------------------------------------------------------------------


def runs(*, level: str | None = None, period_kind: str | None = None, done_only: bool = False) -> QuerySet[RatingRun]:
    qs = RatingRun.objects.select_related("methodology", "created_by")
    if level:
        qs = qs.filter(level=level)
    if period_kind:
        qs = qs.filter(period_kind=period_kind)
    if done_only:
        qs = qs.filter(status=DONE)
    return qs.order_by("-period_start", "-period_end", "-computed_at", "-pk")


def newest_run(level: str) -> RatingRun | None:
    """The newest computed run of a level: the latest period, the latest computation of it."""
    return runs(level=level, done_only=True).first()


def newest_runs(*, top: int = 5) -> list[tuple[str, str, RatingRun | None, list[RatingEntry]]]:
    """(level, its label, its newest run, that run's top entries) for every level."""
    result = []
    for level, label in Level.choices:
        run = newest_run(level)
        leaders = list(run.entries.filter(rank__isnull=False).order_by("rank", "subject_name")[:top]) if run else []
        result.append((level, label, run, leaders))
    return result


def previous_run(run: RatingRun) -> RatingRun | None:
    """The run of the same level and kind of period for the period just before (its newest computation)."""
    return (
        runs(level=run.level, period_kind=run.period_kind, done_only=True)
        .filter(period_end__lt=run.period_start)
        .first()
    )


# --- the table ----------------------------------------------------------------------------------------


@dataclass
class Row:
    entry: RatingEntry
    previous: RatingEntry | None

    @property
    def rank_change(self) -> int | None:
        """Places gained (positive: moved up ▲) since the previous period."""
        if self.previous is None or self.previous.rank is None or self.entry.rank is None:
            return None
        return self.previous.rank - self.entry.rank

    @property
    def rank_fall(self) -> int | None:
        """Places lost (for «▼ n»)."""
        change = self.rank_change
        return -change if change is not None and change < 0 else None

    @property
    def score_change(self) -> Decimal | None:
        if self.previous is None or self.previous.score is None or self.entry.score is None:
            return None
        return self.entry.score - self.previous.score

    def value(self, code: str):
        return self.entry.values.get(code, {}).get("value")


SORT_KEYS = ("rank", "name", "score", *indicators.CODES)


def _by_name(row: Row) -> tuple:
    return (row.entry.subject_name.lower(), row.entry.subject_id)


def sort_rows(rows: list[Row], sort: str) -> list[Row]:
    """Order by «rank», «name», «score» or an indicator code; «-» in front reverses. Rows without the
    value (unranked: «недостаточно данных») come last whichever the direction."""
    descending, key = sort.startswith("-"), sort.lstrip("-")
    if key not in SORT_KEYS:
        key, descending = "rank", False
    if key == "name":
        return sorted(rows, key=_by_name, reverse=descending)
    if key in ("rank", "score"):

        def measure(row):
            return row.entry.rank

        descending = descending if key == "rank" else not descending  # a higher score is a smaller rank
    else:

        def measure(row):
            return row.value(key)

    present = sorted((r for r in rows if measure(r) is not None), key=_by_name)
    present.sort(key=measure, reverse=descending)  # stable: equal values stay alphabetical
    return present + sorted((r for r in rows if measure(r) is None), key=_by_name)


def filter_rows(rows: list[Row], *, sector: str = "", territory: int | None = None, kind: str = "") -> list[Row]:
    def keep(row: Row) -> bool:
        attrs = row.entry.subject_attrs
        if sector and sector not in attrs.get("sectors", []):
            return False
        if territory and attrs.get("territory_id") != territory:
            return False
        return not kind or attrs.get("kind") == kind

    return [row for row in rows if keep(row)]


def table_rows(run: RatingRun) -> tuple[list[Row], RatingRun | None]:
    """Every entry of a run with the same subject's entry of the previous period (two queries)."""
    previous = previous_run(run)
    before = (
        {e.subject_id: e for e in previous.entries.only("run_id", "subject_id", "rank", "score")} if previous else {}
    )
    rows = [Row(entry, before.get(entry.subject_id)) for entry in run.entries.order_by("rank", "subject_name")]
    return rows, previous


def filter_choices(rows: list[Row]) -> dict[str, list[tuple]]:
    """The filter options present in a run's entries: blocks, municipalities, kinds."""
    sectors, territories, kinds = set(), {}, {}
    for row in rows:
        attrs = row.entry.subject_attrs
        sectors.update(attrs.get("sectors", []))
        if attrs.get("territory_id") and attrs.get("territory_name"):
            territories[attrs["territory_id"]] = attrs["territory_name"]
        if attrs.get("kind"):
            kinds[attrs["kind"]] = attrs.get("kind_name", attrs["kind"])
    return {
        "sector": sorted(sectors),
        "territory": sorted(territories.items(), key=lambda item: item[1]),
        "kind": sorted(kinds.items(), key=lambda item: item[1]),
    }


# --- a subject ----------------------------------------------------------------------------------------


def entry_of(run: RatingRun, subject_id: int) -> RatingEntry:
    """RatingEntry.DoesNotExist when the subject is not in the run (the caller makes it a 404)."""
    return run.entries.get(subject_id=subject_id)


@dataclass(frozen=True)
class HistoryPoint:
    run_id: int
    label: str
    period_start: object
    rank: int | None
    score: float | None
    ranked_count: int


def subject_history(run: RatingRun, subject_id: int, *, limit: int = 36) -> list[HistoryPoint]:
    """The subject's place and score in every period of the run's level and kind of period, oldest first
    (the newest computation of each period)."""
    entries = (
        RatingEntry.objects.filter(
            subject_id=subject_id, run__level=run.level, run__period_kind=run.period_kind, run__status=DONE
        )
        .select_related("run")
        .order_by("-run__period_start", "-run__period_end", "-run__computed_at", "-run_id")
    )
    points, seen = [], set()
    for entry in entries:
        period = (entry.run.period_start, entry.run.period_end)
        if period in seen:
            continue
        seen.add(period)
        score = float(entry.score) if entry.score is not None else None
        points.append(HistoryPoint(entry.run_id, entry.run.period_label, entry.run.period_start, entry.rank, score,
                                   entry.run.ranked_count))  # fmt: skip
        if len(points) == limit:
            break
    return points[::-1]


def current_block_holders(block_id: int) -> list[ResponsiblePerson]:
    """Who holds the block's posts now (ответственный за блок, руководитель блока)."""
    return list(
        ResponsiblePerson.objects.filter(
            sector_block_id=block_id, role__in=ResponsiblePerson.BLOCK_ROLES, until__isnull=True
        ).order_by("role", "last_name")
    )


# --- drill-down -----------------------------------------------------------------------------------------


def appeals_behind(user, run: RatingRun, entry: RatingEntry, code: str, part: str) -> QuerySet[Appeal]:
    """The appeals counted in a number of the entry, among those the user may see."""
    predicates = compute.Predicates.for_period(run.period_start, run.period_end)
    qs = with_list_relations(appeals_visible_to(user))
    qs = compute.appeals_behind(qs, level=run.level, p=predicates, code=code, part=part, subject_id=entry.subject_id)
    return qs.order_by("-registered_at", "-pk")


def counted_in(entry: RatingEntry, code: str, part: str) -> int | None:
    """How many appeals the run counted in that number (whatever the user's scope)."""
    return entry.values.get(code, {}).get(part)
