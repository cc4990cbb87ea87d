# ruff: noqa: RUF001 - Chinese punctuation in the patterns is meant
"""Text helpers of the reply scorer: language, sentences, substance, TF-IDF similarity.

Chinese is cut into words with jieba and weighted with jieba's bundled IDF table (a general
corpus, installed with the package: nothing downloads at run time); Chinese character bigrams
add robustness to segmentation slips. English words are lower-cased, stripped of a few
suffixes and of stop words, all weighted alike.
"""

from __future__ import annotations

import logging
import math
import re
from collections import Counter
from functools import cache

from civicgrid.replyquality import lexicon

_CJK = re.compile(r"[\u4e00-\u9fff]")
# A clause with the punctuation after it; Chinese replies run on with commas and colons.
_CLAUSE = {
    "zh": re.compile(r"[^。！？!?；;\n\u3000：:，,]+[。！？!?；;\n\u3000：:，,\s]*"),
    "en": re.compile(r"[^.!?;\n]+[.!?;\n\s]*"),
}
_SIGN_OFF_DATE = re.compile(
    r"[\s(（]*(\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d{4}[-/.]\d{1,2}[-/.]\d{1,2})[\s)）。.]*$"
)
_EN_WORD = re.compile(r"[a-z][a-z0-9']+")
_ZH_TOKEN_OK = re.compile(r"[\u4e00-\u9fff]|[A-Za-z]{2,}")

# Words of the complaint-and-answer genre itself: they say nothing about the topic.
_ZH_STOP_WORDS = (
    "反映 问题 情况 相关 进行 已经 关于 目前 工作 感谢 您好 你好 网友 留言 回复 答复 如下 "
    "您的 我们 你们 他们 有关 部门 现将 收悉 支持 理解 监督 关心 针对 对于 以及 同时 "
    "这个 那个 一个 没有 可以 希望 请求 要求 领导 政府 市民 群众 尊敬 谢谢 "
    "非常 十分 高度重视 立即 组织 调查 处理 了解 具体 内容 来信 平台 栏目"
)
ZH_STOP = frozenset(_ZH_STOP_WORDS.split())
_EN_STOP_WORDS = (
    "a about above after again against all also am an and any are as at be because been "
    "before being below between both but by can could did do does doing down during each "
    "few for from further had has have having he her here hers him his how i if in into is "
    "it its itself just me more most my no nor not now of off on once only or other our ours "
    "out over own same she should so some such than that the their theirs them then there "
    "these they this those through to too under until up very was we were what when where "
    "which while who whom why will with would you your yours dear hello hi thank thanks "
    "please regards sincerely city resident request report reported issue problem complaint "
    "received concern regarding re"
)
EN_STOP = frozenset(_EN_STOP_WORDS.split())


def language(text: str) -> str:
    """``zh`` when a fifth or more of the letters are Chinese characters, else ``en``."""
    letters = [c for c in text if c.isalpha()]
    if not letters:
        return "en"
    cjk = sum(1 for c in letters if _CJK.match(c))
    return "zh" if cjk / len(letters) >= 0.2 else "en"


def clauses(text: str, lang: str) -> list[str]:
    """The text cut into clauses (Chinese) or sentences (English), punctuation kept."""
    return _CLAUSE[lang].findall(text)


def substance(text: str, lang: str) -> str:
    """The reply without greetings, thanks, acknowledgements and its sign-off date."""
    body = _SIGN_OFF_DATE.sub("", text.strip())
    kept = [c for c in clauses(body, lang) if not lexicon.COURTESY[lang].search(c.strip())]
    return _SIGN_OFF_DATE.sub("", "".join(kept)).strip()


def size(text: str, lang: str) -> int:
    """Chinese characters of a Chinese text, words of an English one."""
    return len(_CJK.findall(text)) if lang == "zh" else len(text.split())


def _en_stem(word: str) -> str:
    for suffix in ("ing", "ed", "es", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)]
    return word


@cache
def _jieba() -> tuple[object, dict[str, float], float]:
    """jieba's tokenizer and IDF table, loaded once (about a second)."""
    import jieba  # noqa: PLC0415 - a second of start-up, paid only when Chinese is scored
    import jieba.analyse  # noqa: PLC0415

    jieba.setLogLevel(logging.WARNING)
    tfidf = jieba.analyse.default_tfidf
    return jieba.dt, dict(tfidf.idf_freq), float(tfidf.median_idf)


def words(text: str, lang: str) -> list[str]:
    """Content words of ``text``: jieba words for Chinese, stemmed words for English."""
    if lang == "zh":
        tokenizer, _, _ = _jieba()
        tokens = tokenizer.lcut(text)  # type: ignore[attr-defined]
        return [
            t
            for t in (str(t).strip().lower() for t in tokens)
            if len(t) >= 2 and _ZH_TOKEN_OK.search(t) and t not in ZH_STOP
        ]
    return [_en_stem(w) for w in _EN_WORD.findall(text.lower()) if w not in EN_STOP]


def _idf(word: str, lang: str) -> float:
    if lang != "zh":
        return 1.0
    _, table, median = _jieba()
    return table.get(word, median)


def weighted(text: str, lang: str) -> dict[str, float]:
    """Sublinear TF-IDF weights of the content words of ``text``."""
    counts = Counter(words(text, lang))
    return {w: (1 + math.log(n)) * _idf(w, lang) for w, n in counts.items()}


def bigrams(text: str) -> Counter[str]:
    """Chinese character bigrams (within runs of Chinese characters)."""
    grams: Counter[str] = Counter()
    for run in re.findall(r"[\u4e00-\u9fff]+", text):
        grams.update(run[i : i + 2] for i in range(len(run) - 1))
    return grams


def cosine(a: dict[str, float] | Counter[str], b: dict[str, float] | Counter[str]) -> float:
    """Cosine similarity of two sparse vectors; 0 when either is empty."""
    if not a or not b:
        return 0.0
    dot = sum(v * b[k] for k, v in a.items() if k in b)
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def keywords(weights: dict[str, float], limit: int) -> list[str]:
    """The ``limit`` heaviest words, heaviest first (ties by the word, for stable output)."""
    return [w for w, _ in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]
