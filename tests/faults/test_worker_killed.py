"""A Celery worker killed with SIGKILL in the middle of classifying 1,000 appeals: after a new
worker starts, every appeal is classified, and exactly once.

The classification task is `acks_late`: the messages the killed worker had taken (the one it was
running and the ones it had prefetched) stay in Redis's `unacked` hash and come back to the queue
once they are older than the broker's visibility timeout. Production keeps that timeout at 6 h
(longer than any ETA); there the beat sweep `requeue_unclassified` (appeals unclassified for over
10 minutes, every 10 minutes) classifies them first. Here the workers run with a 5 s timeout so
that the broker's own redelivery is what the test watches; a second delivery of a task, if any,
must change nothing (the pipeline re-checks `classified_at IS NULL` under a row lock)."""

import json
import time

import pytest
from django.db.models import Count

from appeals.models import Appeal, AppealEvent

from .conftest import appeal_texts
from .servers import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

APPEALS = 1000
KILL_AFTER = 250  # classified appeals before the kill
VISIBILITY_TIMEOUT = 5  # seconds


def classified() -> int:
    return Appeal.objects.filter(classified_at__isnull=False).count()


def test_a_worker_killed_while_classifying_1000_appeals_leaves_none_unclassified_or_classified_twice(
    servers, intake, start_worker
):
    from tests.appeals.pipeline_helpers import train_model

    model = train_model()
    redis = servers.redis.client()
    started = time.monotonic()
    for i, text in enumerate(appeal_texts(APPEALS)):
        response = intake(f"kill-{i}", text)
        assert response.status_code == 201, response.content
    registering = time.monotonic() - started
    assert redis.llen("celery") == APPEALS  # one classification task per appeal, waiting

    # When: a worker classifies a quarter of them and is killed.
    first = start_worker("worker-1", CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))
    wait_until(lambda: classified() >= KILL_AFTER, f"классифицированы {KILL_AFTER} обращений", 180, 0.02)
    first.kill()
    killed_at = time.monotonic()
    # Taken by the killed worker, not acknowledged: the task ids of those messages.
    held = [json.loads(raw)[0]["headers"]["id"] for raw in redis.hvals("unacked")]
    in_flight = len(held)
    waiting = redis.llen("celery")
    done_at_kill = classified()

    # Then: a new worker (started once those messages are older than the visibility timeout)
    # gets them back and classifies everything.
    time.sleep(VISIBILITY_TIMEOUT)
    second = start_worker("worker-2", CELERY_VISIBILITY_TIMEOUT=str(VISIBILITY_TIMEOUT))
    wait_until(lambda: classified() == APPEALS, "все обращения классифицированы", 300, 0.1)
    recovery = time.monotonic() - killed_at

    print(
        f"\nрегистрация {APPEALS} обращений через API: {registering:.1f} с; при SIGKILL классифицировано "
        f"{done_at_kill}, в работе у убитого worker'а {in_flight} задач, в очереди {waiting}; "
        f"все {APPEALS} классифицированы через {recovery:.1f} с после SIGKILL"
    )
    assert in_flight >= 1  # the kill did interrupt work in progress
    for task_id in held:  # … and the broker gave that work to the new worker
        assert f"Task appeals.tasks.classify_appeals[{task_id}] received" in second.output()
    assert done_at_kill < APPEALS
    assert in_flight + waiting + done_at_kill >= APPEALS  # nothing else was going on
    assert not Appeal.objects.filter(classified_at=None).exists()
    assert Appeal.objects.filter(model_version=model.version).count() == APPEALS
    per_appeal = (
        AppealEvent.objects.filter(kind=AppealEvent.Kind.CLASSIFIED)
        .values("appeal")
        .annotate(n=Count("pk"))
        .values_list("n", flat=True)
    )
    assert sorted(set(per_appeal)) == [1] and len(per_appeal) == APPEALS
    wait_until(lambda: redis.hlen("unacked") == 0 and redis.llen("celery") == 0, "очередь пуста", 30)
