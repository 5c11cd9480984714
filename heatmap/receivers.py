"""The heat map follows appeals: `appeals_changed` (sent on commit by every appeals service, the sweep,
the classifier and the imports) rolls the changed appeals up.

A small change is rolled up at once, in the request that made it (a few milliseconds), so the pages show
it on the next load; a big batch, or a change that finds another rollup writer busy, goes to a Celery task
instead of making the request wait. Nothing here may break the caller's (already committed) write: errors
are logged, the task is queued, and the nightly rebuild corrects whatever is left.
"""

import logging

from appeals.models import AppealEvent

log = logging.getLogger(__name__)

INLINE_MAX = 200  # appeals rolled up in the caller's thread; more go to the queue
CHUNK = 2000
# Events that change no counter.
IGNORED = frozenset({AppealEvent.Kind.PERSONAL_DATA_VIEWED, AppealEvent.Kind.REMINDER})


def _queue(ids: list[int]) -> None:
    from cur.queue import send

    from . import tasks

    for start in range(0, len(ids), CHUNK):
        send(tasks.refresh_appeals, ids[start : start + CHUNK])


def on_appeals_changed(sender, appeal_ids=(), kind: str = "", **kwargs) -> None:
    if kind in IGNORED:
        return
    ids = sorted({int(i) for i in appeal_ids or ()})
    if not ids:
        return
    if len(ids) > INLINE_MAX:
        _queue(ids)
        return
    from .rollup import refresh_appeals

    try:
        done = refresh_appeals(ids, wait=False)
    except Exception:  # the appeal is saved; the rollup catches up in the task or the nightly rebuild
        log.exception("Тепловая карта: не удалось обновить ячейки обращений %s", ids[:20])
        done = False
    if not done:
        _queue(ids)
