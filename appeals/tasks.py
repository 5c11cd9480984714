"""Thin Celery tasks: take ids, return quietly if the row is gone, call one service."""

from celery import shared_task


@shared_task(acks_late=True)
def run_import(import_id: int) -> None:
    from .intake.importing import run_import as run

    run(import_id)


@shared_task
def sweep_deadlines() -> None:
    from .workflow.sweep import sweep_deadlines as sweep

    sweep()


# --- classification (appeals.classification.pipeline) ---------------------------------------------------------


@shared_task(acks_late=True)  # idempotent: only appeals still unclassified are touched
def classify_appeals(ids: list[int]) -> None:
    from .classification.pipeline import classify_appeals as classify

    classify(ids)


@shared_task
def requeue_unclassified() -> None:
    from .classification.pipeline import requeue_unclassified as requeue

    requeue()


@shared_task
def retrain_classifier(user_id: int | None = None) -> None:
    from cur.models import User

    from .classification.pipeline import retrain

    retrain(by=User.objects.filter(pk=user_id).first() if user_id else None)


@shared_task
def anonymise_expired_appeals() -> None:
    from .privacy.retention import anonymise_expired_appeals as anonymise

    anonymise()
