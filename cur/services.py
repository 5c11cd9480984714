"""Writes of the core app: login throttling and worker heartbeats."""

import hashlib

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from .models import WorkerHeartbeat


def _login_key(username: str, ip: str | None) -> str:
    raw = f"{username.strip().lower()}|{ip or ''}".encode()
    return "login-failures:" + hashlib.sha256(raw).hexdigest()


def login_locked(username: str, ip: str | None) -> bool:
    """Whether this username has failed too often from this address within the window."""
    return cache.get(_login_key(username, ip), 0) >= settings.LOGIN_FAILURE_LIMIT


def record_login_failure(username: str, ip: str | None) -> None:
    key = _login_key(username, ip)
    # add() is a no-op when the key exists; incr() is atomic on Redis. Two failures racing
    # between add and incr may both count: the lock only comes sooner, which is harmless.
    cache.add(key, 0, timeout=settings.LOGIN_FAILURE_WINDOW)
    try:
        cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=settings.LOGIN_FAILURE_WINDOW)


def clear_login_failures(username: str, ip: str | None) -> None:
    cache.delete(_login_key(username, ip))


def record_heartbeat(worker: str) -> None:
    """Note that `worker` is alive now (run by the beat's heartbeat task)."""
    WorkerHeartbeat.objects.update_or_create(worker=worker, defaults={"seen_at": timezone.now()})
