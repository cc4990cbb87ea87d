"""The category classifier: word and character n-gram TF-IDF with a linear SVM, on the CPU.

Chosen by measurement on the Teddy Cup 2020 messages (docs/triage.md): pre-trained sentence
encoders were 100 times too slow on two cores, and words plus character n-grams beat either
alone. Confidence is a softmax of the SVM's scores at a temperature fitted on cross-validated
scores, so that "0.9" means right about nine times in ten on the training data's folds.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer
from sklearn.svm import LinearSVC

from civicgrid.triage import features

FloatArray = npt.NDArray[np.float64]
DEFAULT_C = 0.5
MIN_DF = 2
TEMPERATURES = np.geomspace(0.5, 50, 60)


@dataclass
class Prediction:
    """One text's predicted label, its confidence and the runners-up."""

    label: str
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)


@dataclass
class Block:
    """One kind of n-gram: counts restricted to a fitted vocabulary, then TF-IDF."""

    counter: CountVectorizer
    tfidf: TfidfTransformer

    def transform(self, prepared: Sequence[str]) -> sparse.csr_matrix:
        """TF-IDF rows of prepared texts (unknown n-grams are ignored)."""
        return self.tfidf.transform(self.counter.transform(prepared))


class CountTable:
    """Every word and character n-gram of a corpus counted once, so folds only slice it."""

    def __init__(self, prepared: Sequence[str]) -> None:
        self.blocks: list[tuple[CountVectorizer, sparse.csr_matrix]] = []
        for analyzer in (features.word_analyzer, features.char_analyzer):
            counter = CountVectorizer(analyzer=analyzer, dtype=np.float64)
            self.blocks.append((counter, counter.fit_transform(prepared).tocsr()))

    def fit_blocks(self, rows: npt.NDArray[np.int64]) -> FoldFit:
        """Blocks fitted on ``rows`` only (vocabulary with df >= MIN_DF, IDF), and their X."""
        fit = FoldFit()
        parts = []
        for counter, counts in self.blocks:
            sub = counts[rows]
            keep = np.flatnonzero(np.asarray((sub > 0).sum(axis=0)).ravel() >= MIN_DF)
            names = counter.get_feature_names_out()[keep]
            vocab = {str(name): i for i, name in enumerate(names)}
            tfidf = TfidfTransformer(sublinear_tf=True).fit(sub[:, keep])
            block_counter = CountVectorizer(
                analyzer=counter.analyzer, vocabulary=vocab, dtype=np.float64
            )
            fit.blocks.append(Block(block_counter, tfidf))
            fit.columns.append(keep)
            parts.append(tfidf.transform(sub[:, keep]))
        fit.x = sparse.hstack(parts).tocsr()
        return fit

    def matrix(self, fit: FoldFit, rows: npt.NDArray[np.int64]) -> sparse.csr_matrix:
        """X of other ``rows`` under a fold's vocabulary and IDF (as a fitted model sees them)."""
        parts = [
            block.tfidf.transform(counts[rows][:, keep])
            for block, keep, (_c, counts) in zip(fit.blocks, fit.columns, self.blocks, strict=True)
        ]
        return sparse.hstack(parts).tocsr()


@dataclass
class FoldFit:
    """What fitting the n-gram blocks on some rows gives: the blocks, their columns, X."""

    blocks: list[Block] = field(default_factory=list)
    columns: list[npt.NDArray[np.int64]] = field(default_factory=list)
    x: sparse.csr_matrix | None = None


@dataclass
class TextClassifier:
    """A fitted classifier: its n-gram blocks, the SVM, labels and confidence temperature."""

    labels: list[str]
    blocks: list[Block]
    svm: LinearSVC
    temperature: float = 5.0
    parameters: dict[str, Any] = field(default_factory=dict)
    _scorer: Scorer | None = field(default=None, repr=False, compare=False)

    def scores(self, texts: Sequence[str]) -> FloatArray:
        """SVM scores, one column per label."""
        prepared = [features.prepare(t) for t in texts]
        scorer = getattr(self, "_scorer", None)
        if scorer is None:
            scorer = self._scorer = Scorer.build(self.blocks, self.svm)
        return scorer.scores(prepared)

    def predict(self, texts: Sequence[str], *, alternatives: int = 2) -> list[Prediction]:
        """The best label of each text with its confidence and the next best ones."""
        if not texts:
            return []
        probs = softmax(self.scores(texts), self.temperature)
        order = np.argsort(-probs, axis=1)
        return [
            Prediction(
                label=self.labels[row[0]],
                confidence=float(p[row[0]]),
                alternatives=[(self.labels[j], float(p[j])) for j in row[1 : 1 + alternatives]],
            )
            for p, row in zip(probs, order, strict=True)
        ]


