"""Reads of the heat map. They read the rollup (`HeatCell`, `HeatMonth`), never the appeals table, and
return plain data: dicts keyed by dimension values, with the counters summed.

A period is split into whole months, read from `HeatMonth` (a few rows per territory and block a month),
and the days at its edges, read from `HeatCell`; a filter by topic or an executor's scope needs the
columns only `HeatCell` has, so those read `HeatCell` alone.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db.models import Q, QuerySet, Sum
from django.db.models.functions import TruncMonth, TruncWeek

from appeals.models import Topic
from sectors.models import SectorBlock, Territory

from .models import COUNTERS, HeatCell, HeatMonth, PollResult, ProblemPoint
from .scope import Scope, scope_for

DIMENSIONS = {"territory": "territory_id", "sector": "sector_block_id", "channel": "channel", "topic": "topic_id",
              "organisation": "organisation_id"}  # fmt: skip
MONTH_DIMENSIONS = frozenset({"territory", "sector", "channel"})


def zero() -> dict[str, int]:
    return dict.fromkeys(COUNTERS, 0)


@dataclass(frozen=True)
class HeatQuery:
    """A period (inclusive days) and the optional filters of every heat map read."""

    since: datetime.date
    until: datetime.date
    sector_id: int | None = None
    topic_id: int | None = None
    channel: str | None = None
    territory_ids: tuple[int, ...] | None = None  # one municipality and its settlements

    @property
    def days(self) -> int:
        return (self.until - self.since).days + 1

    def previous(self) -> "HeatQuery":
        """The period of the same length just before this one (for growth)."""
        until = self.since - datetime.timedelta(days=1)
        return replace(self, since=until - datetime.timedelta(days=self.days - 1), until=until)

    def condition(self) -> Q:
        condition = Q()
        if self.sector_id:
            condition &= Q(sector_block_id=self.sector_id)
        if self.topic_id:
            condition &= Q(topic_id=self.topic_id)
        if self.channel:
            condition &= Q(channel=self.channel)
        if self.territory_ids is not None:
            condition &= Q(territory_id__in=self.territory_ids)
        return condition


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def split_period(since: datetime.date, until: datetime.date):
    """(day ranges for HeatCell, (first month, last month) for HeatMonth or None): whole months in the
    middle, the days before and after them at the edges."""
    first = since if since.day == 1 else _next_month(since)
    last = until.replace(day=1)
    if _next_month(until) - datetime.timedelta(days=1) != until:
        last = (last - datetime.timedelta(days=1)).replace(day=1)  # until is not a month's last day
    if first > last:
        return [(since, until)], None
    edges = []
    if since < first:
        edges.append((since, first - datetime.timedelta(days=1)))
    if _next_month(last) <= until:
        edges.append((_next_month(last), until))
    return edges, (first, last)


def _sums(qs: QuerySet, keys: list[str], counters: Iterable[str]) -> QuerySet:
    return qs.values(*keys).annotate(**{f"s_{c}": Sum(c) for c in counters}).order_by()


def aggregate(scope: Scope, q: HeatQuery, dims: tuple[str, ...] = (), *, bucket: str | None = None,
              counters: Iterable[str] = COUNTERS) -> dict[tuple, dict[str, int]]:  # fmt: skip
    """Counters summed over the period by `dims` (and a time `bucket`: day, week or month first):
    {(bucket?, *dim values): {counter: n}}. One query per table read (one or two)."""
    counters = tuple(counters)
    result: dict[tuple, dict[str, int]] = defaultdict(zero)
    if scope.nothing:
        return result
    keys = [DIMENSIONS[d] for d in dims]
    use_months = scope.reads_months and not q.topic_id and set(dims) <= MONTH_DIMENSIONS and bucket in (None, "month")
    ranges, months = split_period(q.since, q.until) if use_months else ([(q.since, q.until)], None)
    if ranges:
        days = Q()
        for lo, hi in ranges:
            days |= Q(day__gte=lo, day__lte=hi)
        qs = scope.cells(HeatCell.objects.filter(days).filter(q.condition()))
        fine_keys = keys
        if bucket == "day":
            fine_keys = ["day", *keys]
        elif bucket in ("week", "month"):
            qs = qs.annotate(bucket=(TruncWeek if bucket == "week" else TruncMonth)("day"))
            fine_keys = ["bucket", *keys]
        for row in _sums(qs, fine_keys, counters):
            _add(result, tuple(row[k] for k in fine_keys), row, counters)
    if months:
        qs = scope.cells(HeatMonth.objects.filter(month__gte=months[0], month__lte=months[1]).filter(q.condition()))
        month_keys = ["month", *keys] if bucket == "month" else keys
        for row in _sums(qs, month_keys, counters):
            _add(result, tuple(row[k] for k in month_keys), row, counters)
    return result


def _add(result: dict, key: tuple, row: dict, counters: tuple[str, ...]) -> None:
    target = result[tuple(_as_date(v) for v in key)]
    for c in counters:
        target[c] += row[f"s_{c}"] or 0


def _as_date(value):
    return value.date() if isinstance(value, datetime.datetime) else value


def with_previous(scope: Scope, q: HeatQuery, dims: tuple[str, ...], counters: Iterable[str]) -> dict[tuple, dict]:
    """The period's counters and the previous period's «received» (key «previous») by `dims`, from one scan
    of HeatCell over both periods: what the priorities compare."""
    result: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys((*counters, "previous"), 0))
    if scope.nothing:
        return result
    before = q.previous()
    keys = [DIMENSIONS[d] for d in dims]
    now = Q(day__gte=q.since)
    sums = {f"s_{c}": Sum(c, filter=now) for c in counters}
    sums["s_previous"] = Sum("received", filter=Q(day__lt=q.since))
    qs = scope.cells(HeatCell.objects.filter(day__gte=before.since, day__lte=q.until).filter(q.condition()))
    for row in qs.values(*keys).annotate(**sums).order_by():
        target = result[tuple(row[k] for k in keys)]
        for name in (*counters, "previous"):
            target[name] += row[f"s_{name}"] or 0
    return result


def heat_cells(user, *, since: datetime.date, until: datetime.date, by: tuple[str, ...] = ("territory",),
               sector_id=None, topic_id=None, channel=None) -> dict[tuple, dict[str, int]]:  # fmt: skip
    """The user's heat map cells for a period, summed by `by` (territory, sector, channel, topic, organisation)."""
    q = HeatQuery(since, until, sector_id=sector_id, topic_id=topic_id, channel=channel)
    return aggregate(scope_for(user), q, by)


