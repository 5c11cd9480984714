from ratings import periods, services
from ratings.models import RatingEntry, RatingRun

from .world import OCTOBER


def compute(level: str, *, period=None, methodology=None) -> RatingRun:
    """Request and compute a run at once (no worker)."""
    period = period or periods.Period("month", *OCTOBER)
    run = services.request_run(level=level, period=period, methodology=methodology, by=None, queue=False)
    services.compute_run(run.pk)
    run.refresh_from_db()
    return run


def entry(run: RatingRun, subject) -> RatingEntry:
    return run.entries.get(subject_id=subject.pk)


def numbers(entry_: RatingEntry) -> dict:
    """{code: (value, numerator, denominator)}."""
    return {code: (v["value"], v["numerator"], v["denominator"]) for code, v in entry_.values.items()}


def make_run(level: str, period, rows: list[tuple], *, methodology=None) -> RatingRun:
    """A computed run written directly: rows = (subject_id, name, rank, score, values, attrs)."""
    from decimal import Decimal

    from django.utils import timezone

    from ratings.models import RatingMethodology

    methodology = methodology or RatingMethodology.objects.get(version=1)
    run = RatingRun.objects.create(
        level=level, period_kind=period.kind, period_start=period.start, period_end=period.end,
        methodology=methodology, status=RatingRun.Status.DONE, computed_at=timezone.now(),
        subject_count=len(rows), ranked_count=sum(1 for r in rows if r[2] is not None),
    )  # fmt: skip
    RatingEntry.objects.bulk_create(
        RatingEntry(run=run, subject_id=sid, subject_name=name, rank=rank,
                    score=Decimal(score) if score is not None else None, values=values or {},
                    subject_attrs=attrs or {}, received=(values or {}).get("received", {}).get("value", 10),
                    has_enough_data=rank is not None)
        for sid, name, rank, score, values, attrs in rows
    )  # fmt: skip
    return run
