"""Thin Celery tasks: take ids, call one service. Every rollup service is idempotent (it recomputes keys
from the appeals table), so a redelivered task is harmless."""

from celery import shared_task


@shared_task(acks_late=True)
def refresh_appeals(ids: list[int]) -> None:
    """Roll up these appeals (a batch too big, or a lock too busy, for the request that changed them)."""
    from .rollup import refresh_appeals as refresh

    refresh(ids, wait=True)


@shared_task(acks_late=True)
def rebuild_rollup() -> dict:
    """Beat, nightly: rebuild the whole rollup from the appeals table, correcting any drift."""
    from .rollup import rebuild_all

    return rebuild_all()


@shared_task(acks_late=True)
def detect_problem_points() -> dict:
    """Beat, daily after the rebuild: spikes and persistent problems of the last 7 days."""
    from .services import detect_problem_points as detect

    return detect()
