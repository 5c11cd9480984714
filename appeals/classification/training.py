"""Training and evaluation: a stratified held-out split for the metrics, then a refit on every
example for the stored model; a new ClassifierVersion per training run."""

import random
import re
import secrets
import time
from collections import defaultdict
from collections.abc import Sequence

import numpy as np
from django.utils import timezone
from sklearn.metrics import accuracy_score, classification_report, f1_score

from cur import audit
from sectors.models import SectorBlock

from ..models import Appeal, ClassifierVersion, Topic
from . import Example
from .model import AppealClassifier, class_counts
from .registry import activate_version, load_model

CALIBRATION_BINS = 10


def confirmed_examples() -> list[Example]:
    """Operator-confirmed labels: appeals classified manually, with a sector block (and topic when set)."""
    rows = (
        Appeal.objects.filter(classification_source=Appeal.ClassificationSource.MANUAL, sector_block__isnull=False)
        .order_by("pk")
        .values_list("text", "sector_block__code", "topic__code", "topic__sector_block__code")
    )
    examples = []
    for text, sector, topic, topic_sector in rows.iterator(chunk_size=2000):
        # A topic of another block (edited separately) would teach the topic model a contradiction.
        examples.append(Example(text=text, sector=sector, topic=topic if topic_sector == sector else None, source="db"))
    return examples


def _consistent(examples: Sequence[Example]) -> tuple[list[Example], int]:
    """The examples the database can take: a known sector block (else the example is skipped) and
    a topic of that block (else the topic is dropped) — the pipeline stores what the model says."""
    sectors = set(SectorBlock.objects.values_list("code", flat=True))
    topic_sector = dict(Topic.objects.values_list("code", "sector_block__code"))
    result, skipped = [], 0
    for example in examples:
        if example.sector not in sectors or not isinstance(example.text, str):
            skipped += 1
        elif example.topic is not None and topic_sector.get(example.topic) != example.sector:
            result.append(Example(example.text, example.sector, None, example.source))
        else:
            result.append(example)
    return result, skipped


def stratified_split(examples: Sequence[Example], holdout: float, random_state: int) -> tuple[list, list]:
    """(train, test): `holdout` of each sector block in the test part; a block with a single
    example stays in training (it cannot be both learned and tested)."""
    by_sector: dict[str, list[Example]] = defaultdict(list)
    for example in examples:
        by_sector[example.sector].append(example)
    rng = random.Random(random_state)  # noqa: S311 - a reproducible split, not a secret
    train, test = [], []
    for sector in sorted(by_sector):
        group = by_sector[sector][:]
        rng.shuffle(group)
        n_test = round(len(group) * holdout) if len(group) > 1 else 0
        if holdout > 0 and len(group) > 1:
            n_test = min(max(n_test, 1), len(group) - 1)
        test.extend(group[:n_test])
        train.extend(group[n_test:])
    return train, test


def _ece(confidence: np.ndarray, correct: np.ndarray) -> float:
    """Expected calibration error: how far the stated confidence is from the observed accuracy."""
    total = 0.0
    edges = np.linspace(0, 1, CALIBRATION_BINS + 1)
    for lo, hi in zip(edges[:-1], edges[1:], strict=True):
        mask = (confidence >= lo) & ((confidence < hi) if hi < 1 else (confidence <= hi))
        if mask.any():
            total += mask.mean() * abs(confidence[mask].mean() - correct[mask].mean())
    return float(total)