# --- the directory the pages need --------------------------------------------------------------


@dataclass
class Place:
    id: int
    name: str
    kind: str
    oktmo: str
    population: int | None


@dataclass
class Places:
    """The region, its municipalities (the map's areas) and which municipality each territory belongs to."""

    region: Place | None
    municipal: list[Place] = field(default_factory=list)
    municipal_of: dict[int, int] = field(default_factory=dict)  # any territory id → its municipality's id

    def fold(self, rows: dict[tuple, dict[str, int]], position: int = 0) -> dict[tuple, dict[str, int]]:
        """Rows keyed by territory (at `position` of the key) regrouped by municipality; a row of the region
        itself or of no territory is keyed None («вся область / не указана»)."""
        folded: dict[tuple, dict[str, int]] = {}
        for key, counts in rows.items():
            territory = key[position]
            new_key = (*key[:position], self.municipal_of.get(territory), *key[position + 1 :])
            target = folded.setdefault(new_key, dict.fromkeys(counts, 0))
            for name, value in counts.items():
                target[name] = target.get(name, 0) + value
        return folded

    def by_id(self) -> dict[int, Place]:
        return {p.id: p for p in self.municipal}


def places() -> Places:
    """The region's territories in one query; settlements are folded into their district or okrug."""
    fields = ("id", "name", "kind", "oktmo", "population", "parent_id")
    rows = list(Territory.objects.filter(is_active=True).values(*fields))
    parent = {r["id"]: r["parent_id"] for r in rows}
    kind = {r["id"]: r["kind"] for r in rows}
    region = next((r for r in rows if r["kind"] == Territory.Kind.REGION), None)
    municipal = [r for r in rows if r["kind"] in Territory.MUNICIPAL_KINDS]
    # City okrugs last: their polygons lie inside the districts around them and must be drawn on top.
    municipal.sort(key=lambda r: (r["kind"] == Territory.Kind.CITY_OKRUG, r["name"]))
    municipal_of = {}
    for r in rows:
        node, steps = r["id"], 0
        while node is not None and kind.get(node) not in Territory.MUNICIPAL_KINDS and steps < 5:
            node, steps = parent.get(node), steps + 1
        if node is not None and kind.get(node) in Territory.MUNICIPAL_KINDS:
            municipal_of[r["id"]] = node

    def place(r: dict) -> Place:
        return Place(r["id"], r["name"], r["kind"], r["oktmo"], r["population"])

    return Places(region=place(region) if region else None, municipal=[place(r) for r in municipal],
                  municipal_of=municipal_of)  # fmt: skip


