"""Test overlay: PostgreSQL and Redis on the local machine unless the environment says otherwise.

Each pytest-xdist worker (PYTEST_XDIST_WORKER gw0, gw1 …) gets a database of its own (pytest-django
names it test_<name>_gw0 …), a Redis database of its own (REDIS_URL's number plus the worker's:
gw0 → 14, gw1 → 15 by default) and a VAR_DIR of its own (media, file cache) in a temporary folder of
the run, never var/ of the work tree. The worker's Redis URL and VAR_DIR are computed here, not left
in os.environ: a process a test starts (the Celery worker of tests/worker.py) inherits REDIS_URL
(the base number) and PYTEST_XDIST_WORKER and so computes the same ones.
"""

import atexit
import os
import shutil
import tempfile
from urllib.parse import urlsplit, urlunsplit

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/cur")
os.environ.setdefault("SECRET_KEY", "test-only-key")
os.environ.setdefault("DEBUG", "0")

DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/14"
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")


def _worker_number() -> int:
    return int(XDIST_WORKER.removeprefix("gw")) if XDIST_WORKER.startswith("gw") else 0


def _worker_redis_url(url: str) -> str:
    """REDIS_URL with its database number moved on by the xdist worker's number."""
    parts = urlsplit(url)
    base = int(parts.path.strip("/") or 0)
    db = base + _worker_number()
    if db > 15:
        raise RuntimeError(f"Redis has databases 0–15: {url} leaves none for xdist worker {XDIST_WORKER}")
    return urlunsplit(parts._replace(path=f"/{db}"))


def _run_var_dir() -> str:
    """A temporary folder for this run (made by the first process, removed when it exits)."""
    if not os.environ.get("CUR_TEST_VAR_ROOT"):
        root = tempfile.mkdtemp(prefix="cur-tests-")
        os.environ["CUR_TEST_VAR_ROOT"] = root  # inherited by xdist workers and the processes tests start
        atexit.register(shutil.rmtree, root, ignore_errors=True)
    return os.path.join(os.environ["CUR_TEST_VAR_ROOT"], XDIST_WORKER or "main")


os.environ.setdefault("REDIS_URL", DEFAULT_REDIS_URL)
_inherited = {name: os.environ.get(name) for name in ("REDIS_URL", "VAR_DIR")}
os.environ["REDIS_URL"] = _worker_redis_url(_inherited["REDIS_URL"])
os.environ["VAR_DIR"] = _inherited["VAR_DIR"] or _run_var_dir()  # a test may name its own (a worker's)
try:
    from .settings import *  # noqa: F403
finally:
    for _name, _value in _inherited.items():
        if _value is None:
            os.environ.pop(_name, None)
        else:
            os.environ[_name] = _value

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
SECURE_SSL_REDIRECT = False
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
WHITENOISE_AUTOREFRESH = True

if os.environ.get("CUR_TEST_CLOCK_OFFSET"):
    # A process started by a test run with --clock (tests/conftest.py): the same moved clock.
    import time

    import time_machine

    time_machine.travel(time.time() + float(os.environ["CUR_TEST_CLOCK_OFFSET"]), tick=True).start()
