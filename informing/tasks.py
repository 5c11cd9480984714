"""Thin Celery tasks: the beat's sweeps of ИНФОЦУР's deadlines."""

from celery import shared_task


@shared_task
def sweep_deadlines() -> None:
    """Beat, every 5 minutes: overdue recommendations escalate once; overdue events are marked once."""
    from .services import escalate_overdue_recommendations, mark_overdue_events

    escalate_overdue_recommendations()
    mark_overdue_events()
