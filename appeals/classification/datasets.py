"""Where training examples come from: the shipped seed corpus, any CSV file through a label map,
and the real data sets of ../shared/data (never copied into the repository: DESIGN §8).

A label map (JSON) maps each label of a source column to our sector block code and, where one fits,
a topic code of appeals/data/topics.json; null means the label fits nothing and its rows are skipped:

    {"labels": {"Ямы и выбоины на дороге": {"sector": "roads", "topic": "yamy-i-vyboiny-na-doroge"},
                "Тестовая категория": null, "Образование": "education"}}
"""

import csv
import io
import json
import os
import random
import re
from collections import defaultdict
from functools import lru_cache
from pathlib import Path

import pandas as pd

from . import Example

HERE = Path(__file__).resolve().parent
DATA_DIR = HERE / "data"
TOPICS_JSON = HERE.parent / "data" / "topics.json"
REPO_DIR = HERE.parents[1]

KURSK_CSV = Path("appeals/kursk-2022/train.csv")
SPB_CSV = Path("appeals/spb-nash-peterburg/spb_nash_peterburg_appeals.csv")
# «Наш Санкт-Петербург» is three-quarters yards and stairwells: a cap per topic keeps the rest audible
# and training time under a minute.
SPB_PER_TOPIC = 300

_SPACES = re.compile(r"\s+")


class LabelMapError(ValueError):
    pass


def shared_data_dir() -> Path:
    """../shared/data next to the repository, or $CUR_SHARED_DATA."""
    return Path(os.environ.get("CUR_SHARED_DATA") or REPO_DIR.parent / "shared" / "data")


@lru_cache(maxsize=1)
def taxonomy() -> dict[str, str]:
    """Topic code → sector block code, from appeals/data/topics.json (no database needed)."""
    data = json.loads(TOPICS_JSON.read_text(encoding="utf-8"))
    return {t["code"]: g["sector_block"] for g in data["groups"] for t in g["topics"]}


def sector_codes() -> set[str]:
    return set(taxonomy().values())


def _label_key(label) -> str:
    return _SPACES.sub(" ", str(label)).strip().casefold()


def load_label_map(path: str | Path) -> dict[str, tuple[str, str | None] | None]:
    """{normalised label: (sector, topic|None) or None}; raises LabelMapError on unknown codes."""
    path = Path(path)
    if not path.exists() and (DATA_DIR / path.name).exists():
        path = DATA_DIR / path.name  # the shipped maps by their file name
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise LabelMapError(f"Не удалось прочитать карту меток {path}: {exc}") from exc
    labels = raw.get("labels", raw) if isinstance(raw, dict) else None
    if not isinstance(labels, dict):
        raise LabelMapError(f"{path}: ожидается объект {{'labels': {{метка: {{'sector': …, 'topic': …}}}}}}.")
    topics, sectors = taxonomy(), sector_codes()
    result = {}
    for label, value in labels.items():
        if value is None:
            result[_label_key(label)] = None
            continue
        sector, topic = (value, None) if isinstance(value, str) else (value.get("sector"), value.get("topic"))
        if sector not in sectors:
            raise LabelMapError(f"{path}: метка «{label}» → неизвестный отраслевой блок «{sector}».")
        if topic is not None and topics.get(topic) != sector:
            raise LabelMapError(f"{path}: метка «{label}» → тема «{topic}» не относится к блоку «{sector}».")
        result[_label_key(label)] = (sector, topic)
    return result


def read_table(path: str | Path) -> pd.DataFrame:
    """A CSV as strings: UTF-8 (with or without BOM) or cp1251; comma, semicolon or tab."""
    return read_table_format(path)[0]


def read_table_format(path: str | Path) -> tuple[pd.DataFrame, str, str]:
    """(table, encoding, separator) of a CSV file, so that an output can be written the same way."""
    raw = Path(path).read_bytes()
    if raw.startswith(b"\xef\xbb\xbf"):
        encoding, text = "utf-8-sig", raw[3:].decode("utf-8", errors="replace")
    else:
        try:
            encoding, text = "utf-8", raw.decode("utf-8")
        except UnicodeDecodeError:
            # Excel's «CSV» on a Russian Windows; cp1251 maps every byte but 0x98.
            encoding, text = "cp1251", raw.decode("cp1251", errors="replace")
    try:
        sep = csv.Sniffer().sniff(text[:65536], delimiters=",;\t").delimiter
    except csv.Error:
        sep = ","
    frame = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    return frame, encoding, sep


