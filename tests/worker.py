"""A real Celery worker process for tests about tasks: it consumes from the test Redis
and writes to the test database (so tests using it need `transactional_db`)."""

import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def terminate(proc: subprocess.Popen | None, timeout: float = 15) -> None:
    """SIGTERM a child process still running, SIGKILL if it does not stop within `timeout`."""
    if proc is not None and proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


class Worker:
    """One `celery worker --pool=solo` subprocess; its output goes to a log file (a pipe nobody
    reads would block a worker that logs a few thousand task lines)."""

    def __init__(self, *, env: dict | None = None, queues: str | None = None, log_path: Path | None = None):
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "cur.settings_test",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            **(env or {}),
        }
        self.node = f"test-{uuid.uuid4().hex[:8]}@localhost"
        self.own_log = log_path is None  # a temporary log, removed when the worker stops
        self.log_path = log_path or Path(tempfile.mkstemp(prefix="celery-worker-", suffix=".log")[1])
        self.queues = queues
        self.proc: subprocess.Popen | None = None

    def start(self, ready_timeout: float = 30.0) -> "Worker":
        celery = Path(sys.executable).parent / "celery"
        args = [str(celery), "-A", "cur", "worker", "--pool=solo", "-n", self.node, "--without-gossip",
                "--without-mingle", "--loglevel=INFO"]  # fmt: skip
        if self.queues:
            args += ["-Q", self.queues]
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(args, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        _wait_until_ready(self, ready_timeout)
        return self

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no requeue of the messages it holds."""
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait()

    def stop(self) -> None:
        terminate(self.proc)
        if self.own_log:
            self.log_path.unlink(missing_ok=True)


@contextmanager
def celery_worker(*, ready_timeout: float = 30.0, purge: bool = True, **options):
    """Start `celery worker` on the test database and broker; yield its node name; stop it.
    `options` go to Worker (env overrides, queues, log_path)."""
    if purge:
        from cur.celery import app

        # Tasks queued by earlier tests (whose rows are gone) would only slow this worker down.
        app.control.purge()
    worker = Worker(**options)
    try:
        worker.start(ready_timeout)
        yield worker.node
    finally:
        worker.stop()


def _wait_until_ready(worker: Worker, timeout: float) -> None:
    from cur.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if worker.proc.poll() is not None:
            raise RuntimeError(f"Celery worker exited early:\n{worker.output()}")
        if app.control.ping(destination=[worker.node], timeout=0.5):
            return
    raise TimeoutError(f"Celery worker {worker.node} did not answer within {timeout} s:\n{worker.output()}")