@dataclass
class Scorer:
    """The fitted model as plain arrays: TF-IDF and the linear scores without sklearn's
    per-call checks, which cost more than the arithmetic for one short text."""

    analyzers: list[Any]
    vocabularies: list[dict[str, int]]
    idfs: list[FloatArray]
    offsets: list[int]
    weights: FloatArray
    intercept: FloatArray

    @classmethod
    def build(cls, blocks: list[Block], svm: LinearSVC) -> Scorer:
        """Arrays equivalent to ``blocks`` + ``svm``."""
        vocabularies = [dict(b.counter.vocabulary) for b in blocks]
        offsets = list(np.cumsum([0] + [len(v) for v in vocabularies[:-1]]))
        coef = np.asarray(svm.coef_, dtype=np.float64)
        intercept = np.asarray(svm.intercept_, dtype=np.float64)
        if coef.shape[0] == 1:  # two labels: one column, the second label's score
            coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
        return cls(
            analyzers=[b.counter.analyzer for b in blocks],
            vocabularies=vocabularies,
            idfs=[np.asarray(b.tfidf.idf_, dtype=np.float64) for b in blocks],
            offsets=[int(o) for o in offsets],
            weights=np.ascontiguousarray(coef.T),
            intercept=intercept,
        )

    def scores(self, prepared: Sequence[str]) -> FloatArray:
        """Scores of prepared texts, one column per label."""
        out = np.tile(self.intercept, (len(prepared), 1))
        for row, text in enumerate(prepared):
            for analyzer, vocab, idf, offset in zip(
                self.analyzers, self.vocabularies, self.idfs, self.offsets, strict=True
            ):
                counts = Counter(analyzer(text))
                pairs = [(vocab[g], n) for g, n in counts.items() if g in vocab]
                if not pairs:
                    continue
                cols = np.fromiter((c for c, _ in pairs), dtype=np.int64, count=len(pairs))
                tf = np.fromiter((n for _, n in pairs), dtype=np.float64, count=len(pairs))
                values = (1 + np.log(tf)) * idf[cols]
                values /= np.sqrt(values @ values)
                out[row] += values @ self.weights[cols + offset]
        return out


def _decision(svm: LinearSVC, x: sparse.csr_matrix) -> FloatArray:
    scores = np.asarray(svm.decision_function(x), dtype=np.float64)
    if scores.ndim == 1:  # two labels: sklearn gives one column, the second label's score
        scores = np.column_stack([-scores, scores])
    return scores


def softmax(scores: FloatArray, temperature: float) -> FloatArray:
    """Probabilities from scores at ``temperature`` (higher: more confident)."""
    z = scores * temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float64)


def fit_temperature(scores: FloatArray, y: npt.NDArray[np.int64]) -> float:
    """The temperature that minimises the log-loss of held-out scores."""
    rows = np.arange(len(y))
    losses = [
        -float(np.log(np.clip(softmax(scores, t)[rows, y], 1e-12, 1)).mean()) for t in TEMPERATURES
    ]
    return float(TEMPERATURES[int(np.argmin(losses))])


def fit_svm(x: sparse.csr_matrix, y: npt.NDArray[np.int64], c: float) -> LinearSVC:
    """The linear SVM; classes weighted by their rarity, which lifts macro-F1."""
    return LinearSVC(C=c, class_weight="balanced").fit(x, y)


def train(
    prepared: Sequence[str],
    y: npt.NDArray[np.int64],
    labels: list[str],
    *,
    table: CountTable | None = None,
    rows: npt.NDArray[np.int64] | None = None,
    c: float = DEFAULT_C,
    temperature: float = 5.0,
) -> TextClassifier:
    """Fit a classifier on prepared texts (``rows`` of ``table`` when given)."""
    table = table or CountTable(prepared)
    rows = np.arange(len(y)) if rows is None else rows
    fit = table.fit_blocks(rows)
    svm = fit_svm(fit.x, y[rows], c)
    params = {"C": c, "min_df": MIN_DF, "features": "word 1-2 + char 1-3 TF-IDF (sublinear)"}
    return TextClassifier(labels, fit.blocks, svm, temperature, params)
