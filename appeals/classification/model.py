"""The appeal classifier: TF-IDF on lemmas (words and pairs) and on character n-grams of the
words, then two linear models with probabilities — one for the sector block, one for the topic.

The topic is chosen among the topics of the predicted sector block, so the two never disagree;
its confidence is the joint probability (sector probability × the topic's share of that
sector's topic probability). Texts are prepared and vectorised in batches; the lemma cache of
appeals.classification.text makes repeated word forms free.
"""

import io
from collections import Counter
from collections.abc import Iterable, Sequence

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression

from . import text as textmod

FORMAT = 1  # bumped when the pickled layout changes; an old payload then fails to load loudly
BATCH = 512
MAX_CHAR_VIEW = 1_500  # characters of the word view the n-grams read: the start of a letter says what it is about


def _char_view(words: str) -> str:
    return words[:MAX_CHAR_VIEW]


class Features:
    """Both TF-IDF views of a batch of raw texts, stacked into one sparse matrix."""

    def __init__(self, *, word_features: int = 60_000, char_features: int = 120_000, min_df: int = 2):
        self.words = TfidfVectorizer(
            token_pattern=r"\S+", lowercase=False, ngram_range=(1, 2), sublinear_tf=True, min_df=min_df,
            max_features=word_features, dtype=np.float32,
        )  # fmt: skip
        self.chars = TfidfVectorizer(
            analyzer="char_wb", lowercase=False, ngram_range=(2, 5), sublinear_tf=True, min_df=min_df,
            max_features=char_features, dtype=np.float32,
        )  # fmt: skip

    @staticmethod
    def prepare(texts: Iterable[str]) -> tuple[list[str], list[str]]:
        prepared = [textmod.prepare(t) for t in texts]
        return [_char_view(p[0]) for p in prepared], [p[1] for p in prepared]

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        chars, lemmas = self.prepare(texts)
        matrix = sp.hstack([self.words.fit_transform(lemmas), self.chars.fit_transform(chars)], format="csr")
        # The pruned terms are kept only for introspection and would bloat the payload tenfold.
        self.words.stop_words_ = self.chars.stop_words_ = None
        return matrix

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        chars, lemmas = self.prepare(texts)
        return sp.hstack([self.words.transform(lemmas), self.chars.transform(chars)], format="csr")

    @property
    def size(self) -> int:
        return len(self.words.vocabulary_) + len(self.chars.vocabulary_)


def _linear(c: float) -> LogisticRegression:
    # Balanced weights: a sport or labour appeal counts as much as a pothole (macro-F1 is the target).
    return LogisticRegression(C=c, class_weight="balanced", max_iter=300, solver="lbfgs")


class AppealClassifier:
    """Sector block and topic from raw appeal texts. Fit on (text, sector, topic|None) triples."""

    def __init__(self, *, sector_c: float = 20.0, topic_c: float = 20.0, **feature_options):
        self.format = FORMAT
        self.features = Features(**feature_options)
        self.sector_c, self.topic_c = sector_c, topic_c
        self.sector_model: LogisticRegression | None = None
        self.topic_model: LogisticRegression | None = None
        self.topic_sector: dict[str, str] = {}  # topic code → its sector block code

    # --- training ---------------------------------------------------------------------------

    def fit(self, texts: Sequence[str], sectors: Sequence[str], topics: Sequence[str | None]) -> "AppealClassifier":
        if len(set(sectors)) < 2:
            raise ValueError("Для обучения нужны примеры хотя бы двух отраслевых блоков.")
        matrix = self.features.fit_transform(texts)
        self.sector_model = _linear(self.sector_c).fit(matrix, np.asarray(sectors))
        self.topic_sector = {t: s for t, s in zip(topics, sectors, strict=True) if t}
        rows = np.array([i for i, t in enumerate(topics) if t], dtype=np.int64)
        labelled = [topics[i] for i in rows]
        if len(set(labelled)) >= 2:
            self.topic_model = _linear(self.topic_c).fit(matrix[rows], np.asarray(labelled))
        else:
            self.topic_model = None
        return self

    # --- prediction -------------------------------------------------------------------------

    def predict(self, texts: Sequence[str]) -> list[tuple[str | None, float, str | None, float]]:
        """(sector, sector probability, topic, joint topic probability) per text, in batches."""
        results = []
        for start in range(0, len(texts), BATCH):
            results.extend(self._predict_batch(texts[start : start + BATCH]))
        return results

    def _predict_batch(self, texts: Sequence[str]) -> list[tuple[str | None, float, str | None, float]]:
        matrix = self.features.transform(texts)
        empty = matrix.getnnz(axis=1) == 0
        sector_proba = self.sector_model.predict_proba(matrix)
        sector_classes = self.sector_model.classes_
        best = sector_proba.argmax(axis=1)
        topic_proba = self.topic_model.predict_proba(matrix) if self.topic_model is not None else None
        results = []
        for i, j in enumerate(best):
            if empty[i]:
                # No known word or n-gram: the model would answer with the class prior — say «don't know».
                results.append((None, 0.0, None, 0.0))
                continue
            sector, confidence = str(sector_classes[j]), float(sector_proba[i, j])
            topic, topic_confidence = self._topic_within(sector, confidence, topic_proba, i)
            results.append((sector, confidence, topic, topic_confidence))
        return results

    def _topic_within(self, sector: str, confidence: float, topic_proba, row: int) -> tuple[str | None, float]:
        if topic_proba is None:
            return None, 0.0
        mask = self._sector_masks().get(sector)
        if mask is None:
            return None, 0.0
        probs = topic_proba[row] * mask
        total = probs.sum()
        if total <= 0:
            return None, 0.0
        k = int(probs.argmax())
        return str(self.topic_model.classes_[k]), float(confidence * probs[k] / total)

    def _sector_masks(self) -> dict[str, np.ndarray]:
        masks = getattr(self, "_masks", None)
        if masks is None:
            classes = self.topic_model.classes_
            masks = {}
            for sector in set(self.topic_sector.values()):
                masks[sector] = np.array([self.topic_sector.get(t) == sector for t in classes], dtype=np.float64)
            self._masks = masks
        return masks

    def predict_sectors(self, texts: Sequence[str]) -> list[str]:
        """Only the sector labels (evaluation): the empty-text rule included, None as «»."""
        return [p[0] or "" for p in self.predict(texts)]

    # --- storage ----------------------------------------------------------------------------

    def __getstate__(self):
        state = self.__dict__.copy()
        state.pop("_masks", None)
        return state

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        joblib.dump(self, buffer, compress=("zlib", 3))
        return buffer.getvalue()

    @staticmethod
    def loads(payload: bytes) -> "AppealClassifier":
        model = joblib.load(io.BytesIO(bytes(payload)))
        if not isinstance(model, AppealClassifier) or getattr(model, "format", None) != FORMAT:
            raise ValueError("Несовместимый формат сохранённой модели: обучите новую версию.")
        return model


def class_counts(sectors: Iterable[str], topics: Iterable[str | None]) -> dict[str, dict[str, int]]:
    return {
        "sector": dict(sorted(Counter(sectors).items())),
        "topic": dict(sorted(Counter(t for t in topics if t).items())),
    }
