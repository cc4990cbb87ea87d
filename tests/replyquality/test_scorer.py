# ruff: noqa: RUF001 - Chinese text is written with Chinese punctuation
"""The scorer on hand-written Chinese and English replies: components, reasons, timing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civicgrid.replyquality import scorer
from civicgrid.replyquality import text as tx
from civicgrid.settings import Settings
from tests.replyquality.conftest import (
    EN_COMPLAINT,
    EN_GOOD,
    EN_WEAK,
    ZH_COMPLAINT,
    ZH_GOOD,
    ZH_OFF_TOPIC,
    ZH_WEAK,
)

T0 = datetime(2026, 6, 1, 9, 0, tzinfo=UTC)


def _codes(result: scorer.ReplyScore) -> set[str]:
    return {r.code for r in result.reasons}


@pytest.mark.parametrize(
    ("complaint", "good", "weak", "lang"),
    [(ZH_COMPLAINT, ZH_GOOD, ZH_WEAK, "zh"), (EN_COMPLAINT, EN_GOOD, EN_WEAK, "en")],
)
def test_a_real_answer_beats_a_polite_nothing(
    complaint: str, good: str, weak: str, lang: str
) -> None:
    strong = scorer.score(complaint=complaint, reply=good)
    empty = scorer.score(complaint=complaint, reply=weak)
    assert strong.language == empty.language == lang
    assert strong.version == scorer.VERSION
    assert not strong.weak
    assert strong.overall >= 0.7
    assert strong.completeness >= 0.9
    assert strong.explanation >= 0.8
    assert strong.relevance > scorer.OFF_TOPIC_BELOW
    assert "off_topic" not in _codes(strong)
    assert empty.weak
    assert empty.overall < 0.1
    assert {"too_short", "no_action", "off_topic", "question_unanswered"} <= _codes(empty)


def test_an_answer_to_another_complaint_is_off_topic() -> None:
    on_topic = scorer.score(complaint=ZH_COMPLAINT, reply=ZH_GOOD)
    off_topic = scorer.score(complaint=ZH_COMPLAINT, reply=ZH_OFF_TOPIC)
    assert off_topic.relevance < scorer.OFF_TOPIC_BELOW < on_topic.relevance
    reason = next(r for r in off_topic.reasons if r.code == "off_topic")
    assert reason.component == "relevance"
    assert "路灯" in reason.message  # names what the reply leaves out
    assert off_topic.weak


def test_an_unanswered_question_is_named() -> None:
    # Says what was done and by whom, but not when, though the resident asked when.
    reply = "Our crew inspected the streetlight at 5 Oak Street and ordered a new cable."
    result = scorer.score(complaint=EN_COMPLAINT, reply=reply)
    assert result.cues["answered"] == 0
    assert {"question_unanswered", "no_date"} <= _codes(result)
    assert "when" in next(r.message for r in result.reasons if r.code == "question_unanswered")
    dated = scorer.score(complaint=EN_COMPLAINT, reply=reply + " It will be fixed by Friday.")
    assert dated.cues["answered"] == 1
    assert dated.completeness > result.completeness


def test_no_question_asked_counts_as_answered() -> None:
    result = scorer.score(complaint="路灯坏了。", reply="经查，路灯已于6月3日修复。")
    assert result.cues["answered"] == 1


def test_explanation_cues_in_chinese() -> None:
    bare = scorer.score(complaint=ZH_COMPLAINT, reply="经查，路灯已修复。")
    reasoned = scorer.score(
        complaint=ZH_COMPLAINT,
        reply="经查，由于电缆老化，根据《城市照明管理规定》，城管局已于6月3日修复路灯，"
        "下一步将每周巡查。",
    )
    assert {"no_reason", "no_basis", "no_next_step"} <= _codes(bare)
    assert not {"no_reason", "no_basis", "no_next_step"} & _codes(reasoned)
    assert reasoned.explanation > bare.explanation


def test_timeliness_against_a_deadline() -> None:
    due = T0 + timedelta(days=2)
    on_time = scorer.score(
        complaint=EN_COMPLAINT, reply=EN_GOOD, received_at=T0, replied_at=due, due_at=due
    )
    assert on_time.timeliness == 1.0
    assert "late" not in _codes(on_time)
    late = scorer.score(
        complaint=EN_COMPLAINT,
        reply=EN_GOOD,
        received_at=T0,
        replied_at=due + timedelta(days=2),
        due_at=due,
    )
    assert late.timeliness == 0.5  # as late again as the time it had
    assert late.cues["days_late"] == 2.0
    assert "late" in _codes(late)
    assert late.overall < on_time.overall
    no_start = scorer.score(
        complaint=EN_COMPLAINT, reply=EN_GOOD, replied_at=due + timedelta(days=1), due_at=due
    )
    assert no_start.timeliness == 0.5  # a day late on an assumed one-day allowance


def test_timeliness_without_a_deadline_uses_the_default_days() -> None:
    days = scorer.DEFAULT_REPLY_DAYS
    prompt = scorer.score(
        complaint=ZH_COMPLAINT, reply=ZH_GOOD, received_at=T0, replied_at=T0 + timedelta(days=3)
    )
    slow = scorer.score(
        complaint=ZH_COMPLAINT,
        reply=ZH_GOOD,
        received_at=T0,
        replied_at=T0 + timedelta(days=2 * days),
    )
    assert prompt.timeliness == 1.0
    assert slow.timeliness == 0.5


def test_unknown_timing_is_left_out_of_the_overall() -> None:
    result = scorer.score(complaint=EN_COMPLAINT, reply=EN_GOOD)
    assert result.timeliness is None
    parts = ("relevance", "completeness", "explanation")
    expected = sum(scorer.WEIGHTS[p] * getattr(result, p) for p in parts) / sum(
        scorer.WEIGHTS[p] for p in parts
    )
    assert result.overall == pytest.approx(expected, abs=1e-3)
    assert scorer.score(complaint=EN_COMPLAINT, reply=EN_GOOD, replied_at=T0).timeliness is None


def test_the_threshold_decides_weak() -> None:
    result = scorer.score(complaint=EN_COMPLAINT, reply=EN_GOOD, threshold=0.99)
    assert result.weak
    assert result.threshold == 0.99


def test_the_setting_defaults_to_the_scorers_threshold() -> None:
    assert Settings.model_fields["reply_weak_threshold"].default == scorer.WEAK_BELOW


def test_substance_drops_courtesy_and_sign_off() -> None:
    assert tx.substance(ZH_WEAK, "zh") == ""
    body = tx.substance(ZH_GOOD, "zh")
    assert body.startswith("经查")
    assert "感谢" not in body
    assert not body.endswith("2026年6月5日")
    assert tx.substance(EN_WEAK, "en") == ""
    assert tx.substance(EN_GOOD, "en").startswith("Our street lighting crew")


def test_language_and_text_helpers() -> None:
    assert tx.language("路灯坏了 streetlight") == "zh"
    assert tx.language("The light is out") == "en"
    assert tx.language("12345 !!!") == "en"
    # The reply's language decides; a reply with no letters takes the complaint's.
    assert scorer.score(complaint=EN_COMPLAINT, reply=ZH_GOOD).language == "zh"
    assert scorer.score(complaint=ZH_COMPLAINT, reply="12345").language == "zh"
    assert tx.cosine({}, {"a": 1.0}) == 0.0
    assert tx.cosine({"a": 1.0}, {"a": 2.0}) == pytest.approx(1.0)
    assert tx.keywords({"b": 1.0, "a": 1.0, "c": 2.0}, 2) == ["c", "a"]
    assert "street" in tx.words("Streets and lights", "en")
    assert tx.bigrams("路灯坏了")["路灯"] == 1
    assert tx.size("路灯坏了 ok", "zh") == 4
