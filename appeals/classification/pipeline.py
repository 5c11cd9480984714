"""The classification pipeline around the classifier (appeals.classification): what happens to an
appeal after registration, the sweep that finds appeals a lost task left unclassified, and the
weekly retraining that activates a new model only if it is not worse.

classify_appeals(ids), run by a Celery task on commit of the registration (one task per imported
chunk), for each appeal still unclassified (`classified_at IS NULL` — an operator's manual
classification is never overwritten):
1. the active model predicts the sector block and the topic for the batch; the gazetteer finds the
   territory in the address or the text;
2. the suggestion (suggested_*, confidence, model_version, classified_at, source «auto») is
   written with one AppealEvent(kind=classified);
3. at a sector confidence of CLASSIFIER_AUTO_ROUTE_THRESHOLD (0.85) or more the appeal also gets
   the sector block, the topic and the territory, and a new appeal is assigned by the routing rules
   (sector block × territory → organisation; the territory's own rule, then its parents', then the
   regional one); below it waits in the operator's triage queue with the suggestion shown;
4. near-duplicates are linked and incidents formed (appeals.classification.duplicates).

A task may run twice or two workers may get the same ids: the rows are locked with
`SELECT … FOR UPDATE SKIP LOCKED` and re-checked for `classified_at IS NULL`, so the second run
changes nothing. Bad input (empty, 1 MB, emoji-only, HTML-only, non-Russian text) never raises:
a text without Russian words gets confidence 0 and goes to the operator.
"""

import datetime
import html
import logging
import re
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cur import audit
from cur.queue import send
from sectors.models import SectorBlock, Territory

from .. import events, services
from ..errors import AppealsError
from ..models import Appeal, AppealEvent, ClassifierVersion, RoutingRule, Topic
from ..signals import appeals_changed
from . import duplicates, gazetteer

logger = logging.getLogger(__name__)

K = AppealEvent.Kind
AUTO = Appeal.ClassificationSource.AUTO
BATCH = 1000
# Characters of a text the model and the gazetteer read: the rest of a 1 MB text says nothing new.
MAX_TEXT_CHARS = 20_000
MIN_CONFIRMED = 50  # fewer operator-confirmed labels than this: retraining adds the seed corpus


def _setting(name: str, default):
    return getattr(settings, name, default)


def auto_route_threshold() -> float:
    return float(_setting("CLASSIFIER_AUTO_ROUTE_THRESHOLD", 0.85))


def _batched(items: Sequence, size: int) -> Iterable[Sequence]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


# --- text --------------------------------------------------------------------------------------

_TAG_RE = re.compile(r"<[^<>]*>")
_RUSSIAN_WORD_RE = re.compile(r"[а-яё]{3,}", re.IGNORECASE)


def model_text(text: str) -> str:
    """The part of a text the model reads."""
    return (text or "")[:MAX_TEXT_CHARS]


def has_russian_words(text: str, minimum: int = 2) -> bool:
    """Whether the text (tags and entities aside) has at least `minimum` Russian words of 3+ letters:
    without them a prediction is noise (emoji, an HTML shell, English, a phone number)."""
    text = model_text(text)
    if "<" in text:
        text = _TAG_RE.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    return any(n >= minimum for n, _ in enumerate(_RUSSIAN_WORD_RE.finditer(text), start=1))


def _predict(texts: list[str]):
    """(version, predictions) for the texts; a text the model fails on gets no prediction (None)
    instead of failing the batch. (None, []) when no model is active."""
    from . import predict

    readable = [i for i, t in enumerate(texts) if has_russian_words(t)]
    predictions: list = [None] * len(texts)
    if not readable:
        version = ClassifierVersion.objects.filter(is_active=True).only("pk", "version").first()
        return version, predictions
    try:
        version, found = predict([texts[i] for i in readable])
    except Exception:
        logger.exception("Классификатор не справился с пакетом из %d текстов: классифицирую по одному", len(readable))
        version, found = None, []
        for i in readable:
            try:
                version, (prediction,) = predict([texts[i]])
                predictions[i] = prediction
            except Exception:
                logger.exception("Классификатор не справился с текстом обращения (позиция %d в пакете)", i)
        if version is None:
            version = ClassifierVersion.objects.filter(is_active=True).only("pk", "version").first()
        return version, predictions
    if version is None:
        return None, []
    for i, prediction in zip(readable, found, strict=True):
        predictions[i] = prediction
    return version, predictions


# --- routing -----------------------------------------------------------------------------------