def sector_blocks() -> list[SectorBlock]:
    return list(SectorBlock.objects.filter(is_active=True).order_by("position", "name"))


def topics_of(block_ids: Iterable[int] | None = None) -> QuerySet[Topic]:
    qs = Topic.objects.filter(is_active=True).only("id", "code", "name", "sector_block_id").order_by("name")
    return qs if block_ids is None else qs.filter(sector_block_id__in=list(block_ids))


# --- problem points and poll results ---------------------------------------------------------------


def problem_points_visible_to(user) -> QuerySet[ProblemPoint]:
    """Problem points of the user's territories and blocks, with what the list shows."""
    qs = ProblemPoint.objects.select_related("territory", "topic", "sector_block", "confirmed_by", "status_changed_by")
    return scope_for(user).pairs(qs)


def regional_problems(user) -> QuerySet[ProblemPoint]:
    """«Перечень региональных проблем»: confirmed points and those taken into a roadmap."""
    return (
        problem_points_visible_to(user)
        .filter(status__in=ProblemPoint.LISTED_STATUSES)
        .order_by("territory__name", "topic__name", "id")
    )


def poll_results_visible_to(user) -> QuerySet[PollResult]:
    return scope_for(user).pairs(PollResult.objects.select_related("territory", "topic"))


def poll_results_by_pair(user, pairs: Iterable[tuple[int, int]]) -> dict[tuple[int, int], list[PollResult]]:
    """Poll results of these (territory, topic) pairs, newest first, in one query."""
    pairs = list(pairs)
    if not pairs:
        return {}
    condition = Q()
    for territory, topic in pairs:
        condition |= Q(territory_id=territory, topic_id=topic)
    found: dict[tuple[int, int], list[PollResult]] = defaultdict(list)
    for result in poll_results_visible_to(user).filter(condition).order_by("-held_on", "-id"):
        found[(result.territory_id, result.topic_id)].append(result)
    return found


def weekly_series(until: datetime.date, weeks: int) -> dict[tuple[int | None, int], list[int]]:
    """Received appeals per (municipality, topic) in `weeks` consecutive 7-day windows ending on `until`
    (the oldest first), for the whole region: the input of problem point detection."""
    since = until - datetime.timedelta(days=7 * weeks - 1)
    rows = aggregate(Scope(everything=True), HeatQuery(since, until), ("territory", "topic"), bucket="day",
                     counters=("received",))  # fmt: skip
    directory = places()
    series: dict[tuple[int | None, int], list[int]] = defaultdict(lambda: [0] * weeks)
    for (day, territory, topic), counts in rows.items():
        if topic is None or not counts["received"]:
            continue
        window = weeks - 1 - (until - day).days // 7
        series[(directory.municipal_of.get(territory), topic)][window] += counts["received"]
    return series