def evaluate(model: AppealClassifier | ClassifierVersion, examples: Sequence[Example]) -> dict:
    """Sector accuracy and macro-F1 (over the blocks present in `examples`), the same for topics,
    a per-block report and the calibration of the sector confidence."""
    if isinstance(model, ClassifierVersion):
        model = load_model(model)
    if not examples:
        return {"size": 0}
    predictions = model.predict([e.text for e in examples])
    truth = [e.sector for e in examples]
    predicted = [p[0] or "" for p in predictions]
    labels = sorted(set(truth))
    confidence = np.array([p[1] for p in predictions])
    correct = np.array([t == p for t, p in zip(truth, predicted, strict=True)], dtype=float)
    report = classification_report(truth, predicted, labels=labels, output_dict=True, zero_division=0)
    metrics = {
        "size": len(examples),
        "sector_accuracy": round(float(accuracy_score(truth, predicted)), 4),
        "sector_macro_f1": round(float(f1_score(truth, predicted, labels=labels, average="macro", zero_division=0)), 4),
        "sector_report": {
            label: {k: round(float(report[label][k]), 4) for k in ("precision", "recall", "f1-score")}
            | {"support": int(report[label]["support"])}
            for label in labels
        },
        "calibration": {
            "ece": round(_ece(confidence, correct), 4),
            "mean_confidence": round(float(confidence.mean()), 4),
        },
    }
    with_topic = [(e.topic, p[2] or "") for e, p in zip(examples, predictions, strict=True) if e.topic]
    if with_topic:
        topic_truth, topic_predicted = zip(*with_topic, strict=True)
        topic_labels = sorted(set(topic_truth))
        metrics |= {
            "topic_size": len(with_topic),
            "topic_accuracy": round(float(accuracy_score(topic_truth, topic_predicted)), 4),
            "topic_macro_f1": round(
                float(f1_score(topic_truth, topic_predicted, labels=topic_labels, average="macro", zero_division=0)), 4
            ),
        }
    return metrics


def fit_model(examples: Sequence[Example]) -> AppealClassifier:
    return AppealClassifier.from_examples(examples)


def _version_name(source: str) -> str:
    # «shared: … + seed (1272) + csv x.csv (…)» → «shared-seed-csv»: the kinds of sources, not the details.
    kinds = re.findall(r"(?:^|\+\s*)([a-z]+)", source.lower())
    slug = "-".join(dict.fromkeys(kinds))[:32] or re.sub(r"[^a-z0-9]+", "-", source.lower()).strip("-")[:32] or "model"
    return f"{timezone.localtime():%Y%m%d-%H%M%S}-{slug}-{secrets.token_hex(2)}"


def train_version(
    examples: list[Example],
    *,
    source: str,
    by=None,
    activate: bool = False,
    holdout: float = 0.2,
    random_state: int = 42,
) -> ClassifierVersion:
    """Train, evaluate on a stratified held-out split, refit on all examples, store; activate if asked."""
    examples, skipped = _consistent(examples)
    if len({e.sector for e in examples}) < 2:
        raise ValueError("Для обучения нужны примеры хотя бы двух отраслевых блоков.")
    started = time.perf_counter()
    metrics: dict = {"holdout": holdout, "random_state": random_state, "skipped_examples": skipped}
    temperature = 1.0
    if holdout > 0:
        train, test = stratified_split(examples, holdout, random_state)
        metrics |= {"train_size": len(train), "test_size": len(test)}
        held_out = fit_model(train)
        uncalibrated = evaluate(held_out, test)["calibration"]["ece"] if test else None
        # One parameter fitted on the held-out part, then measured on it: a slightly optimistic
        # ECE; the uncalibrated one is kept next to it.
        temperature = held_out.calibrate([e.text for e in test], [e.sector for e in test])
        metrics |= evaluate(held_out, test)
        if test:
            metrics["calibration"] |= {"temperature": round(temperature, 3), "ece_uncalibrated": uncalibrated}
    evaluated = time.perf_counter()
    model = fit_model(examples)
    model.temperature = temperature
    payload = model.dumps()
    metrics["seconds"] = {
        "evaluation": round(evaluated - started, 1),
        "final_fit": round(time.perf_counter() - evaluated, 1),
    }
    version = ClassifierVersion.objects.create(
        version=_version_name(source),
        created_by=by if getattr(by, "pk", None) else None,
        training_data=source,
        training_size=len(examples),
        class_counts=class_counts([e.sector for e in examples], [e.topic for e in examples]),
        metrics=metrics,
        payload=payload,
    )
    audit.record(by, "classifier.train", version, {"source": source, "size": len(examples)})
    if activate:
        activate_version(version, by=by)
    return version
