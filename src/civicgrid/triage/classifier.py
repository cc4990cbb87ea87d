"""The category classifier: word, character and title n-gram TF-IDF with a linear SVM, on the CPU.

Chosen by measurement on the Teddy Cup 2020 messages (docs/triage.md): pre-trained sentence
encoders were 100 times too slow on two cores; words plus character n-grams beat either alone,
and a weighted view of the first words (where the title stands) lifted macro-F1 by half a point.
Confidence is a softmax of the SVM's scores at a temperature fitted on cross-validated scores,
so that "0.9" means right about nine times in ten on the training data's folds.

N-grams are 64-bit keys computed for a whole batch at once (:mod:`ngrams`); a view is a sorted
array of the keys kept and their IDF, so scoring a batch is a few numpy calls and one sparse
product, without a Python loop over n-grams.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse
from sklearn.svm import LinearSVC

from civicgrid.errors import Invalid
from civicgrid.triage import features, ngrams

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
DEFAULT_C = 1.0
MIN_DF = 2
TEMPERATURES = np.geomspace(0.5, 50, 60)
# Each view's TF-IDF rows have unit length, times its weight. C and the title weight were
# chosen by inner CV on the training folds of a nested CV (docs/triage.md).
VIEW_WEIGHTS = {"word": 1.0, "char": 1.0, "head": 1.0}
FEATURES = (
    "word 1-2-grams + char 1-3-grams + char 1-3-grams of the first "
    f"{ngrams.HEAD_TOKENS} words (weight {VIEW_WEIGHTS['head']}), TF-IDF (sublinear)"
)


@dataclass
class Prediction:
    """One text's predicted label, its confidence and the runners-up."""

    label: str
    confidence: float
    alternatives: list[tuple[str, float]] = field(default_factory=list)


def tfidf(counts: sparse.csr_matrix, idf: FloatArray, weight: float) -> sparse.csr_matrix:
    """Sublinear TF x IDF, each row scaled to length ``weight`` (empty rows stay empty)."""
    x = counts.astype(np.float64)
    x.data = (1.0 + np.log(x.data)) * idf[x.indices]
    norms = np.sqrt(np.asarray(x.multiply(x).sum(axis=1)).ravel())
    norms[norms == 0] = 1.0
    scale = np.repeat(weight / norms, np.diff(x.indptr))
    x.data *= scale
    return x


def idf_of(df: IntArray, n_rows: int) -> FloatArray:
    """Smoothed IDF, as scikit-learn computes it."""
    return np.asarray(np.log((1.0 + n_rows) / (1.0 + df)) + 1.0, dtype=np.float64)


@dataclass
class View:
    """One view's vocabulary: the sorted n-gram keys kept, their IDF and the view's weight."""

    name: str
    keys: ngrams.Keys
    idf: FloatArray
    weight: float

    def counts(self, grams: ngrams.Grams) -> sparse.csr_matrix:
        """Counts of the vocabulary's n-grams in each text (other n-grams are ignored)."""
        keys, rows = grams.keys[self.name], grams.rows[self.name]
        shape = (grams.n_rows, len(self.keys))
        if not len(self.keys) or not len(keys):
            return sparse.csr_matrix(shape, dtype=np.float64)
        column = np.minimum(np.searchsorted(self.keys, keys), len(self.keys) - 1)
        hit = self.keys[column] == keys
        ones = np.ones(int(hit.sum()))
        counts = sparse.csr_matrix((ones, (rows[hit], column[hit])), shape=shape)
        counts.sum_duplicates()
        return counts

    def matrix(self, grams: ngrams.Grams) -> sparse.csr_matrix:
        """The view's weighted TF-IDF rows."""
        return tfidf(self.counts(grams), self.idf, self.weight)


class GramTable:
    """Every n-gram of a corpus counted once, so that folds only slice the counts."""

    def __init__(self, prepared: Sequence[str]) -> None:
        grams = ngrams.grams(prepared)
        self.keys: dict[str, ngrams.Keys] = {}
        self.counts: dict[str, sparse.csr_matrix] = {}
        for name in ngrams.VIEWS:
            keys, column = np.unique(grams.keys[name], return_inverse=True)
            ones = np.ones(len(column))
            shape = (len(prepared), len(keys))
            counts = sparse.csr_matrix((ones, (grams.rows[name], column.ravel())), shape=shape)
            counts.sum_duplicates()
            self.keys[name], self.counts[name] = keys, counts

    def fit(self, rows: IntArray) -> tuple[list[View], list[IntArray]]:
        """Views fitted on ``rows`` only (n-grams in at least MIN_DF of them, IDF), and the
        table columns each view keeps."""
        views, columns = [], []
        for name in ngrams.VIEWS:
            df = np.diff(self.counts[name][rows].tocsc().indptr)
            keep = np.flatnonzero(df >= MIN_DF)
            idf = idf_of(df[keep], len(rows))
            views.append(View(name, self.keys[name][keep], idf, VIEW_WEIGHTS[name]))
            columns.append(keep)
        if not any(len(keep) for keep in columns):
            raise Invalid(
                "no word or character occurs in %(count)s training texts: too few or too "
                "different texts to learn from; add examples",
                field="data",
                params={"count": MIN_DF},
            )
        return views, columns

    def matrix(
        self, views: list[View], columns: list[IntArray], rows: IntArray
    ) -> sparse.csr_matrix:
        """X of ``rows`` as a model with these views sees them."""
        parts = [
            tfidf(self.counts[v.name][rows][:, keep], v.idf, v.weight)
            for v, keep in zip(views, columns, strict=True)
        ]
        return sparse.hstack(parts, format="csr")


