"""Thin Celery tasks: take ids, return quietly if the row is gone, call one service."""

from celery import shared_task


@shared_task(acks_late=True)
def compute_rating_run(run_id: int) -> None:
    """Compute one run; a run already computed is skipped, so a redelivered task is harmless."""
    from .services import compute_run

    compute_run(run_id)


@shared_task
def compute_previous_month() -> None:
    """Beat, the 1st of the month: the previous month's runs of every level (none twice)."""
    from .services import ensure_previous_month_runs

    ensure_previous_month_runs()


@shared_task
def sweep_runs() -> None:
    """Beat, every 15 minutes: send again runs a lost task left pending; catch up a missed month."""
    from .services import ensure_previous_month_runs, requeue_stale_runs

    requeue_stale_runs()
    ensure_previous_month_runs()
