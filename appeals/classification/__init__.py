"""Classification of appeals: sector block and topic with a calibrated confidence.

- text: normalisation and lemmas (pymorphy3, cached per word form);
- model: TF-IDF on lemmas and character n-grams + linear models (AppealClassifier);
- datasets: the seed corpus, CSV files through label maps, the shared real data sets;
- training: train_version (held-out metrics, refit, store), confirmed_examples;
- registry: the active version (loaded once per process), predict, activate_version.

The public names below are what the pipeline (tasks, retraining, commands) imports. The ones that
touch the database are loaded on first use, so importing this package never needs Django's app
registry (the dataclasses are used at import time by other modules).
"""

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Example:
    text: str
    sector: str  # SectorBlock.code
    topic: str | None = None  # Topic.code or None
    # Where the example comes from («seed», «kursk», «spb», a CSV file, «db»): training weighs every
    # source equally within a sector block, so that one big source does not define a block alone.
    source: str = field(default="", compare=False)


@dataclass(frozen=True)
class Prediction:
    sector: str | None  # SectorBlock.code, None if the text has no usable words
    sector_confidence: float  # calibrated probability 0..1 (0.0 for empty/garbage text)
    topic: str | None  # Topic.code (a topic of the predicted sector) or None
    topic_confidence: float


_LAZY = {
    "predict": "registry",
    "activate_version": "registry",
    "active_version": "registry",
    "load_model": "registry",
    "train_version": "training",
    "confirmed_examples": "training",
    "evaluate": "training",
    "seed_examples": "datasets",
    "csv_examples": "datasets",
    "shared_examples": "datasets",
}

__all__ = ["Example", "Prediction", *_LAZY]


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value
