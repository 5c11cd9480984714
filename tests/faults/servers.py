"""Private PostgreSQL, Redis (tests/servers.py) and gunicorn processes for the fault tests.

Each runs on a free loopback port with its data in a temporary folder, so a test can stop, kill
or restart it without touching the machine's shared services on 5432 and 6379.
"""

import subprocess
import sys
import urllib.error
import urllib.request
from pathlib import Path

from tests.servers import PrivatePostgres, PrivateRedis, free_port, tail, wait_until
from tests.worker import terminate

__all__ = ["Gunicorn", "PrivatePostgres", "PrivateRedis", "wait_until"]

ROOT = Path(__file__).resolve().parents[2]


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
