"""N-gram keys of a whole batch of prepared texts at once, with numpy instead of a Python loop.

Every n-gram is identified by a 64-bit polynomial hash of its characters, exact in uint64
arithmetic (modulo 2**64): prefix hashes of the batch's concatenated code points give the hash of
any span in one vectorised step. Three views, each with its own tag so that equal strings in two
views stay two features:

- ``word``: word unigrams and bigrams of the prepared tokens;
- ``char``: character 1- to 3-grams of the tokens run together (Chinese tokens lose the spaces
  between them, so the segmentation does not matter);
- ``head``: character 1- to 3-grams of the first :data:`HEAD_TOKENS` tokens, where the title of a
  message stands (title + body texts put the title first): a weighted view of the title.

On the 33,000 distinct n-grams of a 1,842-message sample and the 2.2 million of the Teddy Cup
corpus no two n-grams shared a key.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from civicgrid.triage import features

Keys = npt.NDArray[np.uint64]
Rows = npt.NDArray[np.int64]
VIEWS = ("word", "char", "head")
HEAD_TOKENS = 12
CHAR_SIZES = (1, 2, 3)
_U64 = np.uint64
_MULT = 0x100000001B3  # odd, so invertible modulo 2**64
_INVERSE = pow(_MULT, -1, 2**64)
_TAGS = {
    "word": _U64(0x5BD1E9955BD1E995),
    "char": _U64(0xC2B2AE3D27D4EB4F),
    "head": _U64(0x165667B19E3779F9),
}
_SPACE, _BREAK = ord(" "), ord("\n")


@dataclass
class Grams:
    """For each view: the key of every n-gram occurrence and the row (text) it comes from."""

    keys: dict[str, Keys]
    rows: dict[str, Rows]
    n_rows: int


class _Hashes:
    """Prefix hashes of a code-point array: the hash of any span [a, b) in O(1)."""

    def __init__(self, codes: Keys) -> None:
        n = len(codes)
        with np.errstate(over="ignore"):
            powers = np.cumprod(np.r_[_U64(1), np.full(n, _U64(_MULT))], dtype=_U64)
            inverse = np.cumprod(np.r_[_U64(1), np.full(n - 1, _U64(_INVERSE))], dtype=_U64)
            sums = np.r_[_U64(0), np.cumsum(codes * inverse[:n], dtype=_U64)]
            self.prefix = np.r_[_U64(0), powers[:n] * sums[1:]]
        self.powers = powers

    def span(self, start: Rows, end: Rows) -> Keys:
        """Hashes of the spans [start, end)."""
        with np.errstate(over="ignore"):
            spans: Keys = self.prefix[end] - self.prefix[start] * self.powers[end - start]
        return spans


def _codes(texts: Sequence[str]) -> Keys:
    """The texts' code points, each text followed by a line break (prepared text has none)."""
    joined = "\n".join(texts) + "\n"
    return np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(_U64)


def _words(texts: Sequence[str]) -> tuple[Keys, Rows]:
    codes = _codes(texts)
    hashes = _Hashes(codes)
    breaks = np.flatnonzero((codes == _SPACE) | (codes == _BREAK))
    text_end = codes[breaks] == _BREAK
    starts = np.r_[0, breaks[:-1] + 1]
    row = np.cumsum(text_end) - text_end
    word = breaks > starts
    pair = np.flatnonzero(word[:-1] & word[1:] & ~text_end[:-1])
    keys = np.r_[
        hashes.span(starts[word], breaks[word]), hashes.span(starts[pair], breaks[pair + 1])
    ]
    return keys ^ _TAGS["word"], np.r_[row[word], row[pair]]


def _chars(runs: Sequence[str], tag: str) -> tuple[Keys, Rows]:
    codes = _codes(runs)
    hashes = _Hashes(codes)
    text_end = codes == _BREAK
    row = np.cumsum(text_end) - text_end
    keys, rows = [], []
    inside = ~text_end
    for size in range(1, max(CHAR_SIZES) + 1):
        if size > 1:
            inside = inside[:-1] & ~text_end[size - 1 :]
        if size in CHAR_SIZES:
            start = np.flatnonzero(inside)
            keys.append(hashes.span(start, start + size))
            rows.append(row[start])
    return np.concatenate(keys) ^ _TAGS[tag], np.concatenate(rows)


def run_together(prepared: str) -> str:
    """A prepared text with the spaces between Chinese tokens removed."""
    return features.SPACE_BETWEEN_CJK.sub("", prepared)


def head(prepared: str) -> str:
    """The first :data:`HEAD_TOKENS` tokens of a prepared text."""
    return " ".join(prepared.split(" ", HEAD_TOKENS)[:HEAD_TOKENS])


def grams(prepared: Sequence[str]) -> Grams:
    """Every n-gram of every view of prepared texts (see :func:`features.prepare`)."""
    keys: dict[str, Keys] = {}
    rows: dict[str, Rows] = {}
    keys["word"], rows["word"] = _words(prepared)
    keys["char"], rows["char"] = _chars([run_together(t) for t in prepared], "char")
    keys["head"], rows["head"] = _chars([run_together(head(t)) for t in prepared], "head")
    return Grams(keys, rows, len(prepared))
