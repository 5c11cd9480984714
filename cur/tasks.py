from celery import shared_task

from . import services


@shared_task(bind=True)
def record_heartbeat(self) -> None:
    services.record_heartbeat(self.request.hostname or "unknown")


@shared_task
def email_notifications(ids: list[int]) -> None:
    services.email_notifications(ids)
