"""Text to features: one form for raw and word-segmented text, Chinese and English alike.

Training text may arrive already segmented (tokens separated by spaces, stop words removed)
while reports arrive raw. Both go through :func:`tokens`: a segmented text keeps its tokens,
a raw one is cut by jieba's dictionary (rjieba, its Rust port: the same cut ten times faster;
jieba itself when rjieba is not installed); stop words and punctuation are dropped from both,
so the two forms meet. Word features use the tokens, character n-grams their concatenation
(segmentation-free).
"""

from __future__ import annotations

import itertools
import re
import threading
import unicodedata
from collections.abc import Callable

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_CJK_RUN = re.compile(f"[{_CJK}]")
SPACE_BETWEEN_CJK = re.compile(f"(?<=[{_CJK}]) +(?=[{_CJK}])")
_SPACES = re.compile(r"\s+")
# A token worth keeping holds a letter, a digit of two or more or a CJK character.
_CONTENT = re.compile(rf"[A-Za-z{_CJK}]|\d\d")
_SEGMENTED_SHARE = 0.2

# Chinese function words, as the stop lists applied to segmented training corpora drop them;
# dropping them from raw text too makes both forms of one message look alike.
STOP_WORDS = frozenset(
    " ".join(
        (
            "的 了 是 在 我 我们 不 和 都 有 没有 就 也 为 到 要 给 还 对",
            "这 与 被 上 但 可以 等 能 又 去 让 将 吗 他们 向 而 把 从 没",
            "并 该 什么 就是 来 这样 你 一 不能 为什么 多 这个 及 但是 以 本人",
            "很 于 不是 还是 由 如果 有关 自己 作为 其 们 这些 个 可 关于 按",
            "着 会 你们 您 难道 他 呢 所 怎么 谁 通过 或 因为 过 才 任何 为了",
            "根据 更 因 此 只有 之 而且 还有 为何 如此 得 地 其他 那 且 至",
            "这么 同时 如何 比 按照 非常 均 由于 所以 那么 一样 啊 可是 不要 吧",
            "才能 经 以及 甚至 跟 连 自 对于 因此 如 并且 只是 她 或者 不会 仍",
            "虽然 这里 何时 如下 到底 不管 各 经过 据 哪里 其中 只要 随着 当 即",
            "它 然而 然后 既然 其实 等等 凭 同 仅 么 仍然 另外 某些 the a",
            "an of to and or in on at is are was were",
            "be been it this that for with as by from",
        )
    ).split()
)

_jieba_lock = threading.Lock()
_cut: Callable[[str], list[str]] | None = None


def _segmenter() -> Callable[[str], list[str]]:
    """A function cutting raw Chinese into dictionary words (jieba's dictionary, no HMM).

    rjieba when installed (identical cuts on the 1,842 raw Teddy Cup messages, about ten
    times faster), jieba otherwise; loaded once (the dictionary takes about a second).
    """
    global _cut  # noqa: PLW0603  (one shared, lazily built dictionary per process)
    with _jieba_lock:
        if _cut is None:
            try:
                import rjieba  # noqa: PLC0415  (heavy: loaded only when raw Chinese text comes)

                def _cut_fast(text: str) -> list[str]:
                    return list(rjieba.cut(text, False))

                _cut = _cut_fast
            except ImportError:  # pragma: no cover - the slower, pure-Python cut
                import jieba  # noqa: PLC0415

                jieba.setLogLevel(60)
                tokenizer = jieba.Tokenizer()
                tokenizer.initialize()

                def _cut_slow(text: str) -> list[str]:
                    return list(tokenizer.lcut(text, HMM=False))

                _cut = _cut_slow
    return _cut


def normalize(text: str) -> str:
    """NFKC, lower case, one space between words."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text)).strip().lower()


def is_segmented(text: str) -> bool:
    """Whether a Chinese text comes already cut into words (spaces between CJK characters)."""
    cjk = len(_CJK_RUN.findall(text))
    if cjk < 4:
        return False
    return len(SPACE_BETWEEN_CJK.findall(text)) >= _SEGMENTED_SHARE * cjk / 2


def tokens(text: str) -> list[str]:
    """The content words of a text, raw or segmented, without stop words and punctuation."""
    text = normalize(text)
    if is_segmented(text):
        raw = text.split(" ")
    elif _CJK_RUN.search(text):
        raw = _segmenter()(text)
    else:
        raw = re.findall(r"[a-z0-9]+(?:'[a-z]+)?", text)
    return [t for t in raw if t not in STOP_WORDS and _CONTENT.search(t)]


def word_analyzer(text: str) -> list[str]:
    """Word unigrams and bigrams of a prepared text (tokens joined by spaces)."""
    words = text.split(" ") if text else []
    return words + [f"{a} {b}" for a, b in itertools.pairwise(words)]


def char_analyzer(text: str) -> list[str]:
    """Character 1- to 3-grams of the words run together (the segmentation does not matter)."""
    run = SPACE_BETWEEN_CJK.sub("", text)
    grams = list(run)
    grams += [run[i : i + 2] for i in range(len(run) - 1)]
    grams += [run[i : i + 3] for i in range(len(run) - 2)]
    return grams


def prepare(text: str) -> str:
    """The one form every text takes before vectorising: its content words, space separated."""
    return " ".join(tokens(text))
