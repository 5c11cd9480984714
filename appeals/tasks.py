"""Thin Celery tasks: take ids, return quietly if the row is gone, call one service."""

from celery import shared_task


@shared_task(acks_late=True)
def run_import(import_id: int) -> None:
    from .importing import run_import as run

    run(import_id)


@shared_task
def sweep_deadlines() -> None:
    from .sweep import sweep_deadlines as sweep

    sweep()
