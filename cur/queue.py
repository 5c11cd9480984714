"""Queueing Celery work after a transaction commits, without letting a broker outage
break the write that queued it.

If Redis is down when the transaction commits, the task is not sent: the write itself
has already succeeded, and the periodic sweeps pick up what was left undone (e.g. the
classification sweep finds appeals that were never classified)."""

import logging

from django.db import transaction
from kombu.exceptions import OperationalError

log = logging.getLogger(__name__)

# Give up quickly when the broker is unreachable: a request must not hang on it.
RETRY_POLICY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.2, "interval_max": 0.5}


def send(task, *args, **kwargs) -> bool:
    """Send a task now; False (and a log line) if the broker is unreachable."""
    try:
        task.apply_async(args=args, kwargs=kwargs, retry=True, retry_policy=RETRY_POLICY)
    except OperationalError:
        log.warning("Брокер недоступен: задача %s не отправлена, её подберёт периодическая проверка", task.name)
        return False
    return True


def send_on_commit(task, *args, **kwargs) -> None:
    """Send a task once the current transaction commits (at once outside a transaction)."""
    transaction.on_commit(lambda: send(task, *args, **kwargs))
