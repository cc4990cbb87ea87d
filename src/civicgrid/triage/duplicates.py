"""Duplicate detection: open cases nearby, recent, in the same or a related category, alike.

Every candidate gets a score in 0..1 from four reasons: how near (H3 ring distance within the
category's radius), how recent (within its window), how alike the texts are (cosine of hashed
character 2-3-gram vectors: segmentation-free, works for Chinese and English, and thousands of
times faster than a neural sentence encoder on two cores) and whether the categories match.
Cases without a place are compared on text, time and category alone.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import h3
import numpy as np
import numpy.typing as npt
from sklearn.feature_extraction.text import HashingVectorizer
from sklearn.utils import murmurhash3_32

from civicgrid.triage import features

METHOD = "h3-rings+window+char23-cosine v1"
WEIGHTS_PLACED = {"place": 0.3, "text": 0.4, "time": 0.1, "category": 0.2}
WEIGHTS_UNPLACED = {"text": 0.7, "time": 0.1, "category": 0.2}
RELATED_CATEGORY_SCORE = 0.5
# Open cases looked at per new case when it has no place: the most recent ones in the window.
MAX_UNPLACED_CANDIDATES = 2000


def _grams(text: str) -> list[str]:
    run = "".join(c for c in features.normalize(text) if c.isalnum())
    return [run[i : i + 2] for i in range(len(run) - 1)] + [
        run[i : i + 3] for i in range(len(run) - 2)
    ]


_HASHER = HashingVectorizer(
    analyzer=_grams, n_features=2**18, alternate_sign=False, norm="l2", dtype=np.float32
)


def text_vectors(texts: Sequence[str]) -> Any:
    """Unit-length hashed n-gram vectors; the dot product of two is their cosine."""
    return _HASHER.transform(list(texts))


def text_similarity(text: str, others: Sequence[str]) -> npt.NDArray[np.float64]:
    """Cosine similarity of ``text`` to each of ``others`` (0 for empty texts).

    Each distinct text is compared once: reports often share a text (a template, a category
    name for a title, a resubmission), and a busy spot holds many of them.
    """
    if not others:
        return np.zeros(0)
    distinct = list(dict.fromkeys(others))
    if len(distinct) < len(others):
        found = dict(zip(distinct, _similarity(text, distinct), strict=True))
        return np.array([found[other] for other in others], dtype=np.float64)
    return _similarity(text, others)


def _similarity(text: str, others: Sequence[str]) -> npt.NDArray[np.float64]:
    if sum(other not in _vectors for other in others) <= FEW:
        new = _vector(text)
        return np.array([_dot(_vector(other), new) for other in others], dtype=np.float64)
    vectors = text_vectors([text, *others])
    return np.asarray((vectors[1:] @ vectors[0].T).toarray()).ravel().astype(np.float64)


# A filing compares its text with the open cases nearby, mostly ones compared before. For a
# few new texts sklearn's fixed cost per call (about 2 ms) outweighs the work, so the same
# arithmetic is done here step for step, and each text's vector is kept for the next filing:
# the same hashing of n-grams into buckets, l2-normalised as sklearn does (a double sum of
# float32 squares, float32 quotients), dot products summed in float32 in bucket order as
# scipy's sparse product does. tests/triage/test_duplicates.py checks they agree bit for bit.
FEW = 12
"""Texts not yet vectorised up to which text_similarity does without sklearn."""
_KEPT = 2048
_INT32_MIN = -(2**31)
Sparse = tuple[npt.NDArray[np.int64], npt.NDArray[np.float32]]
_vectors: dict[str, Sparse] = {}


def _vector(text: str) -> Sparse:
    found = _vectors.get(text)
    if found is None:
        found = _vectors[text] = _unit_vector(text)
        if len(_vectors) > _KEPT:  # the oldest goes first (dicts keep insertion order)
            _vectors.pop(next(iter(_vectors)), None)
    return found


def _unit_vector(text: str) -> Sparse:
    """Sorted buckets and their float32 weights, as sklearn's transform gives a row."""
    n = _HASHER.n_features
    hashes = np.array([murmurhash3_32(gram, seed=0) for gram in _grams(text)], dtype=np.int64)
    hashes = np.where(hashes == _INT32_MIN, 2**31 - 1 - (n - 1), np.abs(hashes))
    buckets, counts = np.unique(hashes % n, return_counts=True)
    found = counts.astype(np.float32)
    squares = float(np.sum((found * found).astype(np.float64)))  # float32 squares, summed exactly
    if not squares:
        return buckets, found
    return buckets, (found.astype(np.float64) / math.sqrt(squares)).astype(np.float32)


