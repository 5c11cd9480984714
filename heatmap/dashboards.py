"""The block head's and the curator's dashboards: selectors over the rollup composed into plain data.

Period figures follow the rollup's days (received, overdue, satisfaction: by registration; answers and
their quality: by answer day); «now» figures (open, open and overdue, escalated) are summed over the
whole history, which `HeatMonth` keeps small."""

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils import timezone

from cur.web import dates
from sectors.models import Organisation

from . import metrics
from .models import ProblemPoint
from .reports import appeals_url, trend
from .scope import Scope
from .selectors import HeatQuery, aggregate, places, sector_blocks, topics_of, zero

HISTORY_START = dates.EARLIEST  # nothing the system accepts is older
NOW_COUNTERS = ("open", "open_overdue", "escalated")
TOP = 10


@dataclass
class BlockFigures:
    block: object  # SectorBlock, or None for the total
    counts: dict[str, int]
    previous: int
    now: dict[str, int]
    shares: dict[str, float | None] = field(default_factory=dict)

    def __post_init__(self):
        self.shares = metrics.key_figures(self.counts)

    @property
    def growth(self) -> float | None:
        return metrics.growth(self.counts["received"], self.previous)


def _now(scope: Scope, dims: tuple[str, ...]) -> dict:
    return aggregate(scope, HeatQuery(HISTORY_START, timezone.localdate()), dims, counters=NOW_COUNTERS)


def _by_block(scope: Scope, q: HeatQuery, blocks: list) -> tuple[list[BlockFigures], BlockFigures]:
    current = aggregate(scope, q, ("sector",))
    previous = aggregate(scope, q.previous(), ("sector",), counters=("received",))
    now = _now(scope, ("sector",))
    figures = [
        BlockFigures(b, current.get((b.pk,), zero()), previous.get((b.pk,), {}).get("received", 0),
                     {c: now.get((b.pk,), {}).get(c, 0) for c in NOW_COUNTERS})
        for b in blocks
    ]  # fmt: skip
    total = BlockFigures(None, _sum(current.values()), sum(v["received"] for v in previous.values()),
                         {c: sum(v.get(c, 0) for v in now.values()) for c in NOW_COUNTERS})  # fmt: skip
    return figures, total


def _sum(rows) -> dict[str, int]:
    total = zero()
    for counts in rows:
        for name, value in counts.items():
            total[name] += value
    return total


@dataclass
class TopicRow:
    topic: object
    received: int
    previous: int
    url: str

    @property
    def growth(self) -> float | None:
        return metrics.growth(self.received, self.previous)


@dataclass
class OrganisationRow:
    organisation: Organisation
    counts: dict[str, int]
    on_time: float | None
    overdue: float | None
    url: str


@dataclass
class BlockDashboard:
    query: HeatQuery
    blocks: list
    figures: list[BlockFigures]
    total: BlockFigures
    trend: tuple
    topics: list[TopicRow]
    lagging: list[OrganisationRow]
    problems: list[ProblemPoint]


def block_dashboard(scope: Scope, q: HeatQuery, blocks: list, problems_qs) -> BlockDashboard:
    """The block head's blocks: volume, overdue, answer quality, satisfaction, top topics and problems, the
    trend, and the executors that lag (most overdue, then the lowest share of answers on time)."""
    figures, total = _by_block(scope, q, blocks)
    names = {b.pk: b.name for b in blocks}
    codes = {b.pk: b.code for b in blocks}
    sector_code = codes.get(q.sector_id)
    topic_now = aggregate(scope, q, ("topic",), counters=("received",))
    topic_before = aggregate(scope, q.previous(), ("topic",), counters=("received",))
    top_ids = [k[0] for k, _ in sorted(topic_now.items(), key=lambda kv: -kv[1]["received"]) if k[0]][:TOP]
    topics = topics_of().in_bulk(top_ids)
    top = [TopicRow(topics[t], topic_now[(t,)]["received"], topic_before.get((t,), {}).get("received", 0),
                    appeals_url(q, topic_code=topics[t].code, sector_code=sector_code))
           for t in top_ids if t in topics]  # fmt: skip
    orgs = aggregate(scope, q, ("organisation",))
    candidates = [(org, c) for (org,), c in orgs.items() if org and (c["overdue"] or c["answered"])]
    candidates.sort(key=lambda oc: (-oc[1]["overdue"], metrics.share(oc[1]["answered_on_time"], oc[1]["answered"])
                                    or 0))  # fmt: skip
    organisations = Organisation.objects.in_bulk([o for o, _ in candidates[:TOP]])
    lagging = [
        OrganisationRow(organisations[o], c, metrics.share(c["answered_on_time"], c["answered"]),
                        metrics.share(c["overdue"], c["received"]),
                        appeals_url(q, sector_code=sector_code, organisation=o))
        for o, c in candidates[:TOP] if o in organisations and c["overdue"]
    ]  # fmt: skip
    problems = list(problems_qs.filter(status__in=ProblemPoint.OPEN_STATUSES).order_by("status", "-score")[:TOP])
    return BlockDashboard(q, blocks, figures, total, trend(scope, q, names), top, lagging, problems)


@dataclass
class RegionDashboard:
    query: HeatQuery
    figures: list[BlockFigures]
    total: BlockFigures
    population: int | None
    trend: tuple
    new_points: list[ProblemPoint]
    new_points_count: int
    overdue_url: str


def region_dashboard(scope: Scope, q: HeatQuery, problems_qs) -> RegionDashboard:
    """Every block side by side, the region's figures, and what waits for a decision: unconfirmed problem
    points, appeals overdue now, escalations."""
    blocks = sector_blocks()
    figures, total = _by_block(scope, q, blocks)
    directory = places()
    population = directory.region.population if directory.region else None
    new = problems_qs.filter(status=ProblemPoint.Status.NEW)
    names = {b.pk: b.name for b in blocks}
    return RegionDashboard(q, figures, total, population, trend(scope, q, names), list(new.order_by("-score")[:TOP]),
                           new.count(), appeals_url_overdue())  # fmt: skip


def appeals_url_overdue() -> str:
    return f"{reverse('appeals:list')}?overdue=true"
