"""The rollup computed in Python, for the embedded SQLite default only (DESIGN §5: every page must run
on it). Same definitions as the SQL of `heatmap.rollup`; on PostgreSQL that SQL is what runs."""

from collections import defaultdict

from django.conf import settings
from django.utils import timezone

from appeals.models import Appeal

from .models import COUNTERS, HeatCell, HeatFootprint, HeatMonth
from .rollup import DISSATISFIED_MAX_SCORE

FIELDS = ("id", "registered_at", "answered_at", "due_at", "overdue_at", "satisfaction", "repeat_of_id", "status",
          "escalation_level", "answer_quality", "territory_id", "sector_block_id", "topic_id", "channel",
          "organisation_id")  # fmt: skip


def _day(moment, zone):
    return timezone.localtime(moment, zone).date()


def compute() -> tuple[list[HeatCell], list[HeatMonth], list[HeatFootprint]]:
    zone = timezone.get_default_timezone() if settings.USE_TZ else None
    cells: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    footprints = []
    rows = Appeal.objects.exclude(status=Appeal.Status.REJECTED).values_list(*FIELDS)
    for row in rows.iterator(chunk_size=2000):
        a = dict(zip(FIELDS, row, strict=True))
        key = (a["territory_id"], a["sector_block_id"], a["topic_id"], a["channel"], a["organisation_id"])
        registered = _day(a["registered_at"], zone)
        answered = _day(a["answered_at"], zone) if a["answered_at"] else None
        due = _day(a["due_at"], zone) if a["due_at"] else None
        is_open = a["status"] in Appeal.OPEN_STATUSES
        reg = cells[(registered, *key)]
        reg["received"] += 1
        reg["overdue"] += bool(a["overdue_at"] or (answered and due and answered > due))
        reg["rated"] += a["satisfaction"] is not None
        reg["dissatisfied"] += a["satisfaction"] is not None and a["satisfaction"] <= DISSATISFIED_MAX_SCORE
        reg["repeated"] += a["repeat_of_id"] is not None
        reg["open"] += is_open
        reg["open_overdue"] += is_open and a["overdue_at"] is not None
        reg["escalated"] += is_open and a["escalation_level"] > 0
        if answered:
            ans = cells[(answered, *key)]
            ans["answered"] += 1
            ans["answered_on_time"] += due is None or answered <= due
            ans["quality_checked"] += a["answer_quality"] != ""
            ans["on_merits"] += a["answer_quality"] == Appeal.AnswerQuality.ON_MERITS
        footprints.append(HeatFootprint(
            appeal_id=a["id"], territory_id=a["territory_id"] or 0, sector_id=a["sector_block_id"] or 0,
            topic_id=a["topic_id"] or 0, channel=a["channel"], organisation_id=a["organisation_id"] or 0,
            registered_day=registered, answered_day=answered,
        ))  # fmt: skip
    months: dict[tuple, dict[str, int]] = defaultdict(lambda: dict.fromkeys(COUNTERS, 0))
    cell_rows = []
    for (day, territory, block, topic, channel, org), counts in cells.items():
        cell_rows.append(HeatCell(day=day, territory_id=territory, sector_block_id=block, topic_id=topic,
                                  channel=channel, organisation_id=org, **counts))  # fmt: skip
        month = months[(day.replace(day=1), territory, block, channel)]
        for name, value in counts.items():
            month[name] += value
    month_rows = [
        HeatMonth(month=month, territory_id=territory, sector_block_id=block, channel=channel, **counts)
        for (month, territory, block, channel), counts in months.items()
    ]
    return cell_rows, month_rows, footprints
