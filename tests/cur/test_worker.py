import time

import pytest

from cur.models import WorkerHeartbeat
from cur.tasks import record_heartbeat
from tests.worker import celery_worker

pytestmark = pytest.mark.worker


def test_a_task_sent_through_redis_is_executed_by_a_real_worker(transactional_db, client):
    with celery_worker() as node:
        record_heartbeat.delay()

        deadline = time.monotonic() + 20
        while not WorkerHeartbeat.objects.filter(worker=node).exists():
            assert time.monotonic() < deadline, "the worker did not run the task in 20 s"
            time.sleep(0.2)

        # The health endpoint now lists the worker as alive.
        assert node in client.get("/health/").json()["workers"]
