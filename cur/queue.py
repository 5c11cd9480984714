"""Queueing Celery work after a transaction commits, without letting a broker outage
break the write that queued it.

If Redis is down when the transaction commits, the task is not sent: the write itself
has already succeeded, and the periodic sweeps pick up what was left undone (e.g. the
classification sweep finds appeals that were never classified).

A task is given as the task or by its name («appeals.tasks.classify_appeals»): services queue
the tasks of their app by name, so that `tasks` imports `services` and never the reverse.
"""

import logging
from importlib import import_module

from django.db import transaction
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)

# Give up quickly when the broker is unreachable: a request must not hang on it.
RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def task_named(task):
    """The task itself for a task's name: the attribute of its module (Celery's default name)."""
    if isinstance(task, str):
        module, _, name = task.rpartition(".")
        return getattr(import_module(module), name)
    return task


def send(task, *args, **kwargs) -> bool:
    """Send a task now; False (and a log line) if the broker is unreachable."""
    task = task_named(task)
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=True, retry_policy=RETRY_POLICY)
    except OperationalError:
        log.warning("Брокер недоступен: задача %s не отправлена, её подберёт периодическая проверка", task.name)
        return False
    return True


def send_on_commit(task, *args, **kwargs) -> None:
    """Send a task once the current transaction commits (at once outside a transaction)."""
    task = task_named(task)
    transaction.on_commit(lambda: send(task, *args, **kwargs))
