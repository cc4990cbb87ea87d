"""The reply-quality scorer: pure functions, no database, one version string for its output.

A public reply is scored on four components, each from 0 to 1:

- relevance: does it talk about what the complaint is about (TF-IDF cosine of the reply's
  substance and the complaint, and how many of the complaint's key words it takes up);
- completeness: does it say what was done, by whom and when, answer the questions asked, and
  say enough (a reply that only thanks the resident says nothing);
- explanation: does it give reasons, the rule it rests on, the next steps, specific facts;
- timeliness: was it sent within its deadline (or, without one, within ``DEFAULT_REPLY_DAYS``).

``overall`` is their weighted mean (timeliness left out when unknown); below the threshold the
reply is ``weak``. Weights and cues were set by hand, the threshold on development rows (see
``agreement``); any change to them must change ``VERSION``, which is stored beside every score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from civicgrid.replyquality import lexicon
from civicgrid.replyquality import text as tx

VERSION = "replyquality@1"  # NAME@VERSION, as the audit trail names a model
WEIGHTS = {"relevance": 0.3, "completeness": 0.3, "explanation": 0.25, "timeliness": 0.15}
# Chosen on team A's development rows of Teddy Cup attachment 4 (best kappa at 0.31, rounded
# up to flag a little more: a flag is only a suggestion); see docs/reply-quality.md.
WEAK_BELOW = 0.35
DEFAULT_REPLY_DAYS = 15.0
# A cosine at or above this counts as fully on topic: Teddy Cup replies reach a median of about
# 0.2 with their own complaint (0.3 at the upper quartile) and 0.01 with another one.
RELEVANCE_SATURATION = 0.3
KEYWORDS = 8
# Relevance below this earns the "off topic" reason: 97% of Teddy Cup replies set against another
# message's complaint fall below it, 13% against their own (mostly replies with no substance).
OFF_TOPIC_BELOW = 0.2
# Length of substance (Chinese characters, English words) at which a reply is long enough.
ENOUGH = {"zh": 150, "en": 40}


@dataclass(frozen=True)
class Reason:
    """One thing a reply lacks, in words a caseworker can act on."""

    code: str
    component: str
    message: str


@dataclass(frozen=True)
class ReplyScore:
    """The scorer's verdict on one reply; ``version`` names the scorer that produced it."""

    version: str
    language: str
    relevance: float
    completeness: float
    explanation: float
    timeliness: float | None
    overall: float
    weak: bool
    threshold: float
    reasons: tuple[Reason, ...] = ()
    cues: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _Part:
    value: float
    cues: dict[str, float]
    reasons: list[Reason]


def score(
    *,
    complaint: str,
    reply: str,
    received_at: datetime | None = None,
    replied_at: datetime | None = None,
    due_at: datetime | None = None,
    threshold: float = WEAK_BELOW,
) -> ReplyScore:
    """Score ``reply`` as an answer to ``complaint``, sent at ``replied_at``."""
    lang = tx.language(reply if any(c.isalpha() for c in reply) else complaint)
    body = tx.substance(reply, lang)
    parts = {
        "relevance": relevance(complaint, body, lang),
        "completeness": completeness(complaint, body, lang),
        "explanation": explanation(body, lang),
    }
    timely = timeliness(received_at=received_at, replied_at=replied_at, due_at=due_at)
    if timely is not None:
        parts["timeliness"] = timely
    total = sum(WEIGHTS[name] for name in parts)
    overall = _round(sum(WEIGHTS[name] * part.value for name, part in parts.items()) / total)
    return ReplyScore(
        version=VERSION,
        language=lang,
        relevance=_round(parts["relevance"].value),
        completeness=_round(parts["completeness"].value),
        explanation=_round(parts["explanation"].value),
        timeliness=_round(timely.value) if timely else None,
        overall=overall,
        weak=overall < threshold,
        threshold=threshold,
        reasons=tuple(r for part in parts.values() for r in part.reasons),
        cues={k: round(v, 4) for part in parts.values() for k, v in part.cues.items()},
    )


def _round(value: float) -> float:
    return round(min(1.0, max(0.0, value)), 4)


def _has(patterns: dict[str, re.Pattern[str]], lang: str, body: str) -> float:
    return 1.0 if patterns[lang].search(body) else 0.0


def relevance(complaint: str, body: str, lang: str) -> _Part:
    """How far the reply's substance is about the complaint's subject."""
    complaint_words = tx.weighted(complaint, lang)
    reply_words = tx.weighted(body, lang)
    similarity = tx.cosine(complaint_words, reply_words)
    if lang == "zh":
        similarity = (similarity + tx.cosine(tx.bigrams(complaint), tx.bigrams(body))) / 2
    key = tx.keywords(complaint_words, KEYWORDS)
    lowered = body.lower()
    covered = [k for k in key if k in reply_words or k in lowered]
    coverage = len(covered) / len(key) if key else 1.0
    value = 0.5 * min(1.0, similarity / RELEVANCE_SATURATION) + 0.5 * coverage
    reasons = []
    if value < OFF_TOPIC_BELOW:
        missing = ", ".join(k for k in key if k not in covered)
        reasons.append(
            Reason(
                "off_topic",
                "relevance",
                f"the reply hardly takes up what the complaint is about (not mentioned: {missing})",
            )
        )
    return _Part(value, {"similarity": similarity, "keyword_coverage": coverage}, reasons)


