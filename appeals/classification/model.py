"""The appeal classifier: TF-IDF on lemmas (words and pairs) and on character n-grams of the
words, then linear models with probabilities — one for the sector block, one per block for its topics.

The topic is chosen among the topics of the predicted sector block, so the two never disagree;
its confidence is the joint probability (sector probability × the topic's probability within it).
Texts are prepared and vectorised in batches; the lemma cache of appeals.classification.text makes
repeated word forms free.
"""

import io
from collections import Counter
from collections.abc import Iterable, Sequence

import joblib
import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.feature_selection import chi2
from sklearn.linear_model import LogisticRegression
from sklearn.naive_bayes import ComplementNB
from sklearn.preprocessing import normalize

from . import text as textmod

FORMAT = 1  # bumped when the pickled layout changes; an old payload then fails to load loudly
BATCH = 512
TOPIC_COLUMNS = 20_000
MIN_CHAR_EVIDENCE = 3
SMALL_CORPUS = 200
WHITESPACE_SEPARATED = r"\S+"  # the lemma view is already split and lower-cased
# The sector score is log P(logistic regression) · (1 − NB_WEIGHT) + log P(complement naive Bayes) ·
# NB_WEIGHT. Measured (appeals.classification.protocol): the pair generalises to another region better
# than either model (St Petersburg + seed → Kursk macro-F1 0.652 vs 0.635 for the regression alone),
# weights 0.3–0.5 being within a point of each other in-domain; 0.3 keeps Kursk → St Petersburg level.
NB_WEIGHT = 0.3
NB_ALPHA = 0.3
MAX_CHAR_VIEW = 1_500  # characters of the word view the n-grams read: the start of a letter says what it is about


def _char_view(words: str) -> str:
    return words[:MAX_CHAR_VIEW]


class CharNgrams:
    """TF-IDF over the character n-grams of each word, with the word padded by spaces (sklearn's
    «char_wb»), but computed once per word form: the n-gram ids of a word are cached, so a text costs
    one dictionary lookup per word instead of one per n-gram (sklearn's loop over ~1,000 n-grams per
    appeal was 85 % of the prediction time)."""

    CACHE_WORDS = 200_000  # word forms kept per process (~100 MB at most); then the cache restarts

    def __init__(self, *, ngram_range: tuple[int, int] = (2, 5), min_df: int = 2, max_features: int = 120_000):
        self.ngram_range, self.min_df, self.max_features = ngram_range, min_df, max_features
        self.vocabulary_: dict[str, int] = {}
        self.idf_: np.ndarray | None = None
        self._ids: dict[str, tuple[int, ...]] = {}

    def _grams(self, word: str) -> list[str]:
        padded = f" {word} "
        lo, hi = self.ngram_range
        return [padded[i : i + n] for n in range(lo, min(hi, len(padded)) + 1) for i in range(len(padded) - n + 1)]

    def fit_transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        df: Counter = Counter()
        grams_of: dict[str, list[str]] = {}
        for doc in docs:
            seen: set[str] = set()
            for word in set(doc.split()):
                grams = grams_of.get(word)
                if grams is None:
                    grams = grams_of[word] = self._grams(word)
                seen.update(grams)
            df.update(seen)
        kept = [(count, gram) for gram, count in df.items() if count >= self.min_df]
        kept = sorted(kept, key=lambda item: (-item[0], item[1]))[: self.max_features]
        self.vocabulary_ = {gram: i for i, (_, gram) in enumerate(sorted(kept, key=lambda item: item[1]))}
        counts = np.array([df[g] for g in self.vocabulary_], dtype=np.float64)
        self.idf_ = (np.log((1 + len(docs)) / (1 + counts)) + 1).astype(np.float32)  # sklearn's smooth idf
        self._ids = {}
        return self.transform(docs)

    def _word_ids(self, word: str) -> tuple[int, ...]:
        ids = self._ids.get(word)
        if ids is None:
            if len(self._ids) >= self.CACHE_WORDS:
                self._ids = {}
            vocabulary = self.vocabulary_
            ids = self._ids[word] = tuple(vocabulary[g] for g in self._grams(word) if g in vocabulary)
        return ids

    def transform(self, docs: Sequence[str]) -> sp.csr_matrix:
        indices: list[int] = []
        indptr = [0]
        for doc in docs:
            for word in doc.split():
                indices.extend(self._word_ids(word))
            indptr.append(len(indices))
        shape = (len(docs), len(self.vocabulary_))
        data = np.ones(len(indices), dtype=np.float32)
        matrix = sp.csr_matrix((data, np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)), shape)
        matrix.sum_duplicates()
        np.log(matrix.data, out=matrix.data)
        matrix.data += 1  # sublinear tf: 1 + log(count)
        matrix = matrix.multiply(self.idf_).tocsr()
        return normalize(matrix, copy=False)

    def __getstate__(self):
        state = self.__dict__.copy()
        state["_ids"] = {}  # a cache, rebuilt on use
        return state


