"""Fixtures of the fault tests: private PostgreSQL and Redis for the whole session (the test
database is created on them), workers and a web server per test, their logs on failure.

The fault tests run in a session of their own (`make test-faults`, i.e. `pytest -m faults`):
the session's one test database is created on the private PostgreSQL only when every test of the
session is a fault test. In a session that also runs other tests they are skipped."""

import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections

from tests.worker import Worker

from .servers import Gunicorn, PrivatePostgres, PrivateRedis, tail

# What a failing test prints: name → log file. Reset before every test.
LOGS: dict[str, Path] = {}


@dataclass
class Servers:
    root: Path
    postgres: PrivatePostgres
    redis: PrivateRedis


@pytest.fixture(scope="session")
def private_servers():
    root = Path(tempfile.mkdtemp(prefix="cur-faults-"))
    root.chmod(0o755)  # the postgres user must reach its folder inside
    servers = Servers(root, PrivatePostgres(root / "postgres"), PrivateRedis(root / "redis"))
    try:
        servers.postgres.start()
        servers.redis.start()
        yield servers
    finally:
        servers.redis.stop()
        servers.postgres.stop()
        shutil.rmtree(root, ignore_errors=True)


def faults_only(session) -> bool:
    return all(item.get_closest_marker("faults") for item in session.items)


@pytest.fixture(scope="session")
def django_db_modify_db_settings(request):
    """Before pytest-django creates the test database: this process's Django (database, cache)
    and Celery (broker) and every process it starts (REDIS_URL) use the private servers. Only in
    a session of fault tests: pytest runs this override even when the test database already
    exists, and other tests must keep theirs."""
    if not faults_only(request.session):
        return
    private_servers = request.getfixturevalue("private_servers")
    db = settings.DATABASES["default"]  # the very dict the connection reads
    db.update(HOST="127.0.0.1", PORT=str(private_servers.postgres.port), USER="postgres", PASSWORD="")
    url = private_servers.redis.url
    settings.REDIS_URL = settings.CELERY_BROKER_URL = url
    settings.CACHES["default"]["LOCATION"] = url
    os.environ["REDIS_URL"] = url
    from cur.celery import app

    app.conf.broker_url = url


@pytest.fixture(autouse=True)
def servers(request):
    """The private servers, up (a failed test may have left one stopped). In a session that also
    runs other tests the test database lives on the shared server: the fault tests skip there."""
    if not faults_only(request.session):
        pytest.skip("Тесты отказов идут отдельным запуском: make test-faults (pytest -m faults).")
    private_servers = request.getfixturevalue("private_servers")
    request.getfixturevalue("django_db_setup")
    assert settings.DATABASES["default"]["PORT"] == str(private_servers.postgres.port)
    if not private_servers.postgres.is_running():
        private_servers.postgres.start()
    if not private_servers.redis.ping():
        private_servers.redis.start()
    LOGS.clear()
    LOGS.update(postgres=private_servers.postgres.log_path, redis=private_servers.redis.log_path)
    return private_servers


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.failed and item.get_closest_marker("faults"):
        for name, path in LOGS.items():
            report.sections.append((f"журнал: {name}", tail(path)))
    return report


def process_env(tmp_path: Path, **extra: str) -> dict:
    """Environment of a worker or web process: the faults settings, e-mails into tmp_path/mail."""
    return {"DJANGO_SETTINGS_MODULE": "tests.faults.settings", "FAULTS_EMAIL_DIR": str(tmp_path / "mail"), **extra}


@pytest.fixture
def start_worker(tmp_path):
    """start_worker(name, queues=None, **env) → a started Worker on the private servers; every
    worker is stopped after the test, its log printed if the test fails."""
    started: list[Worker] = []

    def start(name: str, queues: str | None = None, **env: str) -> Worker:
        worker = Worker(env=process_env(tmp_path, **env), queues=queues, log_path=tmp_path / f"{name}.log")
        LOGS[name] = worker.log_path
        started.append(worker)
        return worker.start()

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def web(tmp_path):
    """gunicorn (two sync workers) serving the test database with production connection settings."""
    db = settings.DATABASES["default"]
    env = {
        **os.environ,
        **process_env(tmp_path),
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    server = Gunicorn(tmp_path, env)
    LOGS["gunicorn"] = server.log_path
    try:
        server.start()
        yield server
    finally:
        server.stop()


def reconnect() -> None:
    """This process's own database connections after PostgreSQL came back (a request would do it
    through close_old_connections; a test has no request cycle)."""
    for conn in connections.all():
        conn.close()


@pytest.fixture
def intake(db):
    """intake(external_id, text) → the response of POST /api/v1/appeals/ from an integration
    source (the ПОС channel) authenticated by its key, as the portal sends messages."""
    from rest_framework.test import APIClient

    from appeals.intake.integration import create_integration_source

    _, key = create_integration_source("Портал ПОС (тест отказов)", "pos", by=None)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Integration {key}")

    def post(external_id: str, text: str):
        return api.post("/api/v1/appeals/", {"channel": "pos", "external_id": external_id, "text": text}, format="json")

    post.key = key
    return post


def appeal_texts(n: int) -> list[str]:
    """n different appeal texts about roads, hot water, queues at the clinic and garbage."""
    from tests.appeals.pipeline_helpers import EXAMPLES

    return [f"{EXAMPLES[i % len(EXAMPLES)].text}. Адрес: ул. Садовая, д. {i + 1}" for i in range(n)]
