"""The footprints computed in Python, for the embedded SQLite default only (DESIGN §5: every page must run
on it). Same definitions as the SQL of `heatmap.rollup`; on PostgreSQL that SQL is what runs. The levels are
summed from the footprints by `heatmap.rollup.contributions` and `project`, as the incremental updates do."""

from django.conf import settings
from django.utils import timezone

from appeals.models import Appeal

from .models import HeatFootprint

FIELDS = ("id", "registered_at", "answered_at", "due_at", "overdue_at", "satisfaction", "repeat_of_id", "status",
          "escalation_level", "answer_quality", "territory_id", "sector_block_id", "topic_id", "channel",
          "organisation_id")  # fmt: skip


def _day(moment, zone):
    return timezone.localtime(moment, zone).date()


def footprints() -> list[HeatFootprint]:
    from .rollup import DISSATISFIED_MAX_SCORE

    zone = timezone.get_default_timezone() if settings.USE_TZ else None
    result = []
    rows = Appeal.objects.exclude(status=Appeal.Status.REJECTED).values_list(*FIELDS)
    for row in rows.iterator(chunk_size=2000):
        a = dict(zip(FIELDS, row, strict=True))
        answered = _day(a["answered_at"], zone) if a["answered_at"] else None
        due = _day(a["due_at"], zone) if a["due_at"] else None
        is_open = a["status"] in Appeal.OPEN_STATUSES
        result.append(HeatFootprint(
            appeal_id=a["id"], territory_id=a["territory_id"], sector_block_id=a["sector_block_id"],
            topic_id=a["topic_id"], channel=a["channel"], organisation_id=a["organisation_id"],
            registered_day=_day(a["registered_at"], zone), answered_day=answered,
            overdue=bool(a["overdue_at"] or (answered and due and answered > due)),
            rated=a["satisfaction"] is not None,
            dissatisfied=a["satisfaction"] is not None and a["satisfaction"] <= DISSATISFIED_MAX_SCORE,
            repeated=a["repeat_of_id"] is not None, open=is_open, open_overdue=is_open and a["overdue_at"] is not None,
            escalated=is_open and a["escalation_level"] > 0,
            answered_on_time=bool(answered and (due is None or answered <= due)),
            quality_checked=bool(answered and a["answer_quality"]),
            on_merits=bool(answered and a["answer_quality"] == Appeal.AnswerQuality.ON_MERITS),
        ))  # fmt: skip
    return result


def as_row(footprint: HeatFootprint) -> tuple:
    """The footprint in the order of `heatmap.rollup.FOOTPRINT_NAMES`."""
    from .rollup import DIMENSIONS, FLAGS

    names = (*DIMENSIONS, "registered_day", "answered_day", *FLAGS)
    return tuple(getattr(footprint, name) for name in names)
