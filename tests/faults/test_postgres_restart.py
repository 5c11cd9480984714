"""PostgreSQL restarts (`pg_ctl restart -m fast`) under a running web server and worker: once it
accepts connections again, requests succeed and the worker classifies new appeals, with nobody
restarting anything.

The web is gunicorn as in production (Dockerfile) with persistent connections (CONN_MAX_AGE=60):
every process holds a connection the restart cuts. CONN_HEALTH_CHECKS makes Django test a reused
connection at the first query of a request (and Celery's Django fixup does it before each task),
so the dead one is replaced instead of failing the request."""

import json
import time
import urllib.error
import urllib.request

import pytest
from django.db.models import Count

from appeals.models import Appeal, AppealEvent

from .conftest import appeal_texts, reconnect
from .servers import wait_until

pytestmark = [pytest.mark.faults, pytest.mark.django_db(transaction=True)]

AFTER = 10


def http(method: str, url: str, body: dict | None = None, key: str = "") -> int:
    """The response status; 0 when the server could not answer at all."""
    request = urllib.request.Request(  # noqa: S310
        url,
        data=json.dumps(body).encode() if body is not None else None,
        method=method,
        headers={"Content-Type": "application/json", "Authorization": f"Integration {key}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return 0


def classified(ids) -> int:
    return Appeal.objects.filter(pk__in=ids, classified_at__isnull=False).count()


def test_after_a_postgres_restart_the_web_and_the_worker_work_again_by_themselves(servers, intake, start_worker, web):
    from tests.appeals.pipeline_helpers import train_model

    train_model()
    start_worker("worker")
    texts = appeal_texts(AFTER + 2)

    def register(i: int) -> int:
        body = {"channel": "pos", "external_id": f"pg-{i}", "text": texts[i]}
        return http("POST", f"{web.url}/api/v1/appeals/", body, intake.key)

    # Given: both gunicorn processes and the worker hold a database connection.
    assert [register(0), register(1)] == [201, 201]
    assert [http("GET", f"{web.url}/health/") for _ in range(6)] == [200] * 6
    wait_until(lambda: classified(Appeal.objects.values("pk")) == 2, "классификация до перезапуска", 60, 0.1)

    # When: PostgreSQL restarts.
    restart_at = time.monotonic()
    servers.postgres.restart()
    back_at = time.monotonic()
    reconnect()

    # Then: every request from now on succeeds, the first one included (nothing failed in between
    # that would have made Django drop the dead connections anyway).
    statuses = [register(2)]
    first_answer = time.monotonic() - back_at
    statuses += [register(i) for i in range(3, AFTER + 2)]
    health = [http("GET", f"{web.url}/health/") for _ in range(6)]
    assert (statuses, health) == ([201] * AFTER, [200] * 6)
    new = list(Appeal.objects.exclude(external_id__in=["pg-0", "pg-1"]).values_list("pk", flat=True))
    wait_until(lambda: classified(new) == AFTER, "классификация после перезапуска", 60, 0.05)
    worker_recovered = time.monotonic() - back_at
    print(
        f"\npg_ctl restart -m fast: {back_at - restart_at:.2f} с; первые {AFTER} регистраций после перезапуска — "
        f"{statuses.count(201)} × 201, первая через {first_answer:.2f} с; worker классифицировал их через "
        f"{worker_recovered:.2f} с после возврата PostgreSQL"
    )
    per_appeal = AppealEvent.objects.filter(kind=AppealEvent.Kind.CLASSIFIED).values("appeal").annotate(n=Count("pk"))
    assert sorted({row["n"] for row in per_appeal}) == [1] and len(per_appeal) == AFTER + 2
