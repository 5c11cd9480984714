"""Redis stops while appeals are being registered through the API: every registration still
succeeds (the task is not sent, the write stands: cur.queue.send), and once Redis is back on the
same port the beat sweep `requeue_unclassified` queues the classification the outage skipped.

Redis runs without persistence here, so whatever it held is gone after the restart, as after a
crash of a Redis without AOF: the database is the only record, and nothing is lost from it. The
sweep takes appeals unclassified for over 10 minutes; instead of waiting, the test moves their
registration 11 minutes back and sends the sweep task the way beat does (production: the appeals
are classified 10–20 minutes after the outage, at the first beat tick that finds them old enough)."""

import datetime
import time

import pytest
from django.db.models import Count, F

from appeals.models import Appeal, AppealEvent
from appeals.tasks import requeue_unclassified
from cur.celery import app

from .conftest import appeal_texts
from .servers import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

BEFORE, DURING = 20, 100


def classified() -> int:
    return Appeal.objects.filter(classified_at__isnull=False).count()


def test_appeals_registered_while_redis_is_down_are_kept_and_classified_after_it_returns(servers, intake, start_worker):
    from tests.appeals.pipeline_helpers import train_model

    train_model()
    worker = start_worker("worker")
    texts = appeal_texts(BEFORE + DURING)
    for i in range(BEFORE):
        assert intake(f"redis-{i}", texts[i]).status_code == 201
    wait_until(lambda: classified() == BEFORE, "классификация до отказа", 60, 0.1)

    # When: Redis stops and registrations go on.
    servers.redis.stop()
    latencies = []
    for i in range(BEFORE, BEFORE + DURING):
        started = time.monotonic()
        response = intake(f"redis-{i}", texts[i])
        latencies.append(time.monotonic() - started)
        assert response.status_code == 201, response.content

    # Then: every row exists, none classified yet.
    assert Appeal.objects.count() == BEFORE + DURING
    assert classified() == BEFORE

    # When: Redis is back on the same port; the worker reconnects by itself.
    servers.redis.start()
    back_at = time.monotonic()
    wait_until(lambda: app.control.ping(destination=[worker.node], timeout=0.5), "worker переподключился", 60, 0.2)
    reconnected = time.monotonic() - back_at
    # … and beat's next sweep finds them old enough.
    Appeal.objects.filter(classified_at=None).update(registered_at=F("registered_at") - datetime.timedelta(minutes=11))
    requeue_unclassified.delay()
    wait_until(lambda: classified() == BEFORE + DURING, "классификация после отказа", 120, 0.1)
    caught_up = time.monotonic() - back_at

    print(
        f"\nво время остановки Redis зарегистрировано {DURING} обращений, все 201; время ответа "
        f"среднее {sum(latencies) / DURING * 1000:.0f} мс, максимум {max(latencies) * 1000:.0f} мс; worker "
        f"переподключился через {reconnected:.1f} с, все обращения классифицированы через {caught_up:.1f} с "
        "после возврата Redis"
    )
    per_appeal = AppealEvent.objects.filter(kind=AppealEvent.Kind.CLASSIFIED).values("appeal").annotate(n=Count("pk"))
    assert sorted({row["n"] for row in per_appeal}) == [1] and len(per_appeal) == BEFORE + DURING
    assert set(Appeal.objects.values_list("external_id", flat=True)) == {f"redis-{i}" for i in range(BEFORE + DURING)}
