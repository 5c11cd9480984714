"""Theme and territory of incoming messages, filled in after intake (a Celery task, in batches): the
territory by the gazetteer of appeals (place names in the text), the sector block by the appeals
classifier when a model is active and confident. What the source or the moderator set is kept."""

import datetime
import logging

from django.db import transaction
from django.utils import timezone

from appeals.classification import gazetteer
from cur.queue import send
from sectors.models import SectorBlock

from .models import IncomingMessage, MessageEvent

logger = logging.getLogger(__name__)
MIN_CONFIDENCE = 0.5
BATCH = 500


def _predict_sectors(texts: list[str]) -> list[str | None]:
    """Sector codes by the active appeals classifier; Nones when there is none or it fails."""
    try:
        from appeals.classification import predict

        _version, predictions = predict(texts)
    except Exception:  # no active model, or the classifier package is not ready: the moderator decides
        logger.info("Классификатор обращений недоступен: тема сообщений не определена автоматически")
        return [None] * len(texts)
    return [p.sector if p is not None and p.sector_confidence >= MIN_CONFIDENCE else None for p in predictions]


def classify_messages(ids: list[int]) -> int:
    """Fill in the missing territory and sector block of these messages; returns how many changed."""
    messages = list(IncomingMessage.objects.filter(pk__in=ids, classified_at=None).order_by("pk"))
    if not messages:
        return 0
    places = gazetteer.territory_ids([(m.text, "") for m in messages if m.territory_id is None])
    need_sector = [m for m in messages if m.sector_block_id is None]
    codes = _predict_sectors([m.text for m in need_sector]) if need_sector else []
    blocks = dict(SectorBlock.objects.filter(code__in=[c for c in codes if c]).values_list("code", "pk"))
    suggested_sector = {m.pk: blocks.get(code) for m, code in zip(need_sector, codes, strict=True)}
    place_iter = iter(places)
    now = timezone.now()
    changed = 0
    with transaction.atomic():
        for message in messages:
            territory = next(place_iter) if message.territory_id is None else None
            sector = suggested_sector.get(message.pk)
            # Conditional: only a message still unclassified, and only fields still empty, are written.
            fields = {"classified_at": now}
            if territory:
                fields["territory_id"] = territory
            if sector:
                fields["sector_block_id"] = sector
            qs = IncomingMessage.objects.filter(pk=message.pk, classified_at=None)
            if territory:
                qs = qs.filter(territory__isnull=True)
            if sector:
                qs = qs.filter(sector_block__isnull=True)
            if qs.update(**fields) != 1:
                continue
            if territory or sector:
                changed += 1
                MessageEvent.objects.create(
                    message=message,
                    kind=MessageEvent.Kind.CLASSIFIED,
                    to_status=message.status,
                    from_status=message.status,
                    changes={"territory": territory, "sector_block": sector},
                )
    return changed


def requeue_unclassified(older_than_minutes: int = 10, limit: int = 5000) -> int:
    """Messages a lost task left unclassified are sent again (served by message_unclassified_idx)."""
    cutoff = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    ids = list(
        IncomingMessage.objects.filter(classified_at=None, received_at__lt=cutoff)
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )
    for start in range(0, len(ids), BATCH):
        send("moderation.tasks.classify_messages", ids[start : start + BATCH])
    return len(ids)