def csv_examples(
    path: str | Path,
    *,
    text_column: str,
    label_column: str,
    label_map: str | Path | dict,
    topic_label_column: str | None = None,
    topic_label_map: str | Path | dict | None = None,
    source: str | None = None,
) -> tuple[list[Example], int]:
    """Examples of a CSV file and the number of rows skipped (label unmapped or null, empty text).

    With a topic label column the finer label wins: when it maps to something, its sector and topic
    are taken; otherwise the label column decides."""
    frame = read_table(path)
    missing = [c for c in (text_column, label_column, topic_label_column) if c and c not in frame.columns]
    if missing:
        raise LabelMapError(f"{path}: нет столбцов {', '.join(missing)}; есть: {', '.join(frame.columns)}.")
    labels = label_map if isinstance(label_map, dict) else load_label_map(label_map)
    topic_labels = None
    if topic_label_column:
        topic_map = topic_label_map if topic_label_map is not None else label_map
        topic_labels = topic_map if isinstance(topic_map, dict) else load_label_map(topic_map)
    examples, skipped = [], 0
    source = source or Path(path).name
    topic_values = frame[topic_label_column] if topic_label_column else [None] * len(frame)
    for text, label, topic_label in zip(frame[text_column], frame[label_column], topic_values, strict=True):
        mapped = topic_labels.get(_label_key(topic_label)) if topic_labels is not None else None
        if mapped is None:
            mapped = labels.get(_label_key(label))
        if mapped is None or not text.strip():
            skipped += 1
            continue
        examples.append(Example(text=text, sector=mapped[0], topic=mapped[1], source=source))
    return examples, skipped


@lru_cache(maxsize=1)
def _seed() -> tuple[Example, ...]:
    data = json.loads((DATA_DIR / "seed_corpus.json").read_text(encoding="utf-8"))
    topics = taxonomy()
    phrasings = [
        Example(text=text, sector=topics[code], topic=code, source="seed")
        for code, texts in data["topics"].items()
        for text in texts
    ]
    # Each topic's own name («Отсутствие фонарей освещения») as one more phrasing: the taxonomy's
    # keywords as a prior (St Petersburg + seed → Kursk macro-F1 +0.01, nothing lost elsewhere).
    groups = json.loads(TOPICS_JSON.read_text(encoding="utf-8"))["groups"]
    names = [Example(t["name"], g["sector_block"], t["code"], source="seed") for g in groups for t in g["topics"]]
    return tuple(phrasings + names)


def seed_examples() -> list[Example]:
    """The shipped seed corpus: phrasings for each topic of our taxonomy, written by this project,
    and the topics' names."""
    return list(_seed())


def _dedupe(examples: list[Example]) -> list[Example]:
    seen, result = set(), []
    for example in examples:
        key = _label_key(example.text)
        if key not in seen:
            seen.add(key)
            result.append(example)
    return result


def require_shared(root: Path | None = None) -> Path:
    root = root or shared_data_dir()
    if not (root / KURSK_CSV).exists() or not (root / SPB_CSV).exists():
        raise FileNotFoundError(
            f"Нет общих данных в {root} (нужны {KURSK_CSV} и {SPB_CSV}; см. DESIGN §8 — в репозиторий они не входят)."
        )
    return root


def kursk_examples(root: Path | None = None) -> list[Example]:
    """Курская область, 2022: the topic («Тематика») mapped by kursk_topics.json."""
    root = root or shared_data_dir()
    examples, _ = csv_examples(
        root / KURSK_CSV, text_column="Текст Сообщения", label_column="Тематика", label_map="kursk_topics.json",
        source="kursk",
    )  # fmt: skip
    return _dedupe(examples)


def spb_examples(root: Path | None = None, *, per_topic: int | None = SPB_PER_TOPIC, seed: int = 42) -> list[Example]:
    """«Наш Санкт-Петербург»: the reason mapped by spb_reasons.json, the category where the reason
    fits nothing; exact duplicate texts dropped; at most `per_topic` examples per topic."""
    root = root or shared_data_dir()
    examples, _ = csv_examples(
        root / SPB_CSV, text_column="text", label_column="category", label_map="spb_categories.json",
        topic_label_column="reason", topic_label_map="spb_reasons.json", source="spb",
    )  # fmt: skip
    examples = _dedupe(examples)
    if per_topic is None:
        return examples
    groups = defaultdict(list)
    for example in examples:
        groups[example.topic or example.sector].append(example)
    rng = random.Random(seed)  # noqa: S311 - a reproducible sample, not a secret
    result = []
    for key in sorted(groups):
        group = groups[key]
        result.extend(rng.sample(group, per_topic) if len(group) > per_topic else group)
    return result


def shared_examples(root: Path | None = None, *, with_seed: bool = True) -> list[Example]:
    """Kursk + St Petersburg (+ the seed corpus): what `train_classifier --shared` learns from."""
    root = require_shared(root)
    examples = kursk_examples(root) + spb_examples(root)
    return examples + seed_examples() if with_seed else examples