@dataclass
class TextClassifier:
    """A fitted classifier: its views, the SVM's weights, labels and confidence temperature."""

    labels: list[str]
    views: list[View]
    weights: FloatArray
    intercept: FloatArray
    temperature: float = 5.0
    parameters: dict[str, Any] = field(default_factory=dict)

    def matrix(self, texts: Sequence[str]) -> sparse.csr_matrix:
        """The feature rows of raw or segmented texts."""
        if not hasattr(self, "views"):
            raise Invalid("this model was trained by an older civicgrid; train it again")
        prepared = [features.prepare(t) for t in texts]
        grams = ngrams.grams(prepared)
        return sparse.hstack([v.matrix(grams) for v in self.views], format="csr")

    def scores(self, texts: Sequence[str]) -> FloatArray:
        """SVM scores, one column per label."""
        return np.asarray(self.matrix(texts) @ self.weights, dtype=np.float64) + self.intercept

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


def decision(svm: LinearSVC, x: sparse.csr_matrix, n_labels: int) -> FloatArray:
    """SVM scores in every label's column, even for labels absent from the training rows."""
    scores = np.asarray(svm.decision_function(x), dtype=np.float64)
    if scores.ndim == 1:  # two labels: sklearn gives one column, the second label's score
        scores = np.column_stack([-scores, scores])
    out = np.full((x.shape[0], n_labels), -10.0)
    out[:, svm.classes_] = scores
    return out


def softmax(scores: FloatArray, temperature: float) -> FloatArray:
    """Probabilities from scores at ``temperature`` (higher: more confident)."""
    z = scores * temperature
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return np.asarray(e / e.sum(axis=1, keepdims=True), dtype=np.float64)


def fit_temperature(scores: FloatArray, y: IntArray) -> float:
    """The temperature that minimises the log-loss of held-out scores."""
    rows = np.arange(len(y))
    losses = [
        -float(np.log(np.clip(softmax(scores, t)[rows, y], 1e-12, 1)).mean()) for t in TEMPERATURES
    ]
    return float(TEMPERATURES[int(np.argmin(losses))])


def fit_svm(x: sparse.csr_matrix, y: IntArray, c: float) -> LinearSVC:
    """The linear SVM; classes weighted by their rarity, which lifts macro-F1."""
    return LinearSVC(C=c, class_weight="balanced").fit(x, y)


def train(
    prepared: Sequence[str],
    y: IntArray,
    labels: list[str],
    *,
    table: GramTable | None = None,
    rows: IntArray | None = None,
    c: float = DEFAULT_C,
    temperature: float = 5.0,
) -> TextClassifier:
    """Fit a classifier on prepared texts (``rows`` of ``table`` when given)."""
    table = table or GramTable(prepared)
    rows = np.arange(len(y)) if rows is None else rows
    views, columns = table.fit(rows)
    svm = fit_svm(table.matrix(views, columns, rows), y[rows], c)
    weights = decision_weights(svm, len(labels))
    params = {"C": c, "min_df": MIN_DF, "features": FEATURES}
    return TextClassifier(labels, views, *weights, temperature, params)


def decision_weights(svm: LinearSVC, n_labels: int) -> tuple[FloatArray, FloatArray]:
    """The SVM as a weight matrix (features x labels) and intercepts, one column per label."""
    coef = np.asarray(svm.coef_, dtype=np.float64)
    intercept = np.asarray(svm.intercept_, dtype=np.float64)
    if coef.shape[0] == 1:  # two labels: one row, the second label's score
        coef, intercept = np.vstack([-coef, coef]), np.concatenate([-intercept, intercept])
    weights = np.zeros((coef.shape[1], n_labels))
    bias = np.full(n_labels, -10.0)
    weights[:, svm.classes_], bias[svm.classes_] = coef.T, intercept
    return weights, bias