class Features:
    """Both TF-IDF views of a batch of raw texts, stacked into one sparse matrix."""

    def __init__(self, *, word_features: int = 60_000, char_features: int = 120_000, min_df: int = 2):
        self.words = TfidfVectorizer(
            token_pattern=WHITESPACE_SEPARATED, lowercase=False, ngram_range=(1, 2), sublinear_tf=True, min_df=min_df,
            max_features=word_features, dtype=np.float32,
        )  # fmt: skip
        self.chars = CharNgrams(ngram_range=(2, 5), min_df=min_df, max_features=char_features)

    @staticmethod
    def prepare(texts: Iterable[str]) -> tuple[list[str], list[str]]:
        prepared = [textmod.prepare(t) for t in texts]
        return [_char_view(p[0]) for p in prepared], [p[1] for p in prepared]

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        chars, lemmas = self.prepare(texts)
        if len(texts) < SMALL_CORPUS:
            # A few dozen examples (a new region's first labels): a term seen once is still evidence.
            self.words.min_df = self.chars.min_df = 1
        matrix = sp.hstack([self.words.fit_transform(lemmas), self.chars.fit_transform(chars)], format="csr")
        # The pruned terms are kept only for introspection and would bloat the payload tenfold.
        self.words.stop_words_ = None
        return matrix

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.transform_with_evidence(texts)[0]

    def transform_with_evidence(self, texts: Sequence[str]) -> tuple[sp.csr_matrix, np.ndarray]:
        """The matrix and, per text, whether it says anything the model knows: a known lemma, or
        at least MIN_CHAR_EVIDENCE known n-grams (a misspelt word); «qwzxv» or emoji do not."""
        chars, lemmas = self.prepare(texts)
        words, grams = self.words.transform(lemmas), self.chars.transform(chars)
        evidence = (words.getnnz(axis=1) > 0) | (grams.getnnz(axis=1) >= MIN_CHAR_EVIDENCE)
        return sp.hstack([words, grams], format="csr"), evidence


def _topic_columns(sub: sp.csr_matrix, labels: np.ndarray) -> np.ndarray:
    """The feature columns a sector's topic model reads: those its texts use twice or more, at most
    TOPIC_COLUMNS of them by chi² with the topic. Training cost and payload grow with topics ×
    columns; the rest carry no evidence about this sector's topics (same accuracy measured)."""
    columns = np.flatnonzero(np.asarray((sub > 0).sum(axis=0)).ravel() >= 2)
    if len(columns) > TOPIC_COLUMNS:
        scores = np.nan_to_num(chi2(sub[:, columns], labels)[0])
        columns = np.sort(columns[np.argsort(-scores, kind="stable")[:TOPIC_COLUMNS]])
    return columns.astype(np.int32)


def _compact(model: LogisticRegression) -> LogisticRegression:
    """float32 weights: half the payload, the same predictions (the features are float32 too)."""
    model.coef_ = model.coef_.astype(np.float32)
    model.intercept_ = model.intercept_.astype(np.float32)
    return model


def sector_weights(sectors: Sequence[str], sources: Sequence[str]) -> np.ndarray:
    """Sample weights: every sector block weighs the same in total (macro-F1 is the target: a sport
    appeal counts as much as a pothole), and within a block every source that has it the same share —
    so «Наш Санкт-Петербург» (12k examples, mostly yards and stairwells) does not define what
    «благоустройство» looks like alone, and the seed corpus still speaks for the blocks it has."""
    cells = Counter(zip(sectors, sources, strict=True))
    sources_of = Counter(sector for sector, _ in cells)
    share = len(sectors) / len(sources_of)
    return np.array([share / sources_of[c] / cells[(c, s)] for c, s in zip(sectors, sources, strict=True)])