class Router:
    """Routing rules for one batch: the territory's own active rule, then its parents', then the
    regional one (no territory). Two queries per batch, whatever its size."""

    def __init__(self, sector_ids: set[int], territory_ids: set[int]) -> None:
        self.rules: dict[tuple[int, int | None], int] = {}
        if sector_ids:
            for block_id, territory_id, organisation_id in RoutingRule.objects.filter(
                is_active=True, sector_block_id__in=sector_ids, organisation__is_active=True
            ).values_list("sector_block_id", "territory_id", "organisation_id"):
                self.rules[(block_id, territory_id)] = organisation_id
        self.parents: dict[int, int | None] = {}
        pending = set(territory_ids)
        for _ in range(6):  # region → district → settlement → locality: a few levels at most
            pending -= set(self.parents)
            if not pending:
                break
            rows = Territory.objects.filter(pk__in=pending).values_list("pk", "parent_id")
            self.parents.update(rows)
            pending = {parent for _, parent in rows if parent}

    def organisation_for(self, sector_id: int, territory_id: int | None) -> int | None:
        seen = set()
        while territory_id is not None and territory_id not in seen:
            seen.add(territory_id)
            found = self.rules.get((sector_id, territory_id))
            if found:
                return found
            territory_id = self.parents.get(territory_id)
        return self.rules.get((sector_id, None))


# --- classification ----------------------------------------------------------------------------


def _empty_counts() -> dict:
    return {"classified": 0, "routed": 0, "queued": 0, "skipped": 0, "duplicates": 0, "incidents": 0, "joined": 0}


def classify_appeals(ids: Iterable[int]) -> dict:
    """Classify the still unclassified appeals among `ids`; route the confident ones; link duplicates."""
    counts = _empty_counts()
    ids = sorted({int(i) for i in ids})
    for chunk in _batched(ids, int(_setting("CLASSIFIER_BATCH_SIZE", BATCH))):
        classified = _classify_chunk(list(chunk), counts)
        if not classified:
            continue
        # After the commit, in short transactions of their own: linking an appeal to an incident
        # locks rows another worker may hold, and a lost duplicate link costs less than a lost
        # classification (tolerated: a crash right here leaves these appeals without the check).
        try:
            found = duplicates.process_new_appeals(classified)
        except Exception:
            logger.exception("Поиск похожих обращений не удался для %d обращений", len(classified))
        else:
            for key, value in found.items():
                counts[key] += value
    return counts


def _classify_chunk(ids: list[int], counts: dict) -> list[int]:
    rows = list(Appeal.objects.filter(pk__in=ids, classified_at=None).values_list("pk", "text", "address"))
    counts["skipped"] += len(ids) - len(rows)
    if not rows:
        return []
    texts = [model_text(text) for _, text, _ in rows]
    version, predictions = _predict(texts)
    if version is None:
        # No active model: nothing to suggest. The sweep retries once a model is activated.
        logger.warning("Нет активной версии классификатора: %d обращений ждут классификации", len(rows))
        counts["skipped"] += len(rows)
        return []
    places = gazetteer.territory_ids([(text, address or "") for text, (_, _, address) in zip(texts, rows, strict=True)])
    by_pk = {pk: (prediction, place) for (pk, _, _), prediction, place in zip(rows, predictions, places, strict=True)}

    sector_codes = {p.sector for p in predictions if p is not None and p.sector}
    topic_codes = {p.topic for p in predictions if p is not None and p.topic}
    sectors = dict(SectorBlock.objects.filter(code__in=sector_codes, is_active=True).values_list("code", "pk"))
    topics = {
        code: (pk, block_id)
        for code, pk, block_id in Topic.objects.filter(code__in=topic_codes, is_active=True).values_list(
            "code", "pk", "sector_block_id"
        )
    }
    threshold = auto_route_threshold()
    topic_threshold = float(_setting("CLASSIFIER_AUTO_TOPIC_THRESHOLD", 0.5))
    now = timezone.now()
    classified: list[int] = []

    with transaction.atomic():
        # SKIP LOCKED: a row another worker is classifying right now is its business; the
        # re-check of classified_at makes a second run of this task a no-op.
        locked = list(
            Appeal.objects.select_for_update(skip_locked=True, of=("self",)).filter(
                pk__in=list(by_pk), classified_at=None
            )
        )
        counts["skipped"] += len(by_pk) - len(locked)
        confident: list[Appeal] = []
        timeline: list[AppealEvent] = []
        for appeal in locked:
            prediction, place_id = by_pk[appeal.pk]
            sector_id, topic_id, topic_block = None, None, None
            if prediction is not None:
                sector_id = sectors.get(prediction.sector)
                topic_id, topic_block = topics.get(prediction.topic, (None, None))
            if topic_block != sector_id:
                topic_id = None  # a topic must belong to the suggested block
            confidence = float(prediction.sector_confidence) if prediction is not None and sector_id else 0.0
            fields = {
                "suggested_sector_block_id": sector_id,
                "suggested_topic_id": topic_id,
                "suggested_territory_id": place_id,
                "confidence": round(confidence, 4),
                "model_version": version.version,
                "classification_source": AUTO,
                "classified_at": now,
            }
            is_confident = sector_id is not None and confidence >= threshold
            if is_confident:
                fields["sector_block_id"] = sector_id
                if topic_id is not None and float(prediction.topic_confidence) >= topic_threshold:
                    fields["topic_id"] = topic_id
                if appeal.territory_id is None and place_id is not None:
                    fields["territory_id"] = place_id
                confident.append(appeal)
            # The timeline names fields as the other services do: «sector_block», not «sector_block_id».
            changes = {name.removesuffix("_id"): pair for name, pair in audit.apply_changes(appeal, fields).items()}
            appeal.updated_at = now
            comment = _comment(appeal, confident=is_confident, threshold=threshold)
            timeline.append(events.classified(appeal.pk, changes=changes, comment=comment))
        if not locked:
            return []
        duplicates.update_appeals(
            [("suggested_sector_block_id", "bigint"), ("suggested_topic_id", "bigint"),
             ("suggested_territory_id", "bigint"), ("confidence", "double precision"), ("sector_block_id", "bigint"),
             ("topic_id", "bigint"), ("territory_id", "bigint")],
            [(a.pk, a.suggested_sector_block_id, a.suggested_topic_id, a.suggested_territory_id, a.confidence,
              a.sector_block_id, a.topic_id, a.territory_id) for a in locked],
            constants={"model_version": version.version, "classification_source": str(AUTO.value),
                       "classified_at": now, "updated_at": now},
        )  # fmt: skip
        events.write(timeline)
        classified = [a.pk for a in locked]
        transaction.on_commit(lambda: appeals_changed.send(Appeal, appeal_ids=classified, kind=K.CLASSIFIED))
        counts["classified"] += len(locked)
        routed = _route(confident)
        counts["routed"] += routed
        counts["queued"] += len(locked) - routed
    return classified


