"""Private PostgreSQL, Redis and gunicorn processes for the fault tests.

Each runs on a free loopback port with its data in a temporary folder, so a test can stop, kill
or restart it without touching the machine's shared services on 5432 and 6379. PostgreSQL
refuses to run as root: when the tests run as root, its commands run as the `postgres` user.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from tests.worker import terminate

PG_BIN = Path(os.environ.get("FAULTS_PG_BIN", "/usr/lib/postgresql/15/bin"))
REDIS_SERVER = shutil.which("redis-server") or "/usr/bin/redis-server"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    """A loopback port nobody listens on right now (the kernel's pick for port 0)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tail(path: Path, chars: int = 6000) -> str:
    if not path.exists():
        return f"(нет файла {path})"
    text = path.read_text(errors="replace")
    return text if len(text) <= chars else "…\n" + text[-chars:]


def wait_until(predicate, what: str, timeout: float, interval: float = 0.05):
    """Poll until predicate() is truthy; its value. TimeoutError naming `what` otherwise."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: не дождались за {timeout} с")
        time.sleep(interval)


def _postgres_user() -> dict:
    """subprocess arguments that drop root to the postgres user (PostgreSQL will not run as root)."""
    if os.geteuid() != 0:
        return {}
    return {"user": "postgres", "group": "postgres"}


class PrivatePostgres:
    """A throw-away PostgreSQL cluster (initdb) on a free port; fsync off, it is a test."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.data = folder / "data"
        self.log_path = folder / "postgres.log"
        self.port = free_port()
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(folder, entry.pw_uid, entry.pw_gid)

    def _pg_ctl(self, *args: str, timeout: float = 60) -> None:
        # -l: the server's output goes to the log, never to a pipe this process would wait on.
        command = [str(PG_BIN / "pg_ctl"), "-D", str(self.data), "-l", str(self.log_path), "-w", "-t", "30", *args]
        subprocess.run(command, check=True, timeout=timeout, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       **_postgres_user())  # fmt: skip

    def start(self) -> None:
        if not self.data.exists():
            subprocess.run(
                [str(PG_BIN / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                 "--locale=C.UTF-8", "--no-sync"],
                check=True, timeout=120, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **_postgres_user(),
            )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            "-c synchronous_commit=off -c full_page_writes=off -c max_connections=60"
        )
        self._pg_ctl("-o", options, "start")

    def restart(self) -> None:
        """`pg_ctl restart -m fast`: every session is cut, the server comes back on the same port."""
        self._pg_ctl("-m", "fast", "restart")

    def is_running(self) -> bool:
        return (self.data / "postmaster.pid").exists()

    def stop(self) -> None:
        if self.is_running():
            self._pg_ctl("-m", "immediate", "stop")


class PrivateRedis:
    """redis-server on a free port, no persistence: a stop loses what the queue held, as a crash
    of a Redis without AOF would."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.log_path = folder / "redis.log"
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        folder.mkdir(parents=True, exist_ok=True)

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self):
        import redis

        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def ping(self) -> bool:
        try:
            return bool(self.client().ping())
        except Exception:
            return False

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [REDIS_SERVER, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--maxmemory-policy", "noeviction", "--dir", str(self.folder), "--logfile", str(self.log_path)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        wait_until(lambda: self.proc.poll() is not None or self.ping(), "Redis запускается", 15)
        if self.proc.poll() is not None:
            raise RuntimeError(f"redis-server завершился при запуске:\n{tail(self.log_path)}")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


class Gunicorn:
    """The web as production runs it (Dockerfile): gunicorn sync workers, persistent database
    connections (CONN_MAX_AGE) with health checks."""

    def __init__(self, folder: Path, env: dict, workers: int = 2) -> None:
        self.port = free_port()
        self.log_path = folder / "gunicorn.log"
        self.env = env
        self.workers = workers
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = 30) -> None:
        gunicorn = Path(sys.executable).parent / "gunicorn"
        with open(self.log_path, "ab") as log:
            self.proc = subprocess.Popen(
                [str(gunicorn), "cur.wsgi:application", "--bind", f"127.0.0.1:{self.port}", "--workers",
                 str(self.workers), "--access-logfile", "-"],
                cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            )  # fmt: skip

        def answers() -> bool:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn завершился при запуске:\n{tail(self.log_path)}")
            try:
                with urllib.request.urlopen(f"{self.url}/health/", timeout=2) as response:  # noqa: S310
                    return response.status == 200
            except (urllib.error.URLError, OSError):
                return False

        wait_until(answers, "gunicorn отвечает на /health/", timeout, interval=0.2)

    def stop(self) -> None:
        terminate(self.proc)
