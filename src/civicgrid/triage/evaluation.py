"""Honest figures for a classifier: grouped k-fold cross-validation, stored on its card.

Messages re-submitted word for word would sit on both sides of a random split and flatter the
score, so identical texts (after preparation) share a group and a fold.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sklearn.metrics import accuracy_score, confusion_matrix, f1_score
from sklearn.model_selection import StratifiedGroupKFold

from civicgrid.triage import classifier

CONFIDENCE_STEPS = (0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.98)


def duplicate_groups(prepared: Sequence[str]) -> npt.NDArray[np.int64]:
    """One group id per text; identical texts (spaces ignored) share one."""
    ids: dict[str, int] = {}
    return np.array([ids.setdefault(t.replace(" ", ""), len(ids)) for t in prepared])


@dataclass
class CrossValidation:
    """Out-of-fold scores and the figures drawn from them."""

    scores: npt.NDArray[np.float64]
    y: npt.NDArray[np.int64]
    labels: list[str]
    folds: int
    groups: int

    def figures(self, temperature: float) -> dict[str, Any]:
        """Macro-F1, per-class F1, accuracy, the confusion matrix and confidence coverage."""
        predicted = self.scores.argmax(axis=1)
        per_class = f1_score(self.y, predicted, average=None, labels=range(len(self.labels)))
        confidence = classifier.softmax(self.scores, temperature).max(axis=1)
        return {
            "method": f"{self.folds}-fold cross-validation, grouped by identical text",
            "folds": self.folds,
            "rows": len(self.y),
            "duplicate_groups": len(self.y) - self.groups,
            "macro_f1": round(float(f1_score(self.y, predicted, average="macro")), 4),
            "accuracy": round(float(accuracy_score(self.y, predicted)), 4),
            "per_class_f1": {
                label: round(float(f), 4) for label, f in zip(self.labels, per_class, strict=True)
            },
            "confusion": confusion_matrix(
                self.y, predicted, labels=range(len(self.labels))
            ).tolist(),
            "temperature": round(temperature, 4),
            "coverage": _coverage(confidence, predicted == self.y),
        }


def _coverage(
    confidence: npt.NDArray[np.float64], right: npt.NDArray[np.bool_]
) -> list[dict[str, float]]:
    """For each threshold: the share of texts at or above it and how often those are right."""
    rows = []
    for step in CONFIDENCE_STEPS:
        chosen = confidence >= step
        share = float(chosen.mean())
        accuracy = float(right[chosen].mean()) if chosen.any() else 0.0
        rows.append({"threshold": step, "share": round(share, 4), "accuracy": round(accuracy, 4)})
    return rows


def folds_of(
    prepared: Sequence[str], y: npt.NDArray[np.int64], folds: int, seed: int = 0
) -> list[tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]]:
    """Stratified k-fold (train rows, test rows), identical texts kept in one fold."""
    groups = duplicate_groups(prepared)
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    return list(splitter.split(np.zeros(len(y)), y, groups))


def cross_validate(
    table: classifier.GramTable,
    prepared: Sequence[str],
    y: npt.NDArray[np.int64],
    labels: list[str],
    *,
    folds: int = 5,
    c: float = classifier.DEFAULT_C,
    seed: int = 0,
) -> CrossValidation:
    """Scores of every text from a model that never saw it nor any identical text."""
    scores = np.zeros((len(y), len(labels)))
    for train_rows, test_rows in folds_of(prepared, y, folds, seed):
        views, columns = table.fit(train_rows)
        svm = classifier.fit_svm(table.matrix(views, columns, train_rows), y[train_rows], c)
        x = table.matrix(views, columns, test_rows)
        scores[test_rows] = classifier.decision(svm, x, len(labels))
    groups = len(set(duplicate_groups(prepared).tolist()))
    return CrossValidation(scores, y, labels, folds, groups)
