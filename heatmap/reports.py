"""What the heat map, the topic × territory page and the priorities page show: selectors composed into plain
data (a fixed number of queries per page), and the links to the appeals behind every number."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.urls import reverse

from appeals.models import Appeal, Topic

from . import metrics
from .priorities import Priority, rank_priorities
from .scope import Scope
from .selectors import (
    HeatQuery,
    Place,
    Places,
    aggregate,
    period_reads,
    places,
    poll_results_by_pair,
    sector_blocks,
    zero,
)

# The appeals the rollup counts: every status but rejected (the list's filter says so explicitly).
COUNTED_STATUSES = [s for s in Appeal.Status.values if s != Appeal.Status.REJECTED]
TREND_SERIES = 6  # the biggest blocks get their own line; the rest are in «Всего»


def appeals_url(q: HeatQuery, *, territory_id: int | None = None, sector_code: str | None = None,
                topic_code: str | None = None, **extra) -> str:  # fmt: skip
    """appeals:list filtered to the appeals behind a number (the list applies the user's scope itself)."""
    params = {"registered_from": q.since.isoformat(), "registered_to": q.until.isoformat(), "status": COUNTED_STATUSES}
    if territory_id:
        params["territory"] = territory_id
    if sector_code:
        params["sector"] = sector_code
    if topic_code:
        params["topic"] = topic_code
    if q.channel:
        params["channel"] = q.channel
    params.update(extra)
    return f"{reverse('appeals:list')}?{urlencode(params, doseq=True)}"


def granularity(q: HeatQuery) -> str:
    return "day" if q.days <= 62 else "week" if q.days <= 190 else "month"


def buckets(q: HeatQuery, size: str) -> list[datetime.date]:
    """Every bucket start of the period, so a quiet week is a zero on the chart, not a gap."""
    if size == "day":
        start, step = q.since, datetime.timedelta(days=1)
    elif size == "week":
        start, step = q.since - datetime.timedelta(days=q.since.weekday()), datetime.timedelta(days=7)
    else:
        start, step = q.since.replace(day=1), None
    result, current = [], start
    while current <= q.until:
        result.append(current)
        current = current + step if step else (current + datetime.timedelta(days=32)).replace(day=1)
    return result


def trend(scope: Scope, q: HeatQuery, names: dict[int, str], *, by: str = "sector") -> tuple[list, list, str]:
    """(bucket starts, [(series name, counts)], granularity): «Всего» and the biggest series."""
    size = granularity(q)
    rows = aggregate(scope, q, (by,), bucket=size, counters=("received",))
    starts = buckets(q, size)
    totals: dict = defaultdict(int)
    per: dict = defaultdict(lambda: defaultdict(int))
    for (start, key), counts in rows.items():
        totals[start] += counts["received"]
        per[key][start] += counts["received"]
    biggest = sorted(per, key=lambda k: -sum(per[k].values()))[:TREND_SERIES]
    series = [("Всего", [totals.get(s, 0) for s in starts])]
    series += [(names.get(k, "не указан"), [per[k].get(s, 0) for s in starts]) for k in biggest if len(per) > 1]
    return starts, series, size


@dataclass
class TerritoryRow:
    place: Place
    counts: dict[str, int]
    previous: int
    value: float | None
    url: str

    @property
    def text(self) -> str:
        return self.place.name


@dataclass
class MapReport:
    query: HeatQuery
    metric: metrics.Metric
    rows: list[TerritoryRow]
    totals: dict[str, int]
    previous_total: int
    population: int | None
    blocks: list
    matrix: dict = field(default_factory=dict)
    trend: tuple = ()
    unplaced: dict[str, int] = field(default_factory=zero)  # the region itself or no territory


def heat_map(scope: Scope, q: HeatQuery, metric_code: str, *, sector_codes: dict[int, str],
             topic_code: str | None) -> MapReport:  # fmt: skip
    """The map's areas, the territory × block matrix and the trend of one period."""
    directory = places()
    blocks = [b for b in sector_blocks() if scope.allows_block(b.pk)]
    current = directory.fold(aggregate(scope, q, ("territory", "sector")))
    previous = directory.fold(aggregate(scope, q.previous(), ("territory",), counters=("received",)))
    per_territory: dict = defaultdict(zero)
    for (territory, _sector), counts in current.items():
        for name, value in counts.items():
            per_territory[territory][name] += value
    sector_code = sector_codes.get(q.sector_id)
    rows = []
    for place in directory.municipal:
        if not scope.allows_territory(place.id):
            continue
        counts = per_territory.get(place.id, zero())
        before = previous.get((place.id,), {}).get("received", 0)
        value = metrics.value(metric_code, counts, previous_received=before, population=place.population)
        url = appeals_url(q, territory_id=place.id, sector_code=sector_code, topic_code=topic_code)
        rows.append(TerritoryRow(place, counts, before, value, url))
    totals, unplaced = zero(), per_territory.get(None, zero())
    for counts in per_territory.values():
        for name, value in counts.items():
            totals[name] += value
    previous_total = sum(c["received"] for c in previous.values())
    known = [r.place.population for r in rows if r.place.population]
    population = (directory.region.population if scope.everything and directory.region else None) or sum(known) or None
    report = MapReport(q, metrics.METRICS[metric_code], rows, totals, previous_total, population, blocks,
                       unplaced=unplaced)  # fmt: skip
    report.matrix = _matrix(rows, blocks, current, q, topic_code)
    report.trend = trend(scope, q, {b.pk: b.name for b in blocks})
    return report


def _matrix(rows: list[TerritoryRow], blocks: list, current: dict, q: HeatQuery, topic_code) -> dict:
    shown = [b for b in blocks if not q.sector_id or b.pk == q.sector_id]
    z = [[current.get((r.place.id, b.pk), {}).get("received", 0) for b in shown] for r in rows]
    urls = [[appeals_url(q, territory_id=r.place.id, sector_code=b.code, topic_code=topic_code) for b in shown]
            for r in rows]  # fmt: skip
    return {"rows": [r.place.name for r in rows], "columns": [b.name for b in shown], "z": z, "urls": urls}


# --- one topic on one territory ------------------------------------------------------------------------


@dataclass
class FocusReport:
    query: HeatQuery
    place: Place
    topic: Topic
    counts: dict[str, int]
    previous: int
    trend: tuple
    polls: list
    url: str


def focus(scope: Scope, q: HeatQuery, place: Place, topic: Topic, user, directory: Places) -> FocusReport:
    """The appeals of a topic on a territory: figures, weekly trend, poll results beside them."""
    territory_ids = tuple(t for t, m in directory.municipal_of.items() if m == place.id) or (place.id,)
    topic_q = HeatQuery(q.since, q.until, topic_id=topic.pk, channel=q.channel, territory_ids=territory_ids)
    counts = aggregate(scope, topic_q, ()).get((), zero())
    previous = aggregate(scope, topic_q.previous(), (), counters=("received",)).get((), zero())["received"]
    starts, series, size = trend(scope, topic_q, {})
    polls = poll_results_by_pair(user, [(place.id, topic.pk)]).get((place.id, topic.pk), [])
    url = appeals_url(topic_q, territory_id=place.id, topic_code=topic.code)
    return FocusReport(topic_q, place, topic, counts, previous, (starts, series[:1], size), polls, url)


# --- priorities for polls and votes --------------------------------------------------------------------


@dataclass
class PriorityRow:
    priority: Priority
    place: Place | None
    topic: Topic
    polls: list
    appeals_url: str
    focus_url: str


def _pairs_source(scope: Scope, q: HeatQuery, directory: Places) -> tuple[str, list]:
    """SQL of the (municipality, topic) pairs of the period with the one before it, for `rank_priorities`:
    the period reads (days and months) added up, settlements folded into their municipality."""
    counters = {"received": "p0_received", "previous": "p1_received", "overdue": "p0_overdue",
                "rated": "p0_rated", "dissatisfied": "p0_dissatisfied"}  # fmt: skip
    reads = period_reads(scope, ("territory", "topic"), [(q, ("received", "overdue", "rated", "dissatisfied")),
                                                         (q.previous(), ("received",))])  # fmt: skip
    parts, params = [], []
    for qs in reads:
        sql, read_params = qs.query.sql_with_params()
        present = set(qs.query.annotations)
        columns = ", ".join(f"{c if c in present else 0} AS {c}" for c in counters.values())
        parts.append(f"SELECT territory_id, topic_id, {columns} FROM ({sql}) r")  # noqa: S608 — compiled queryset
        params += read_params
    folding = list(directory.municipal_of.items())
    mapping = ", ".join(["(%s, %s)"] * len(folding))
    params += [value for pair in folding for value in pair]
    sums = ", ".join(f"COALESCE(SUM(r.{column}), 0) AS {name}" for name, column in counters.items())
    return (
        f"SELECT m.column2 AS territory_id, r.topic_id, {sums} FROM ({' UNION ALL '.join(parts)}) r "  # noqa: S608
        f"JOIN (VALUES {mapping}) m ON m.column1 = r.territory_id GROUP BY m.column2, r.topic_id",
        params,
    )


def priority_rows(scope: Scope, q: HeatQuery, user, *, min_count: int, limit: int = 50) -> list[PriorityRow]:
    """Topic × territory pairs ranked for polls and votes, with the poll results already held on them."""
    directory = places()
    if scope.nothing or not directory.municipal_of:
        return []
    ranked = rank_priorities(*_pairs_source(scope, q, directory), min_count=min_count, limit=limit)
    topics = Topic.objects.in_bulk({p.stats.topic_id for p in ranked})
    polls = poll_results_by_pair(user, [(p.stats.territory_id, p.stats.topic_id) for p in ranked])
    by_id = directory.by_id()
    focus_base = reverse("heatmap:focus")
    rows = []
    for p in ranked:
        topic, place = topics[p.stats.topic_id], by_id.get(p.stats.territory_id)
        params = urlencode({"territory": p.stats.territory_id, "topic": topic.code, "since": q.since, "until": q.until})
        rows.append(PriorityRow(p, place, topic, polls.get((p.stats.territory_id, topic.pk), []),
                                appeals_url(q, territory_id=p.stats.territory_id, topic_code=topic.code),
                                f"{focus_base}?{params}"))  # fmt: skip
    return rows
