"""Demo ratings: the runs of the last 12 full months at every level, computed at once (no worker),
so that a fresh demo install shows ratings with their history. Call after the demo appeals exist.

Idempotent: a month and level already computed with the current methodology is skipped.
"""

import datetime
from importlib import import_module

from django.apps import apps

from ratings import periods, services
from ratings.models import Level, PeriodKind, RatingMethodology, RatingRun

DEMO_MONTHS = 12


def seed_ratings_demo(*, months: int = DEMO_MONTHS, on: datetime.date | None = None, stdout=None) -> dict:
    """Compute the demo months' runs synchronously; returns {"runs": created, "skipped": already there}."""

    def say(message: str) -> None:
        if stdout is not None:
            stdout.write(message)

    methodology = services.current_methodology()
    if methodology is None and not RatingMethodology.objects.exists():
        # A flushed database (transactional tests) lost the data migration's version 1: put it back.
        import_module("ratings.migrations.0002_methodology_v1").create_v1(apps, None)
        methodology = services.current_methodology()
    if methodology is None:
        say("Нет утверждённой методики рейтинга — рейтинги не рассчитаны.")
        return {"runs": 0, "skipped": 0}
    done = set(
        RatingRun.objects.filter(period_kind=PeriodKind.MONTH, methodology=methodology, status=RatingRun.Status.DONE)
        .values_list("level", "period_start", "period_end")
    )  # fmt: skip
    created = skipped = 0
    say(f"Демо-рейтинги: {months} мес. × {len(Level.values)} уровня…")
    for period in periods.last_full_months(months, on):
        for level in Level.values:
            if (level, period.start, period.end) in done:
                skipped += 1
                continue
            run = services.request_run(level=level, period=period, methodology=methodology, by=None, queue=False)
            services.compute_run(run.pk)
            created += 1
    say(f"Рассчитано рейтингов: {created}, уже были: {skipped}.")
    return {"runs": created, "skipped": skipped}