def _questions_answered(complaint: str, body: str, lang: str) -> tuple[float, list[str]]:
    """Share of the kinds of question in the complaint that the reply answers, and the rest."""
    wanted = {
        "when": lexicon.WHEN,
        "why": lexicon.REASON,
        "how": lexicon.NEXT_STEP,
        "yes_no": lexicon.VERDICT,
        "how_much": lexicon.SPECIFIC,
    }
    asked = [kind for kind, regex in lexicon.QUESTION[lang].items() if regex.search(complaint)]
    unanswered = [kind for kind in asked if not _has(wanted[kind], lang, body)]
    if not asked:
        return 1.0, []
    return 1 - len(unanswered) / len(asked), unanswered


def _length(body: str, lang: str) -> float:
    return min(1.0, tx.size(body, lang) / ENOUGH[lang])


def completeness(complaint: str, body: str, lang: str) -> _Part:
    """Whether the reply says what was done, by whom, when, and answers what was asked."""
    cues = {
        "action": _has(lexicon.ACTION, lang, body),
        "actor": _has(lexicon.ACTOR, lang, body),
        "when": _has(lexicon.WHEN, lang, body),
        "length": _length(body, lang),
    }
    cues["answered"], unanswered = _questions_answered(complaint, body, lang)
    value = (
        0.25 * cues["action"]
        + 0.15 * cues["actor"]
        + 0.2 * cues["when"]
        + 0.2 * cues["answered"]
        + 0.2 * cues["length"]
    )
    hints = {
        "action": ("no_action", "say what was done (inspected, repaired, ordered; 经查, 已安排)"),
        "actor": ("no_actor", "say who did it (which department, crew or office)"),
        "when": ("no_date", "say when it was done or will be (a date or a time frame)"),
    }
    reasons = [
        Reason(code, "completeness", message)
        for cue, (code, message) in hints.items()
        if not cues[cue]
    ]
    if unanswered:
        reasons.append(
            Reason(
                "question_unanswered",
                "completeness",
                "the complaint asks " + ", ".join(unanswered) + "; the reply does not answer it",
            )
        )
    if cues["length"] < 0.3:
        reasons.append(
            Reason("too_short", "completeness", "beyond greetings and thanks it says very little")
        )
    return _Part(value, cues, reasons)


def explanation(body: str, lang: str) -> _Part:
    """Whether the reply explains itself: reasons, rules, next steps and specific facts."""
    specifics = len(lexicon.SPECIFIC[lang].findall(body))
    cues = {
        "reason": _has(lexicon.REASON, lang, body),
        "basis": _has(lexicon.BASIS, lang, body),
        "next_step": _has(lexicon.NEXT_STEP, lang, body),
        "specifics": min(1.0, specifics / 2),
    }
    value = (
        0.3 * cues["reason"]
        + 0.3 * cues["basis"]
        + 0.2 * cues["next_step"]
        + 0.2 * cues["specifics"]
    )
    # Cues in a sentence or two explain less than the same cues in a real answer.
    value *= 0.5 + 0.5 * _length(body, lang)
    hints = {
        "reason": ("no_reason", "give the reasons (because, due to; 因为, 由于)"),
        "basis": ("no_basis", "name the rule or policy it rests on (according to; 根据《…》)"),
        "next_step": ("no_next_step", "say what happens next or what the resident can do"),
    }
    reasons = [
        Reason(code, "explanation", message)
        for cue, (code, message) in hints.items()
        if not cues[cue]
    ]
    return _Part(value, cues, reasons)


def timeliness(
    *,
    received_at: datetime | None,
    replied_at: datetime | None,
    due_at: datetime | None,
) -> _Part | None:
    """1 when sent by the deadline, falling as the delay grows past it; None when unknown."""
    if replied_at is None or (due_at is None and received_at is None):
        return None
    if due_at is not None:
        late_days = (replied_at - due_at).total_seconds() / 86400
        allowed = (due_at - received_at).total_seconds() / 86400 if received_at else 1.0
    else:
        assert received_at is not None
        allowed = DEFAULT_REPLY_DAYS
        late_days = (replied_at - received_at).total_seconds() / 86400 - allowed
    allowed = max(allowed, 1 / 24)
    if late_days <= 0:
        return _Part(1.0, {"days_late": 0.0}, [])
    value = allowed / (allowed + late_days)
    reason = Reason(
        "late", "timeliness", f"the reply comes {late_days:.1f} days after its deadline"
    )
    return _Part(value, {"days_late": late_days}, [reason])
