"""Writes of the core app: login throttling and worker heartbeats."""

import hashlib
import logging

from django.conf import settings
from django.core.cache import cache
from django.core.cache.backends.locmem import LocMemCache
from django.utils import timezone
from redis.exceptions import RedisError

from .models import WorkerHeartbeat

log = logging.getLogger(__name__)

# When Redis is unreachable the failure counters live in this process for the time being: login
# keeps working and is still throttled (per web process) instead of failing with a 500.
_fallback_cache = LocMemCache("login-failures", {"TIMEOUT": None})


def _counter(method: str, *args, **kwargs):
    try:
        return getattr(cache, method)(*args, **kwargs)
    except (RedisError, OSError):
        log.warning("Кэш недоступен: счётчик неудачных входов ведётся в памяти процесса")
        return getattr(_fallback_cache, method)(*args, **kwargs)


def _login_key(username: str, ip: str | None) -> str:
    raw = f"{username.strip().lower()}|{ip or ''}".encode()
    return "login-failures:" + hashlib.sha256(raw).hexdigest()


def login_locked(username: str, ip: str | None) -> bool:
    """Whether this username has failed too often from this address within the window."""
    return _counter("get", _login_key(username, ip), 0) >= settings.LOGIN_FAILURE_LIMIT


def record_login_failure(username: str, ip: str | None) -> None:
    key = _login_key(username, ip)
    # add() is a no-op when the key exists; incr() is atomic on Redis. Two failures racing
    # between add and incr may both count: the lock only comes sooner, which is harmless.
    _counter("add", key, 0, timeout=settings.LOGIN_FAILURE_WINDOW)
    try:
        _counter("incr", key)
    except ValueError:  # expired between add and incr
        _counter("set", key, 1, timeout=settings.LOGIN_FAILURE_WINDOW)


def clear_login_failures(username: str, ip: str | None) -> None:
    _counter("delete", _login_key(username, ip))


def record_heartbeat(worker: str) -> None:
    """Note that `worker` is alive now (run by the beat's heartbeat task)."""
    WorkerHeartbeat.objects.update_or_create(worker=worker, defaults={"seen_at": timezone.now()})


def notify(users, *, title: str, body: str = "", url: str = "") -> list:
    """In-app notifications for `users`, e-mailed after the transaction commits."""
    from .models import Notification
    from .queue import send_on_commit

    rows = Notification.objects.bulk_create(
        [Notification(user=u, title=title[:255], body=body, url=url) for u in users if u.is_active]
    )
    ids = [n.pk for n in rows]
    if ids:
        send_on_commit("cur.tasks.email_notifications", ids)
    return rows


def email_notifications(ids: list[int]) -> int:
    """Send the e-mails of these notifications to users who have an address; returns how many."""
    from django.core.mail import get_connection, send_mass_mail

    from .models import Notification

    site = settings.SITE_URL.rstrip("/")
    messages = [
        (n.title, f"{n.body}\n\n{site}{n.url}" if n.url else n.body, None, [n.user.email])
        for n in Notification.objects.filter(pk__in=ids).select_related("user")
        if n.user.email
    ]
    return send_mass_mail(messages, fail_silently=False, connection=get_connection()) if messages else 0


def mark_notifications_read(user, ids: list[int] | None = None) -> int:
    """Mark the user's notifications (all unread, or the given ones) read."""
    from .models import Notification

    qs = Notification.objects.filter(user=user, read_at=None)
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs.update(read_at=timezone.now())