def _comment(appeal: Appeal, *, confident: bool, threshold: float) -> str:
    where = "" if appeal.suggested_territory_id is None else " Территория найдена в адресе или тексте."
    if appeal.suggested_sector_block_id is None:
        return "Автоматическая классификация: по тексту тему определить не удалось; решает оператор." + where
    if confident:
        return f"Автоматическая классификация (уверенность {appeal.confidence:.2f}).{where}"
    return (
        f"Предложена классификация (уверенность {appeal.confidence:.2f} ниже порога {threshold:.2f}): "
        f"обращение ждёт оператора.{where}"
    )


def _route(appeals: list[Appeal]) -> int:
    """Assign the confident new appeals by the routing rules; the others stay in triage."""
    new = [a for a in appeals if a.status == Appeal.Status.NEW and a.organisation_id is None]
    if not new:
        return 0
    router = Router({a.sector_block_id for a in new}, {a.territory_id for a in new if a.territory_id})
    organisations = {}
    routed = 0
    for appeal in new:
        organisation_id = router.organisation_for(appeal.sector_block_id, appeal.territory_id)
        if organisation_id is None:
            continue
        if organisation_id not in organisations:
            from sectors.models import Organisation

            organisations[organisation_id] = Organisation.objects.get(pk=organisation_id)
        try:
            services.assign_appeal(
                appeal, organisation=organisations[organisation_id], by=None,
                comment="Назначено автоматически по правилу маршрутизации.",
            )  # fmt: skip
        except AppealsError as exc:  # e.g. the organisation was just switched off: the operator decides
            logger.warning("Автоматическое назначение обращения %s не выполнено: %s", appeal.pk, exc.message)
            continue
        routed += 1
    return routed


# --- the sweep ---------------------------------------------------------------------------------


def requeue_unclassified(older_than_minutes: int = 10, limit: int = 5000) -> int:
    """Queue classification of appeals a lost task left unclassified; how many were queued."""
    if not ClassifierVersion.objects.filter(is_active=True).exists():
        return 0  # nothing could classify them; they are picked up once a model is active
    cutoff = timezone.now() - datetime.timedelta(minutes=older_than_minutes)
    # appeal_unclassified_idx (registered_at) WHERE classified_at IS NULL; pk breaks ties (bulk imports
    # register many appeals at one instant), so `limit` takes a defined set.
    ids = list(
        Appeal.objects.filter(classified_at=None, registered_at__lt=cutoff)
        .order_by("registered_at", "pk")
        .values_list("pk", flat=True)[:limit]
    )
    for chunk in _batched(ids, int(_setting("CLASSIFIER_BATCH_SIZE", BATCH))):
        if not send("appeals.tasks.classify_appeals", list(chunk)):
            break  # the broker is down: the next sweep tries again
    return len(ids)


