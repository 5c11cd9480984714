"""Surge detection (Celery beat): messages on one theme (sector block) and territory, published within
the last window, compared with their baseline — the average count per window of the same length over
the preceding days. A key whose count is at least MIN_COUNT and RATIO times its baseline becomes a
proposed information event (`Surge`) for the moderators; a key already proposed is updated, not
proposed twice (a partial unique index guards two racing sweeps)."""

import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Sum
from django.urls import reverse
from django.utils import timezone

from cur.models import User
from cur.roles import Role
from cur.services import notify

from .models import IncomingMessage, Surge

DEFAULTS = {"window_hours": 6, "baseline_days": 7, "min_count": 5, "ratio": 3.0}
SAMPLE = 10


def surge_settings() -> dict:
    return {**DEFAULTS, **getattr(settings, "MODERATION_SURGE", {})}


def _counts(start: datetime.datetime, end: datetime.datetime) -> dict[tuple[int, int], dict]:
    # Served by message_posted_idx: the messages of the window (or of the baseline) by publication time.
    rows = (
        IncomingMessage.objects.filter(
            posted_at__gte=start, posted_at__lt=end, sector_block__isnull=False, territory__isnull=False
        )
        .values("sector_block_id", "territory_id")
        .annotate(n=Count("pk"), reach=Sum("reach"))
        .order_by()
    )
    return {(r["sector_block_id"], r["territory_id"]): r for r in rows}


def is_surge(count: int, baseline: float, *, min_count: int, ratio: float) -> bool:
    """The rule, alone: enough messages, and `ratio` times more than usual (a quiet key's usual is
    taken as at least one message per window, so a handful of posts on a silent theme is not a surge)."""
    return count >= min_count and count >= ratio * max(baseline, 1.0)


def detect_surges(now: datetime.datetime | None = None) -> list[Surge]:
    """Propose (or update) a surge for every theme × territory growing faster than its baseline."""
    conf = surge_settings()
    now = now or timezone.now()
    window = datetime.timedelta(hours=conf["window_hours"])
    window_start = now - window
    baseline_start = window_start - datetime.timedelta(days=conf["baseline_days"])
    windows_in_baseline = (window_start - baseline_start) / window
    recent = _counts(window_start, now)
    baseline = _counts(baseline_start, window_start)
    found: list[Surge] = []
    for (block_id, territory_id), row in recent.items():
        usual = baseline.get((block_id, territory_id), {}).get("n", 0) / windows_in_baseline
        if not is_surge(row["n"], usual, min_count=conf["min_count"], ratio=conf["ratio"]):
            continue
        sample = list(
            IncomingMessage.objects.filter(
                sector_block_id=block_id, territory_id=territory_id, posted_at__gte=window_start, posted_at__lt=now
            )
            .order_by("-reach", "-pk")
            .values_list("pk", flat=True)[:SAMPLE]
        )
        surge, created = _propose(block_id, territory_id, window_start, now, row["n"], usual, row["reach"] or 0, sample)
        if surge is not None:
            found.append(surge)
            if created:
                _tell_moderators(surge)
    return found


def _propose(block_id, territory_id, start, end, count, usual, reach, sample) -> tuple[Surge | None, bool]:
    fields = {
        "window_start": start,
        "window_end": end,
        "count": count,
        "baseline": round(usual, 2),
        "reach": reach,
        "sample": sample,
    }
    try:
        with transaction.atomic():
            current = (
                Surge.objects.select_for_update()
                .filter(sector_block_id=block_id, territory_id=territory_id, status=Surge.Status.PROPOSED)
                .first()
            )
            if current is None:
                return Surge.objects.create(sector_block_id=block_id, territory_id=territory_id, **fields), True
            if count >= current.count or end - current.window_end >= datetime.timedelta(hours=1):
                for name, value in fields.items():
                    setattr(current, name, value)
                current.save()
            return current, False
    except IntegrityError:
        # Tolerated race: another sweep proposed the same key a moment ago; it stays as proposed.
        return None, False


def _tell_moderators(surge: Surge) -> None:
    surge = Surge.objects.select_related("sector_block", "territory").get(pk=surge.pk)
    moderators = User.objects.filter(role=Role.MODERATOR, is_active=True)
    notify(
        moderators,
        title=f"Всплеск сообщений: {surge.sector_block}, {surge.territory}",
        body=f"{surge.count} сообщений за {surge_settings()['window_hours']} ч при обычных {surge.baseline:.1f}.",
        url=reverse("moderation:surge-list"),
    )
