from datetime import timedelta

from django.db import connection
from django.utils import timezone

from .models import WorkerHeartbeat

HEARTBEAT_STALE_AFTER = timedelta(minutes=3)


def system_health() -> dict:
    """Database reachability and the workers that answered the beat recently."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    cutoff = timezone.now() - HEARTBEAT_STALE_AFTER
    workers = list(WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker", flat=True))
    return {"database": "ok", "workers": sorted(workers)}
