"""The model registry: which ClassifierVersion is active, the loaded model of this process, and
prediction with it.

A worker loads the active model once and keeps it; each predict() call asks the database only for
the active version's id (one indexed query on the partial unique index) and reloads when an admin
has activated another version in the meantime.
"""

import logging
import threading

from django.db import transaction
from django.utils import timezone

from cur import audit

from ..models import ClassifierVersion
from . import Prediction
from .model import AppealClassifier

logger = logging.getLogger(__name__)

_lock = threading.Lock()
# The active version as last loaded by this process: (version id, version without payload, model).
# A payload that fails to load is remembered as (id, version, None) so it is not retried per call.
_loaded: tuple[int, ClassifierVersion, AppealClassifier | None] | None = None


def active_version() -> ClassifierVersion | None:
    """The active version (without its payload), or None."""
    return ClassifierVersion.objects.defer("payload").filter(is_active=True).first()


def load_model(version: ClassifierVersion) -> AppealClassifier:
    """The model stored in a version (reads the payload if it was deferred)."""
    payload = ClassifierVersion.objects.filter(pk=version.pk).values_list("payload", flat=True).get()
    return AppealClassifier.loads(payload)


def _active_model() -> tuple[ClassifierVersion | None, AppealClassifier | None]:
    global _loaded
    active_id = ClassifierVersion.objects.filter(is_active=True).values_list("pk", flat=True).first()
    if active_id is None:
        return None, None
    loaded = _loaded
    if loaded is not None and loaded[0] == active_id:
        return loaded[1], loaded[2]
    with _lock:
        if _loaded is not None and _loaded[0] == active_id:
            return _loaded[1], _loaded[2]
        version = ClassifierVersion.objects.defer("payload").filter(pk=active_id).first()
        if version is None:  # deactivated and deleted between the two queries
            return None, None
        try:
            model = load_model(version)
        except Exception:
            # An unreadable payload (trained by an incompatible release) must not kill the worker:
            # appeals then wait for an operator, as with no model at all.
            logger.exception("Classifier version %s cannot be loaded", version)
            model = None
        _loaded = (active_id, version, model)
        return version, model


def predict(texts: list[str]) -> tuple[ClassifierVersion | None, list[Prediction]]:
    """Classify a batch with the active model; (None, []) when no model is active."""
    version, model = _active_model()
    if version is None or model is None:
        return None, []
    clean = [t if isinstance(t, str) else "" for t in texts]
    return version, [Prediction(*row) for row in model.predict(clean)]


def forget_loaded_model() -> None:
    """Drop this process's loaded model (tests; a worker never needs it)."""
    global _loaded
    with _lock:
        _loaded = None


@transaction.atomic
def activate_version(version: ClassifierVersion, *, by) -> ClassifierVersion:
    """Make `version` the active one (the previous one is deactivated in the same transaction)."""
    # Lock every version row in a fixed order: two concurrent activations then run one after the
    # other, and the second one's UPDATE (a new statement, a new snapshot) sees the first one's
    # winner and deactivates it — the partial unique index never sees two active rows. The table
    # holds a few dozen rows.
    list(ClassifierVersion.objects.select_for_update().order_by("pk").values_list("pk", flat=True))
    previous = list(
        ClassifierVersion.objects.filter(is_active=True).exclude(pk=version.pk).values_list("version", flat=True)
    )
    ClassifierVersion.objects.filter(is_active=True).exclude(pk=version.pk).update(is_active=False)
    now = timezone.now()
    already = ClassifierVersion.objects.filter(pk=version.pk, is_active=True).exists()
    ClassifierVersion.objects.filter(pk=version.pk).update(is_active=True, activated_at=now)
    version.is_active, version.activated_at = True, now
    changes = {"is_active": [already, True]}
    if previous:
        changes["previous"] = previous
    audit.record(by, "classifier.activate", version, changes)
    return version
