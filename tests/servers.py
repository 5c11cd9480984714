"""Private PostgreSQL and Redis servers on free loopback ports, with their data in a temporary folder.

The fault tests stop, kill and restart them without touching the machine's shared services. Run as a
program, this module is what `make test` calls: it runs a command (pytest) against the PostgreSQL and
Redis of DATABASE_URL / REDIS_URL when they answer, and otherwise starts throw-away ones for the run
and stops them after:

    python -m tests.servers pytest -m "not faults"

PostgreSQL refuses to run as root: when the tests run as root, its commands run as the `postgres` user.
"""

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

# The addresses cur/settings_test.py uses when the environment names none.
DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/cur"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"


def postgres_bin() -> Path | None:
    """The folder of initdb and pg_ctl: $PG_BIN, the newest Debian cluster version, or initdb on PATH."""
    if os.environ.get("PG_BIN"):
        return Path(os.environ["PG_BIN"])
    versions = [p.parent for p in Path("/usr/lib/postgresql").glob("*/bin/initdb")]
    if versions:
        return max(versions, key=lambda p: int(p.parent.name) if p.parent.name.isdigit() else 0)
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb else None


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

    def __init__(self, folder: Path, *, max_connections: int = 60) -> None:
        self.bin = postgres_bin()
        if self.bin is None:
            raise RuntimeError("Нет initdb: установите PostgreSQL (apt-get install postgresql) или задайте PG_BIN.")
        self.folder = folder
        self.data = folder / "data"
        self.log_path = folder / "postgres.log"
        self.port = free_port()
        self.max_connections = max_connections
        folder.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            entry = pwd.getpwnam("postgres")
            os.chown(folder, entry.pw_uid, entry.pw_gid)

    def url(self, database: str = "cur") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{database}"

    def _pg_ctl(self, *args: str, timeout: float = 60) -> None:
        # -l: the server's output goes to the log, never to a pipe this process would wait on.
        command = [str(self.bin / "pg_ctl"), "-D", str(self.data), "-l", str(self.log_path), "-w", "-t", "30", *args]
        subprocess.run(command, check=True, timeout=timeout, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       **_postgres_user())  # fmt: skip

    def start(self) -> None:
        if not self.data.exists():
            subprocess.run(
                [str(self.bin / "initdb"), "-D", str(self.data), "-U", "postgres", "--auth=trust", "-E", "UTF8",
                 "--locale=C.UTF-8", "--no-sync"],
                check=True, timeout=120, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, **_postgres_user(),
            )  # fmt: skip
        options = (
            f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off "
            f"-c synchronous_commit=off -c full_page_writes=off -c max_connections={self.max_connections}"
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
        self.server = shutil.which("redis-server") or "/usr/bin/redis-server"
        if not os.path.exists(self.server):
            raise RuntimeError("Нет redis-server: установите Redis (apt-get install redis-server).")
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
            [self.server, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
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


# --- `make test`: the configured services, or throw-away ones -------------------------------------------


def postgres_answers(url: str) -> bool:
    """A session opens on the server of `url` (its maintenance database: the test database is made later)."""
    import psycopg

    parts = urlsplit(url)
    try:
        with psycopg.connect(urlunsplit(parts._replace(path="/postgres")), connect_timeout=3):
            return True
    except psycopg.Error as error:
        print(f"PostgreSQL по адресу {parts.hostname}:{parts.port or 5432} недоступен: {error}".strip())
        return False


def redis_answers(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2).ping())
    except redis.RedisError as error:
        print(f"Redis по адресу {urlsplit(url).netloc} недоступен: {error}")
        return False


def main(command: list[str]) -> int:
    database_url = os.environ.get("DATABASE_URL", DEFAULT_DATABASE_URL)
    redis_url = os.environ.get("REDIS_URL", DEFAULT_REDIS_URL)
    started: list = []
    folder = Path(tempfile.mkdtemp(prefix="cur-test-services-"))
    os.chmod(folder, 0o755)  # noqa: S103 — the postgres user must reach its own subfolder
    env = dict(os.environ)

    def stop(*_):
        for server in reversed(started):
            server.stop()
        shutil.rmtree(folder, ignore_errors=True)

    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        if not postgres_answers(database_url):
            server = PrivatePostgres(folder / "postgres", max_connections=100)
            server.start()
            started.append(server)
            env["DATABASE_URL"] = server.url(urlsplit(database_url).path.lstrip("/") or "cur")
            print(f"Запущен временный PostgreSQL на 127.0.0.1:{server.port} (остановится после тестов).")
        if not redis_answers(redis_url):
            server = PrivateRedis(folder / "redis")
            server.start()
            started.append(server)
            env["REDIS_URL"] = f"redis://127.0.0.1:{server.port}{urlsplit(redis_url).path}"  # the same db number
            print(f"Запущен временный Redis на 127.0.0.1:{server.port} (остановится после тестов).")
        return subprocess.call(command, env=env)
    except (RuntimeError, subprocess.CalledProcessError) as error:
        print(f"Не удалось запустить службы для тестов: {error}", file=sys.stderr)
        return 2
    finally:
        stop()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
