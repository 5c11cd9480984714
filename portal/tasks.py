from celery import shared_task

from . import services_plans


@shared_task(name="portal.tasks.sweep_overdue_measures")
def sweep_overdue_measures() -> int:
    """Beat: notify overdue roadmap measures (each once; the service is idempotent)."""
    return services_plans.sweep_overdue_measures()
