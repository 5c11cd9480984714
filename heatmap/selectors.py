"""Reads of the heat map. They read the rollup, never the appeals table, and return plain data: dicts keyed by
dimension values, with the counters summed.

Each read takes the smallest level of the rollup that has every column it groups or filters by
(`FAMILIES`: territory × block, + channel and executor, + topic and executor, every dimension). A period is
read from the level's month table for whole months and from its day table for the rest; at each end of the period the
cheaper of «the days inside the period» and «the whole month less the days outside it» is read (days after
today cost nothing), so a period of any length reads at most about a fortnight of days at each past end.
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from django.db import connection
from django.db.models import Case, F, Q, QuerySet, Sum, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import TruncMonth, TruncWeek
from django.utils import timezone

from appeals.models import Topic
from sectors.models import SectorBlock, Territory

from .models import (
    COUNTERS,
    HeatAreaDay,
    HeatAreaMonth,
    HeatCellMonth,
    HeatDay,
    HeatFootprintDay,
    HeatMonth,
    HeatTopicDay,
    HeatTopicMonth,
    PollResult,
    ProblemPoint,
)
from .scope import Scope, scope_for

DIMENSIONS = {"territory": "territory_id", "sector": "sector_block_id", "channel": "channel", "topic": "topic_id",
              "organisation": "organisation_id"}  # fmt: skip


@dataclass(frozen=True)
class Family:
    """A level of the rollup: its day table, its month table (none for the cells) and their columns."""

    days: type
    months: type | None
    columns: frozenset[str]


FAMILIES = (  # the smallest first
    Family(HeatAreaDay, HeatAreaMonth, frozenset({"territory_id", "sector_block_id"})),
    Family(HeatDay, HeatMonth, frozenset({"territory_id", "sector_block_id", "channel", "organisation_id"})),
    Family(HeatTopicDay, HeatTopicMonth, frozenset({"territory_id", "sector_block_id", "topic_id", "organisation_id"})),
    Family(HeatFootprintDay, HeatCellMonth, frozenset(DIMENSIONS.values())),
)


def family_for(columns: set[str]) -> Family:
    return next(f for f in FAMILIES if columns <= f.columns)


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

    @property
    def columns(self) -> set[str]:
        """The rollup columns the filters need."""
        wanted = {"sector_block_id": self.sector_id, "topic_id": self.topic_id, "channel": self.channel}
        columns = {column for column, value in wanted.items() if value}
        return columns | ({"territory_id"} if self.territory_ids is not None else set())


def _next_month(day: datetime.date) -> datetime.date:
    return (day.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)


def _month_end(day: datetime.date) -> datetime.date:
    return _next_month(day) - datetime.timedelta(days=1)


@dataclass
class Plan:
    """How a period is read: whole months (first, last) from the month table, day ranges added and day ranges
    subtracted (days of those whole months that lie outside the period)."""

    months: tuple[datetime.date, datetime.date] | None
    add: list[tuple[datetime.date, datetime.date]]
    subtract: list[tuple[datetime.date, datetime.date]]


def plan_period(since: datetime.date, until: datetime.date, today: datetime.date) -> Plan:
    """The cheapest reading of since…until: days cost one each (none after today, nothing is there), a month one."""
    one = datetime.timedelta(days=1)

    def cost(lo: datetime.date, hi: datetime.date) -> int:
        return max(0, (min(hi, today) - lo).days + 1)

    first, last = since.replace(day=1), until.replace(day=1)
    if first == last:
        outside = [r for r in ((first, since - one), (until + one, _month_end(until))) if r[0] <= r[1]]
        if cost(since, until) <= 1 + sum(cost(*r) for r in outside):
            return Plan(None, [(since, until)], [])
        return Plan((first, first), [], outside)
    plan = Plan((first, last), [], [])
    if since != first:
        if cost(since, _month_end(since)) <= 1 + cost(first, since - one):
            plan.add.append((since, _month_end(since)))
            plan.months = (_next_month(first), last)
        else:
            plan.subtract.append((first, since - one))
    if until != _month_end(until):
        if cost(last, until) <= 1 + cost(until + one, _month_end(until)):
            plan.add.append((last, until))
            plan.months = (plan.months[0], (last - one).replace(day=1))
        else:
            plan.subtract.append((until + one, _month_end(until)))
    if plan.months[0] > plan.months[1]:
        plan.months = None
    return plan


def _fetch(qs: QuerySet) -> tuple[list[str], list[tuple]]:
    """(column names, rows) of a values() queryset, read as tuples: a page sums thousands of rows, and model
    row handling took most of its time."""
    if connection.vendor != "postgresql":  # the embedded SQLite default: Django converts its dates
        dicts = list(qs)
        return (list(dicts[0]) if dicts else []), [tuple(d.values()) for d in dicts]
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [column.name for column in cursor.description], cursor.fetchall()


def _summed(reads: list[tuple[QuerySet, list[str]]], counters: tuple[str, ...]):
    """(key, counter sums) rows of the reads (values() querysets with s_<counter> sums). Each read is its own
    query: summed in one UNION ALL query, the planner chose parallel workers, whose start cost more than the
    whole read (measured 75 against 2 × 6 ms)."""
    for qs, keys in reads:
        names, rows = _fetch(qs)
        if not rows:
            continue
        width, sums = len(keys), [f"s_{c}" for c in counters]
        if names == [*keys, *sums]:
            yield from ((row[:width], row[width:]) for row in rows)
        else:
            key_at, sum_at = [names.index(k) for k in keys], [names.index(s) for s in sums]
            yield from ((tuple(row[i] for i in key_at), [row[i] for i in sum_at]) for row in rows)


def _within(ranges: list[tuple[datetime.date, datetime.date]]) -> Q:
    condition = Q()
    for lo, hi in ranges:
        condition |= Q(day__gte=lo, day__lte=hi)
    return condition


def aggregate(scope: Scope, q: HeatQuery, dims: tuple[str, ...] = (), *, bucket: str | None = None,
              counters: Iterable[str] = COUNTERS) -> dict[tuple, dict[str, int]]:  # fmt: skip
    """Counters summed over the period by `dims` (and a time `bucket`: day, week or month first):
    {(bucket?, *dim values): {counter: n}}; keys whose counters are all zero are left out. One query per
    table read (one or two)."""
    counters = tuple(counters)
    result: dict[tuple, list[int]] = {}
    if scope.nothing:
        return defaultdict(zero)
    keys = [DIMENSIONS[d] for d in dims]
    family = family_for(set(keys) | q.columns | scope.columns)
    if family.months is None or bucket in ("day", "week"):
        plan = Plan(None, [(q.since, q.until)], [])
    else:
        plan = plan_period(q.since, q.until, timezone.localdate())
    reads = []
    if plan.add or plan.subtract:
        qs = scope.cells(family.days.objects.filter(_within(plan.add + plan.subtract)).filter(q.condition()))
        fine_keys = keys
        if bucket == "day":
            fine_keys = ["day", *keys]
        elif bucket in ("week", "month"):
            qs = qs.annotate(bucket=(TruncWeek if bucket == "week" else TruncMonth)("day"))
            fine_keys = ["bucket", *keys]
        if plan.subtract:  # the days of whole months read that lie outside the period count negative
            sign = Case(When(_within(plan.subtract), then=Value(-1)), default=Value(1))
            sums = {f"s_{c}": Sum(F(c) * sign) for c in counters}
        else:
            sums = {f"s_{c}": Sum(c) for c in counters}
        reads.append((qs.values(*fine_keys).annotate(**sums).order_by(), fine_keys))
    if plan.months:
        months = family.months.objects.filter(month__gte=plan.months[0], month__lte=plan.months[1])
        month_keys = ["month", *keys] if bucket == "month" else keys
        qs = scope.cells(months.filter(q.condition())).values(*month_keys)
        reads.append((qs.annotate(**{f"s_{c}": Sum(c) for c in counters}).order_by(), month_keys))
    for key, values in _summed(reads, counters):
        if bucket:
            key = (_as_date(key[0]), *key[1:])
        target = result.get(key)
        result[key] = list(values) if target is None else [a + (b or 0) for a, b in zip(target, values, strict=True)]
    kept: dict[tuple, dict[str, int]] = defaultdict(zero)
    kept.update((key, dict(zip(counters, values, strict=True))) for key, values in result.items() if any(values))
    return kept


Periods = list[tuple[HeatQuery, tuple[str, ...]]]  # (period, its counters)


def period_reads(scope: Scope, dims: tuple[str, ...], periods: Periods) -> list[QuerySet]:
    """Several periods with the same filters, e.g. a period and the one before, read together: one values()
    queryset per table (days, months) keyed by the rollup columns of `dims`, with a net sum `p<n>_<counter>`
    of each period n (days added minus days subtracted, or whole months), so each key comes back once per
    table instead of once per period and table. A key may come back from both tables: the caller adds them
    up (in SQL: `heatmap.reports._pairs_source`)."""
    keys, q = [DIMENSIONS[d] for d in dims], periods[0][0]
    family = family_for(set(keys) | q.columns | scope.columns)
    today = timezone.localdate()
    plans = [plan_period(p.since, p.until, today) if family.months else Plan(None, [(p.since, p.until)], [])
             for p, _ in periods]  # fmt: skip
    day_sums, month_sums, day_ranges, month_ranges = {}, {}, [], Q()
    for n, ((_, counters), plan) in enumerate(zip(periods, plans, strict=True)):
        day_ranges += plan.add + plan.subtract
        if plan.months:
            month_ranges |= Q(month__gte=plan.months[0], month__lte=plan.months[1])
        for c in counters:
            if plan.add or plan.subtract:
                signed = [When(_within(plan.add), then=F(c))] if plan.add else []
                signed += [When(_within(plan.subtract), then=-F(c))] if plan.subtract else []
                day_sums[f"p{n}_{c}"] = Sum(Case(*signed, default=Value(0)))
            if plan.months:
                month_sums[f"p{n}_{c}"] = Sum(c, filter=Q(month__gte=plan.months[0], month__lte=plan.months[1]))
    reads = []
    if day_sums:
        reads.append(family.days.objects.filter(_within(day_ranges)).values(*keys).annotate(**day_sums))
    if month_sums:
        reads.append(family.months.objects.filter(month_ranges).values(*keys).annotate(**month_sums))
    return [scope.cells(qs.filter(q.condition())).order_by() for qs in reads]


def _as_date(value):
    return value.date() if isinstance(value, datetime.datetime) else value


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
            target = folded.get(new_key)
            if target is None:
                folded[new_key] = dict(counts)
                continue
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
    """Poll results of these (territory, topic) pairs, newest first, in one query (the territories and topics
    of the pairs, the other combinations left out here: a condition per pair cost more to build than to run)."""
    pairs = set(pairs)
    if not pairs:
        return {}
    territories, topics = {t for t, _ in pairs}, {t for _, t in pairs}
    qs = poll_results_visible_to(user).filter(territory_id__in=territories, topic_id__in=topics)
    found: dict[tuple[int, int], list[PollResult]] = defaultdict(list)
    for result in qs.order_by("-held_on", "-id"):
        if (result.territory_id, result.topic_id) in pairs:
            found[(result.territory_id, result.topic_id)].append(result)
    return found


# The number of the 7-day window (0: the last) a day falls in, counted back from `until`.
WINDOW_SQL = {True: "(%s::date - day) / 7", False: "CAST(julianday(%s) - julianday(day) AS INTEGER) / 7"}


def weekly_series(until: datetime.date, weeks: int) -> dict[tuple[int | None, int], list[int]]:
    """Received appeals per (municipality, topic) in `weeks` consecutive 7-day windows ending on `until`
    (the oldest first), for the whole region: the input of problem point detection. The windows are
    counted in the query (one row per window, territory and topic, not per day)."""
    since = until - datetime.timedelta(days=7 * weeks - 1)
    qs = (
        HeatTopicDay.objects.filter(day__gte=since, day__lte=until, received__gt=0, topic__isnull=False)
        .annotate(window=RawSQL(WINDOW_SQL[connection.vendor == "postgresql"], (until,)))  # noqa: S611 — a constant
        .values("window", "territory_id", "topic_id")
        .annotate(received=Sum("received"))
        .order_by()
    )
    names, rows = _fetch(qs)
    if not rows:
        return defaultdict(lambda: [0] * weeks)
    window, territory, topic, received = (names.index(n) for n in ("window", "territory_id", "topic_id", "received"))
    directory = places()
    series: dict[tuple[int | None, int], list[int]] = defaultdict(lambda: [0] * weeks)
    for row in rows:
        series[(directory.municipal_of.get(row[territory]), row[topic])][weeks - 1 - row[window]] += row[received]
    return series