# --- retraining --------------------------------------------------------------------------------


def _split(examples: list, holdout: float, random_state: int = 42) -> tuple[list, list]:
    """A held-out split of the confirmed labels, stratified by sector block where every block has
    two examples or more; deterministic for the same labels."""
    from sklearn.model_selection import train_test_split

    if len(examples) < 2:
        return list(examples), []
    sectors = [e.sector for e in examples]
    counts = {s: sectors.count(s) for s in set(sectors)}
    size = max(1, round(len(examples) * holdout))
    stratify = sectors if min(counts.values()) >= 2 and size >= len(counts) else None
    train, test = train_test_split(list(examples), test_size=size, random_state=random_state, stratify=stratify)
    return train, test


def sector_macro_f1(version: ClassifierVersion, examples: list) -> float:
    """Sector-level macro-F1 (over the blocks present in the examples) of a stored version."""
    from . import evaluate

    return float(evaluate(version, examples).get("sector_macro_f1", 0.0))


def retrain(by=None) -> ClassifierVersion:
    """Train a new version on the operators' labels and activate it only if, on a held-out split of
    those labels, it is not worse than the active one; otherwise keep it inactive and say why."""
    from . import activate_version, confirmed_examples, seed_examples, train_version

    holdout_share = float(_setting("CLASSIFIER_RETRAIN_HOLDOUT", 0.2))
    minimum = int(_setting("CLASSIFIER_RETRAIN_MIN_CONFIRMED", MIN_CONFIRMED))
    confirmed = confirmed_examples()
    train, holdout = _split(confirmed, holdout_share)
    notes: list[str] = []
    training = list(train)
    source = "retrain"
    if len(confirmed) < minimum:
        training += seed_examples()
        source = "retrain+seed"
        notes.append(
            f"Подтверждённых оператором меток мало ({len(confirmed)} < {minimum}): к ним добавлен начальный корпус."
        )
    if len({e.sector for e in training}) < 2:
        training += seed_examples()
        source = "retrain+seed"
        notes.append("Подтверждённые метки относятся к одному отраслевому блоку: добавлен начальный корпус.")
    active = ClassifierVersion.objects.filter(is_active=True).defer("payload").first()
    # The new model never sees the held-out labels; the active one may have (it was trained on an
    # earlier set of them), which favours keeping it — the safe side for "not worse".
    version = train_version(training, source=source, by=by, activate=False)

    comparison: dict = {"holdout_size": len(holdout), "active_version": active.version if active else None}
    if active is None:
        activate = True
        notes.append("Активной версии не было: новая версия активирована.")
    elif not holdout:
        activate = False
        notes.append(
            "Нет отложенной выборки подтверждённых оператором меток, сравнить с активной версией "
            f"{active.version} не на чем: новая версия не активирована."
        )
    else:
        new_f1 = sector_macro_f1(version, holdout)
        old_f1 = sector_macro_f1(active, holdout)
        comparison.update(new_sector_macro_f1=round(new_f1, 4), active_sector_macro_f1=round(old_f1, 4))
        tolerance = float(_setting("CLASSIFIER_RETRAIN_TOLERANCE", 0.0))
        activate = new_f1 + tolerance + 1e-9 >= old_f1
        scores = f"macro-F1 по блокам {new_f1:.3f} против {old_f1:.3f} у активной версии {active.version}"
        sample = f"на отложенной выборке из {len(holdout)} подтверждённых меток"
        if activate:
            notes.append(f"Не хуже активной: {scores} {sample}. Новая версия активирована.")
        else:
            notes.append(f"Хуже активной: {scores} {sample}. Новая версия не активирована, работает прежняя.")
        if len(holdout) < 20:
            notes.append("Отложенная выборка мала: сравнение ненадёжно.")

    metrics = {**(version.metrics or {}), "comparison": comparison}
    ClassifierVersion.objects.filter(pk=version.pk).update(notes=" ".join(notes), metrics=metrics)
    version.notes, version.metrics = " ".join(notes), metrics
    if activate:
        activate_version(version, by=by)
        version.refresh_from_db(fields=["is_active", "activated_at"])
    logger.info("Переобучение классификатора: %s", version.notes)
    return version
