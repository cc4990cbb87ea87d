"""Agreement of the reply scorer with people: the Teddy Cup 2020 (C) attachment 4 annotations.

Three teams annotated the official replies of attachment 4 (see ../shared/data/teddycup2020c/
PROVENANCE.md): team A marked every reply explanatory or not (可解释性 0/1, 2,816 rows), team B
marked 100 replies complete (完整性) and explanatory (可解释性), team C scored 283 reply bodies
for explanation from 0 to 4. The scorer was developed against team A's rows that neither B
nor C annotated (the development rows); B and C are held out and reported as they come.
Used by ``bench/reply_quality.py`` and the agreement test; reads the CSVs, never the database.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from civicgrid.replyquality import scorer

FULL = "attachment4_full2816.csv"
TEAM_A = "attachment4_interpretability_labels2816.csv"
TEAM_B = "attachment4_quality_labels100.csv"
TEAM_C = "attachment4_explainability_scores283.csv"


@dataclass(frozen=True)
class Message:
    """One message of attachment 4 with its official reply."""

    id: str
    complaint: str
    reply: str
    received_at: datetime
    replied_at: datetime


@dataclass(frozen=True)
class Annotations:
    """The three teams' labels, keyed by 留言编号; team C's rows keep their own reply text."""

    team_a: dict[str, int]
    team_b_complete: dict[str, int]
    team_b_explains: dict[str, int]
    team_c: list[tuple[str, int, str]]

    def development_ids(self) -> list[str]:
        """Team A's rows that neither B nor C annotated: the only rows the scorer was tuned on."""
        held = set(self.team_b_complete) | {mid for mid, _, _ in self.team_c}
        return [mid for mid in self.team_a if mid not in held]


def _time(value: str) -> datetime:
    value = value.strip()
    for fmt in ("%Y/%m/%d %H:%M:%S", "%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M", "%Y/%m/%d"):
        try:
            return datetime.strptime(value, fmt)  # noqa: DTZ007 - the data have no zone
        except ValueError:
            continue
    raise ValueError(f"unreadable time {value!r}")


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def load_messages(folder: Path) -> dict[str, Message]:
    """Attachment 4's messages by 留言编号: subject and detail joined, padding stripped."""
    return {
        row["留言编号"]: Message(
            id=row["留言编号"],
            complaint=f"{row['留言主题'].strip()}。{row['留言详情'].strip()}",
            reply=row["答复意见"].strip(),
            received_at=_time(row["留言时间"]),
            replied_at=_time(row["答复时间"]),
        )
        for row in _rows(folder / FULL)
    }


def load_annotations(folder: Path) -> Annotations:
    """The three teams' annotations."""
    team_b = _rows(folder / TEAM_B)
    return Annotations(
        team_a={r["留言编号"]: int(r["可解释性"]) for r in _rows(folder / TEAM_A)},
        team_b_complete={r["留言编号"]: int(float(r["完整性指标"])) for r in team_b},
        team_b_explains={r["留言编号"]: int(float(r["可解释性指标"])) for r in team_b},
        team_c=[(r["留言编号"], int(r["score"]), r["reply_text"]) for r in _rows(folder / TEAM_C)],
    )


def score_message(message: Message, reply: str | None = None) -> scorer.ReplyScore:
    """The scorer's verdict on a message's reply (or on ``reply`` in its place)."""
    return scorer.score(
        complaint=message.complaint,
        reply=message.reply if reply is None else reply,
        received_at=message.received_at,
        replied_at=message.replied_at,
    )


def _ranks(values: Sequence[float]) -> np.ndarray:
    """Ranks from 1, ties given their mean rank."""
    array = np.asarray(values, dtype=float)
    order = array.argsort(kind="mergesort")
    ranks = np.empty(len(array))
    ranks[order] = np.arange(1, len(array) + 1)
    for value in np.unique(array):
        tied = array == value
        ranks[tied] = ranks[tied].mean()
    return ranks


def spearman(x: Sequence[float], y: Sequence[float]) -> float:
    """Spearman's rank correlation (ties averaged); nan when either side is constant."""
    rx, ry = _ranks(x), _ranks(y)
    if rx.std() == 0 or ry.std() == 0:
        return float("nan")
    return float(np.corrcoef(rx, ry)[0, 1])


def cohen_kappa(a: Sequence[int], b: Sequence[int]) -> float:
    """Cohen's kappa of two binary labellings; 0 when chance agreement is total."""
    x, y = np.asarray(a), np.asarray(b)
    observed = float((x == y).mean())
    expected = float(x.mean() * y.mean() + (1 - x.mean()) * (1 - y.mean()))
    return 0.0 if expected == 1 else (observed - expected) / (1 - expected)


def accuracy(a: Sequence[int], b: Sequence[int]) -> float:
    """Share of rows where two binary labellings agree."""
    return float((np.asarray(a) == np.asarray(b)).mean())


def auc(scores: Sequence[float], labels: Sequence[int]) -> float:
    """Area under the ROC curve: the chance a positive row outscores a negative one."""
    ranks = _ranks(scores)
    y = np.asarray(labels)
    positives, negatives = int(y.sum()), int(len(y) - y.sum())
    if positives == 0 or negatives == 0:
        return float("nan")
    return float((ranks[y == 1].sum() - positives * (positives + 1) / 2) / (positives * negatives))


