"""The rollup as a direct GROUP BY over the appeals table, written with the ORM independently of the SQL
in heatmap.rollup: what the incremental updates and the rebuilds must equal."""

from collections import defaultdict

from django.db.models import Count, F, Q, Sum
from django.db.models.functions import TruncDate

from appeals.models import Appeal
from appeals.workflow.deadlines import MOSCOW
from heatmap.models import (
    COUNTERS,
    HeatAreaDay,
    HeatAreaMonth,
    HeatCellMonth,
    HeatDay,
    HeatFootprintDay,
    HeatMonth,
    HeatTopicDay,
    HeatTopicMonth,
)

KEY = ("territory_id", "sector_block_id", "topic_id", "channel", "organisation_id")
OPEN = Q(status__in=Appeal.OPEN_STATUSES)


def expected_cells() -> dict[tuple, dict[str, int]]:
    kept = Appeal.objects.exclude(status=Appeal.Status.REJECTED).annotate(
        reg_day=TruncDate("registered_at", tzinfo=MOSCOW),
        ans_day=TruncDate("answered_at", tzinfo=MOSCOW),
        due_day=TruncDate("due_at", tzinfo=MOSCOW),
    )
    cells: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    registration = kept.values("reg_day", *KEY).annotate(
        received=Count("id"),
        overdue=Count("id", filter=Q(overdue_at__isnull=False) | Q(ans_day__gt=F("due_day"))),
        rated=Count("id", filter=Q(satisfaction__isnull=False)),
        dissatisfied=Count("id", filter=Q(satisfaction__lte=2)),
        repeated=Count("id", filter=Q(repeat_of__isnull=False)),
        open=Count("id", filter=OPEN),
        open_overdue=Count("id", filter=OPEN & Q(overdue_at__isnull=False)),
        escalated=Count("id", filter=OPEN & Q(escalation_level__gt=0)),
    )
    for row in registration:
        target = cells[(row["reg_day"], *(row[k] for k in KEY))]
        for name in ("received", "overdue", "rated", "dissatisfied", "repeated", "open", "open_overdue", "escalated"):
            target[name] += row[name]
    answers = (
        kept.filter(answered_at__isnull=False)
        .values("ans_day", *KEY)
        .annotate(
            answered=Count("id"),
            answered_on_time=Count("id", filter=Q(due_day__isnull=True) | Q(ans_day__lte=F("due_day"))),
            quality_checked=Count("id", filter=~Q(answer_quality="")),
            on_merits=Count("id", filter=Q(answer_quality=Appeal.AnswerQuality.ON_MERITS)),
        )
    )
    for row in answers:
        target = cells[(row["ans_day"], *(row[k] for k in KEY))]
        for name in ("answered", "answered_on_time", "quality_checked", "on_merits"):
            target[name] += row[name]
    return {k: v for k, v in cells.items() if any(v.values())}


def actual_cells() -> dict[tuple, dict[str, int]]:
    """The finest rows as they are: the footprints' days (the view) summed by day and every dimension."""
    sums = {n: Sum(n) for n in COUNTERS}
    return {
        (c["day"], *(c[k] for k in KEY)): {n: c[n] for n in COUNTERS}
        for c in HeatFootprintDay.objects.values("day", *KEY).annotate(**sums).order_by()
    }


# The coarser levels of the rollup: each must be the cells summed over its key (day → month for month levels).
LEVELS = {
    HeatDay: ("day", "territory_id", "sector_block_id", "channel", "organisation_id"),
    HeatMonth: ("month", "territory_id", "sector_block_id", "channel", "organisation_id"),
    HeatAreaDay: ("day", "territory_id", "sector_block_id"),
    HeatAreaMonth: ("month", "territory_id", "sector_block_id"),
    HeatTopicDay: ("day", "territory_id", "sector_block_id", "topic_id", "organisation_id"),
    HeatTopicMonth: ("month", "territory_id", "sector_block_id", "topic_id", "organisation_id"),
    HeatCellMonth: ("month", *KEY),
}


def months_from_cells() -> dict[str, dict[tuple, dict[str, int]]]:
    """Every coarser level as it should be: the cells summed over its key."""
    cells = [{"day": day, **dict(zip(KEY, dims, strict=True)), **counts}
             for (day, *dims), counts in actual_cells().items()]  # fmt: skip
    levels = {}
    for model, key in LEVELS.items():
        rows: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
        for c in cells:
            time = c["day"].replace(day=1) if key[0] == "month" else c["day"]
            target = rows[(time, *(c[k] for k in key[1:]))]
            for name in COUNTERS:
                target[name] += c[name]
        levels[model.__name__] = dict(rows)
    return levels


def actual_months() -> dict[str, dict[tuple, dict[str, int]]]:
    """Every coarser level as it is."""
    return {
        model.__name__: {
            tuple(r[k] for k in key): {n: r[n] for n in COUNTERS} for r in model.objects.values(*key, *COUNTERS)
        }
        for model, key in LEVELS.items()
    }


def scored_pairs(rows, *, min_count: int, weights: dict[str, float], min_rated: int) -> dict[tuple, float]:
    """Priorities for polls as plain Python (percentiles by sorting, ties sharing the lower rank): the score
    (unrounded) of each (territory, topic) pair with at least `min_count` appeals — what the SQL of
    `heatmap.priorities` must give."""
    rows = [r for r in rows if r.received >= min_count]

    def percentiles(values):
        ordered = sorted(values)
        below = {}
        for index, value in enumerate(ordered):
            below.setdefault(value, index)
        return [1.0 if len(values) == 1 else below[v] / (len(values) - 1) for v in values]

    raw = {
        "volume": [r.received for r in rows],
        "growth": [(r.received - r.previous) / max(r.previous, 1) for r in rows],
        "dissatisfied": [r.dissatisfied / r.rated if r.rated >= min_rated else 0.0 for r in rows],
        "overdue": [r.overdue / r.received for r in rows],
    }
    parts = {name: percentiles(values) for name, values in raw.items()}
    return {
        (r.territory_id, r.topic_id): 100
        * sum(weights[name] * (parts[name][i] if name == "volume" or raw[name][i] > 0 else 0.0) for name in weights)
        for i, r in enumerate(rows)
    }