def _dot(row: Sparse, new: Sparse) -> float:
    at = np.minimum(np.searchsorted(new[0], row[0]), max(len(new[0]) - 1, 0))
    hit = new[0][at] == row[0] if len(new[0]) else np.zeros(len(row[0]), dtype=bool)
    if not hit.any():
        return 0.0
    products = row[1][hit] * new[1][at[hit]]  # float32, in bucket order
    return float(np.add.accumulate(products)[-1])  # summed one by one in float32


@dataclass(frozen=True)
class Report:
    """What the detector needs of a case (a case row or an imported record alike)."""

    key: Any
    text: str
    category: str
    created_at: datetime
    h3_cell: str | None = None


@dataclass(frozen=True)
class Rules:
    """The duplicate rules of one category."""

    rings: int
    window: timedelta
    related: frozenset[str] = field(default_factory=frozenset)


@dataclass
class Match:
    """A probable duplicate with its score and the reasons behind it."""

    key: Any
    score: float
    reasons: dict[str, Any]


def ring_distance(a: str | None, b: str | None) -> int | None:
    """H3 grid distance between two cells, or None when either is unknown or too far."""
    if a is None or b is None:
        return None
    try:
        return int(h3.grid_distance(a, b))
    except (h3.H3BaseException, ValueError):
        return None


def score(new: Report, old: Report, similarity: float, rules: Rules) -> Match | None:
    """The candidate's score and reasons, or None when it is out of place, time or category."""
    hours = (new.created_at - old.created_at).total_seconds() / 3600
    window_hours = rules.window.total_seconds() / 3600
    if hours < 0 or hours > window_hours:
        return None
    if old.category == new.category:
        category = 1.0
    elif old.category in rules.related:
        category = RELATED_CATEGORY_SCORE
    else:
        return None
    parts = {"text": similarity, "time": 1 - hours / window_hours, "category": category}
    reasons: dict[str, Any] = {
        "text_similarity": round(similarity, 3),
        "hours_apart": round(hours, 1),
        "same_category": category == 1.0,
    }
    placed = new.h3_cell is not None and old.h3_cell is not None
    if placed:
        rings = ring_distance(new.h3_cell, old.h3_cell)
        if rings is None or rings > rules.rings:
            return None
        parts["place"] = 1 - rings / (rules.rings + 1)
        reasons["rings_apart"] = rings
    weights = WEIGHTS_PLACED if placed else WEIGHTS_UNPLACED
    total = sum(weights[k] * parts[k] for k in weights)
    return Match(old.key, round(total, 4), reasons)


def rank(new: Report, candidates: Sequence[Report], rules: Rules, limit: int) -> list[Match]:
    """The best ``limit`` matches among ``candidates``, highest score first."""
    pool = [c for c in candidates if c.key != new.key]
    sims = text_similarity(new.text, [c.text for c in pool])
    found = [m for c, s in zip(pool, sims, strict=True) if (m := score(new, c, float(s), rules))]
    found.sort(key=lambda m: (-m.score, str(m.key)))
    return found[:limit]


def disk(cell: str, rings: int) -> list[str]:
    """Every H3 cell within ``rings`` of ``cell`` (itself included)."""
    return list(_disk(cell, rings))


@functools.lru_cache(maxsize=4096)
def _disk(cell: str, rings: int) -> tuple[str, ...]:
    # Reports cluster in the same places, and h3's string API costs a conversion per cell.
    return tuple(str(c) for c in h3.grid_disk(cell, rings))
