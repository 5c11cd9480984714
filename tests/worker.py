"""A real Celery worker process for tests about tasks: it consumes from the test Redis
and writes to the test database (so tests using it need `transactional_db`)."""

import os
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


@contextmanager
def celery_worker(*, ready_timeout: float = 30.0):
    """Start `celery worker` on the test database and broker; yield its node name; stop it."""
    db = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "cur.settings_test",
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
    }
    node = f"test-{uuid.uuid4().hex[:8]}@localhost"
    from cur.celery import app

    # Tasks queued by earlier tests (whose rows are gone) would only slow this worker down.
    app.control.purge()
    celery = Path(sys.executable).parent / "celery"
    proc = subprocess.Popen(
        [str(celery), "-A", "cur", "worker", "--pool=solo", "-n", node, "--without-gossip", "--without-mingle",
         "--loglevel=INFO"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        _wait_until_ready(node, proc, ready_timeout)
        yield node
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _wait_until_ready(node: str, proc: subprocess.Popen, timeout: float) -> None:
    from cur.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Celery worker exited early:\n{proc.stdout.read()}")
        if app.control.ping(destination=[node], timeout=0.5):
            return
    raise TimeoutError(f"Celery worker {node} did not answer within {timeout} s")