def best_threshold(scores: Sequence[float], labels: Sequence[int]) -> float:
    """The cut on ``scores`` whose 0/1 labels agree best with ``labels`` (Cohen's kappa)."""
    values = np.asarray(scores, dtype=float)
    truth = np.asarray(labels, dtype=float)
    cuts = np.unique(np.round(values, 3))
    predicted = (values[None, :] >= cuts[:, None]).astype(float)
    observed = (predicted == truth).mean(axis=1)
    share = predicted.mean(axis=1)
    expected = share * truth.mean() + (1 - share) * (1 - truth.mean())
    with np.errstate(divide="ignore", invalid="ignore"):
        kappa = np.where(expected < 1, (observed - expected) / (1 - expected), 0.0)
    return float(cuts[int(np.argmax(kappa))])


def binary_figures(
    scores: Sequence[float], labels: Sequence[int], threshold: float
) -> dict[str, float]:
    """Spearman, AUC, and kappa and accuracy of ``scores >= threshold`` against 0/1 labels."""
    predicted = [int(s >= threshold) for s in scores]
    return {
        "n": len(labels),
        "positive_share": float(np.mean(labels)),
        "spearman": spearman(scores, labels),
        "auc": auc(scores, labels),
        "kappa": cohen_kappa(predicted, labels),
        "accuracy": accuracy(predicted, labels),
    }


def mismatched_relevance(
    messages: Sequence[Message], seed: int = 2020
) -> tuple[list[float], list[float]]:
    """Relevance of each reply to its own complaint and to another message's complaint.

    A label-free check of the relevance component: a reply should be more relevant to the
    complaint it answers than to a random other one.
    """
    others = list(messages)
    random.Random(seed).shuffle(others)  # noqa: S311 - a reproducible shuffle, no secret
    own, other = [], []
    for message, stranger in zip(messages, others, strict=True):
        if stranger.id == message.id:
            continue
        own.append(score_message(message).relevance)
        swapped = Message(
            message.id, stranger.complaint, message.reply, message.received_at, message.replied_at
        )
        other.append(score_message(swapped).relevance)
    return own, other


def cross_validated_labels(
    scores: Sequence[float], labels: Sequence[int], folds: int = 5, seed: int = 2020
) -> list[int]:
    """0/1 predictions, each from a threshold fitted on the other folds, never its own row."""
    order = list(range(len(scores)))
    random.Random(seed).shuffle(order)  # noqa: S311 - a reproducible shuffle, no secret
    predicted = [0] * len(scores)
    for fold in range(folds):
        test = set(order[fold::folds])
        train = [i for i in order if i not in test]
        cut = best_threshold([scores[i] for i in train], [labels[i] for i in train])
        for i in test:
            predicted[i] = int(scores[i] >= cut)
    return predicted


def _binary(
    verdicts: Sequence[scorer.ReplyScore], labels: Sequence[int], part: str, threshold: float
) -> dict[str, float]:
    values = [getattr(v, part) for v in verdicts]
    figures = binary_figures(values, labels, threshold)
    cv = cross_validated_labels(values, labels)
    figures["kappa_cv"] = cohen_kappa(cv, labels)
    figures["accuracy_cv"] = accuracy(cv, labels)
    return figures


PARTS = ("relevance", "completeness", "explanation", "overall")


def team_figures(
    verdicts: Sequence[scorer.ReplyScore],
    labels: Sequence[int],
    thresholds: dict[str, float],
) -> dict[str, dict[str, float]]:
    """Each part's agreement with one team's 0/1 labels at the given per-part thresholds."""
    return {part: _binary(verdicts, labels, part, thresholds[part]) for part in PARTS}


def human_figures(notes: Annotations) -> dict[str, dict[str, float]]:
    """How far the teams agree with one another: the ceiling the scorer can be held to."""
    shared_b = list(notes.team_b_explains)
    linked_c = [(mid, s) for mid, s, _ in notes.team_c if mid in notes.team_a]
    b_and_c = [(notes.team_b_explains[mid], s) for mid, s, _ in notes.team_c if mid in shared_b]
    a_b = [notes.team_a[mid] for mid in shared_b]
    b_b = [notes.team_b_explains[mid] for mid in shared_b]
    figures = {
        "A vs B explains": {
            "n": len(shared_b),
            "kappa": cohen_kappa(a_b, b_b),
            "accuracy": accuracy(a_b, b_b),
        },
        "A vs C explains": {
            "n": len(linked_c),
            "spearman": spearman([notes.team_a[m] for m, _ in linked_c], [s for _, s in linked_c]),
            "auc": auc([s for _, s in linked_c], [notes.team_a[m] for m, _ in linked_c]),
        },
        "B complete vs B explains": {
            "n": len(shared_b),
            "kappa": cohen_kappa([notes.team_b_complete[m] for m in shared_b], b_b),
        },
    }
    if len(b_and_c) >= 10:
        figures["B vs C explains"] = {
            "n": len(b_and_c),
            "spearman": spearman([b for b, _ in b_and_c], [c for _, c in b_and_c]),
        }
    return figures


def team_c_figures(messages: dict[str, Message], notes: Annotations) -> dict[str, dict[str, float]]:
    """Spearman of each part with team C's 0-4 scores, scoring the reply text C scored.

    Rows C could not link to a message have no complaint: they count for completeness and
    explanation only.
    """
    rows = []
    for mid, value, body in notes.team_c:
        message = messages.get(mid)
        verdict = (
            scorer.score(complaint="", reply=body)
            if message is None
            else score_message(message, reply=body)
        )
        rows.append((message is not None, value, verdict))
    table = {}
    for part in PARTS:
        needs_complaint = part in ("relevance", "overall")
        chosen = [(v, s) for linked, v, s in rows if linked or not needs_complaint]
        table[part] = {
            "n": len(chosen),
            "spearman": spearman([getattr(s, part) for _, s in chosen], [v for v, _ in chosen]),
        }
    return table