def _linear(c: float, *, balanced: bool = True) -> LogisticRegression:
    # Balanced weights: a sport or labour appeal counts as much as a pothole (macro-F1 is the target;
    # the sector model gets the same through sector_weights).
    # LogisticRegression's own probabilities are the confidence: measured across regions (St Petersburg
    # + seed → Kursk) its expected calibration error is about 0.05, while a LinearSVC calibrated by
    # CalibratedClassifierCV lost a fifth of the macro-F1 (its calibrators undo the class balancing).
    # newton-cg: 6 iterations where L-BFGS needed 30–50, several times faster on 15 × 100k weights.
    return LogisticRegression(
        C=c, class_weight="balanced" if balanced else None, solver="newton-cg", max_iter=100, tol=1e-3
    )


def _naive_bayes(matrix: sp.csr_matrix, sectors: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Complement naive Bayes weights, features × blocks (the blocks in sorted order, as the
    regression's classes_): its joint log-likelihood is matrix @ weights. Kept as a bare array:
    sklearn's predict_log_proba validates its input on every call (+2 ms for one appeal)."""
    model = ComplementNB(alpha=NB_ALPHA).fit(matrix, sectors, sample_weight=weights)
    return np.ascontiguousarray(model.feature_log_prob_.T, dtype=np.float32)


def _log_softmax(scores: np.ndarray) -> np.ndarray:
    scores = scores - scores.max(axis=1, keepdims=True)
    return scores - np.log(np.exp(scores).sum(axis=1, keepdims=True))


class AppealClassifier:
    """Sector block and topic from raw appeal texts. Fit on (text, sector, topic|None) triples.

    The topic model is one small model per sector block over that block's topics, trained on that
    block's examples: P(topic | text) = P(sector | text) · P(topic | sector, text). Ten times cheaper
    to train than one model over all 200 topics, and the topic can never contradict the sector."""

    def __init__(self, *, sector_c: float = 10.0, topic_c: float = 10.0, **feature_options):
        self.format = FORMAT
        self.features = Features(**feature_options)
        self.sector_c, self.topic_c = sector_c, topic_c
        self.sector_model: LogisticRegression | None = None
        # complement naive Bayes log-weights (features × blocks); absent in payloads trained before it
        self.sector_nb: np.ndarray | None = None
        self.temperature = 1.0  # divides the sector scores before the softmax; set by calibrate()
        # sector → (a fitted model, the feature columns it reads), or the only topic seen for that
        # sector (a str); absent when the sector had no topic labels
        self.topic_models: dict[str, tuple[LogisticRegression, np.ndarray] | str] = {}

    # --- training ---------------------------------------------------------------------------

    @classmethod
    def from_examples(cls, examples: Sequence, **options) -> "AppealClassifier":
        """Fit on appeals.classification.Example objects (text, sector, topic)."""
        return cls(**options).fit(
            [e.text for e in examples],
            [e.sector for e in examples],
            [e.topic for e in examples],
            [e.source for e in examples],
        )

    def fit(
        self,
        texts: Sequence[str],
        sectors: Sequence[str],
        topics: Sequence[str | None],
        sources: Sequence[str] | None = None,
    ) -> "AppealClassifier":
        if len(set(sectors)) < 2:
            raise ValueError("Для обучения нужны примеры хотя бы двух отраслевых блоков.")
        matrix = self.features.fit_transform(texts)
        labels = np.asarray(sectors)
        weights = sector_weights(sectors, sources if sources is not None else [""] * len(sectors))
        self.sector_model = _compact(_linear(self.sector_c, balanced=False).fit(matrix, labels, sample_weight=weights))
        self.sector_nb = _naive_bayes(matrix, labels, weights)
        rows_by_sector: dict[str, list[int]] = {}
        for i, (sector, topic) in enumerate(zip(sectors, topics, strict=True)):
            if topic:
                rows_by_sector.setdefault(sector, []).append(i)
        self.topic_models = {}
        for sector, rows in rows_by_sector.items():
            labels = np.asarray([topics[i] for i in rows])
            if len(set(labels)) == 1:
                self.topic_models[sector] = str(labels[0])
                continue
            sub = matrix[np.asarray(rows)]
            columns = _topic_columns(sub, labels)
            self.topic_models[sector] = (_compact(_linear(self.topic_c).fit(sub[:, columns], labels)), columns)
        return self

    def _sector_scores(self, matrix: sp.csr_matrix) -> np.ndarray:
        """Log-scores per sector block (the softmax of them is the probability, before calibration)."""
        scores = self.sector_model.decision_function(matrix)
        if scores.ndim == 1:  # two blocks: sklearn's expit(d) is the softmax of (-d/2, d/2)
            scores = np.column_stack([-scores / 2, scores / 2])
        if getattr(self, "sector_nb", None) is None:
            return scores
        return (1 - NB_WEIGHT) * _log_softmax(scores) + NB_WEIGHT * _log_softmax(matrix @ self.sector_nb)

    def _sector_proba(self, matrix: sp.csr_matrix) -> np.ndarray:
        scores = self._sector_scores(matrix) / self.temperature
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        return scores / scores.sum(axis=1, keepdims=True)

    def calibrate(self, texts: Sequence[str], sectors: Sequence[str]) -> float:
        """Temperature scaling on held-out examples: the one number that makes the sector
        probabilities match the observed accuracy best (least log-loss). Trained on little data
        the model is underconfident (L2 flattens it: seed corpus alone, mean confidence 0.59 at
        accuracy 0.81), on much data about right; this corrects both. Returns the temperature."""
        known = {c: i for i, c in enumerate(self.sector_model.classes_)}
        rows = [i for i, s in enumerate(sectors) if s in known]
        if len(rows) < 10:
            return self.temperature
        scores = self._sector_scores(self.features.transform([texts[i] for i in rows]))
        truth = np.array([known[sectors[i]] for i in rows])
        best, best_loss = 1.0, np.inf
        for temperature in np.geomspace(0.1, 10, 81):
            z = scores / temperature
            z -= z.max(axis=1, keepdims=True)
            loss = float(np.mean(np.log(np.exp(z).sum(axis=1)) - z[np.arange(len(truth)), truth]))
            if loss < best_loss:
                best, best_loss = float(temperature), loss
        self.temperature = best
        return best

    # --- prediction -------------------------------------------------------------------------

    def predict(self, texts: Sequence[str]) -> list[tuple[str | None, float, str | None, float]]:
        """(sector, sector probability, topic, joint topic probability) per text, in batches."""
        results = []
        for start in range(0, len(texts), BATCH):
            results.extend(self._predict_batch(texts[start : start + BATCH]))
        return results

    def _predict_batch(self, texts: Sequence[str]) -> list[tuple[str | None, float, str | None, float]]:
        matrix, evidence = self.features.transform_with_evidence(texts)
        empty = ~evidence
        proba = self._sector_proba(matrix)
        best = proba.argmax(axis=1)
        sectors = self.sector_model.classes_[best]
        confidence = proba[np.arange(len(best)), best]
        topics: list[tuple[str | None, float]] = [(None, 0.0)] * len(best)
        for sector in set(sectors[~empty]):
            model = self.topic_models.get(str(sector))
            rows = np.flatnonzero((sectors == sector) & ~empty)
            if model is None:
                continue
            if isinstance(model, str):
                for i in rows:
                    topics[i] = (model, float(confidence[i]))
                continue
            model, columns = model
            topic_proba = model.predict_proba(matrix[rows][:, columns])
            top = topic_proba.argmax(axis=1)
            for i, k, p in zip(rows, top, topic_proba[np.arange(len(top)), top], strict=True):
                topics[i] = (str(model.classes_[k]), float(confidence[i] * p))
        results = []
        for i in range(len(best)):
            if empty[i]:
                # Nothing the model knows: it would answer with the class prior — say «don't know».
                results.append((None, 0.0, None, 0.0))
            else:
                results.append((str(sectors[i]), float(confidence[i]), *topics[i]))
        return results

    def predict_sectors(self, texts: Sequence[str]) -> list[str]:
        """Only the sector labels (evaluation): the empty-text rule included, None as «»."""
        return [p[0] or "" for p in self.predict(texts)]

    # --- storage ----------------------------------------------------------------------------

    def dumps(self) -> bytes:
        buffer = io.BytesIO()
        joblib.dump(self, buffer, compress=("zlib", 3))
        return buffer.getvalue()

    @staticmethod
    def loads(payload: bytes) -> "AppealClassifier":
        model = joblib.load(io.BytesIO(bytes(payload)))
        if not isinstance(model, AppealClassifier) or getattr(model, "format", None) != FORMAT:
            raise ValueError("Несовместимый формат сохранённой модели: обучите новую версию.")
        nb = getattr(model, "sector_nb", None)
        if isinstance(nb, ComplementNB):  # versions trained for a day of issue 4 stored the fitted object
            model.sector_nb = np.ascontiguousarray(nb.feature_log_prob_.T, dtype=np.float32)
        return model


def class_counts(sectors: Iterable[str], topics: Iterable[str | None]) -> dict[str, dict[str, int]]:
    return {
        "sector": dict(sorted(Counter(sectors).items())),
        "topic": dict(sorted(Counter(t for t in topics if t).items())),
    }
