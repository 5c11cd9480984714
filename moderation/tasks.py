"""Thin Celery tasks: take ids, return quietly if the rows are gone, call one service."""

from celery import shared_task


@shared_task(acks_late=True)  # idempotent: only messages still without a theme or territory are touched
def classify_messages(ids: list[int]) -> None:
    from .classify import classify_messages as classify

    classify(ids)


@shared_task
def detect_surges() -> None:
    """Beat, every 15 minutes: themes and territories growing faster than their baseline."""
    from .surge import detect_surges as detect

    detect()


@shared_task
def build_due_reports() -> None:
    """Beat, daily: the previous day, week and month, each built once."""
    from .reports import build_due_reports as build

    build()


@shared_task
def requeue_unclassified() -> None:
    """Beat: messages a lost task left without a theme (older than 10 minutes)."""
    from .classify import requeue_unclassified as requeue

    requeue()
