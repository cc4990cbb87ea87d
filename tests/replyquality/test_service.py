"""Assessing drafts and sent replies on a real database, and the supervisors' flagged list."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.accounts import service as accounts
from civicgrid.audit.models import AuditEntry
from civicgrid.cases import workflow
from civicgrid.cases.models import Case
from civicgrid.errors import Forbidden, Invalid, NotFound
from civicgrid.replyquality import scorer, service
from civicgrid.replyquality.models import ReplyAssessment
from civicgrid.settings import Settings
from tests.cases.conftest import MONDAY, City, file
from tests.replyquality.conftest import EN_GOOD, EN_WEAK


def _case(session: Session, settings: Settings) -> Case:
    case, _ = file(
        session,
        settings,
        description="The streetlight in front of 5 Oak Street has been out for two weeks. "
        "When will it be fixed?",
    )
    return case


def test_a_draft_is_scored_stored_and_recorded(
    session: Session, settings: Settings, city: City
) -> None:
    case = _case(session, settings)
    row = service.assess(
        session, case=case, body=EN_GOOD, actor="cw", settings=settings, now=MONDAY
    )
    assert row.id is not None
    assert row.scorer_version == scorer.VERSION
    assert row.event_id is None
    assert row.draft_sha256 == service.draft_digest(EN_GOOD)
    assert row.timeliness == 1.0  # checked at filing time, well before the first deadline
    assert not row.flagged
    assert row.threshold == settings.reply_weak_threshold
    assert row.assessed_by == "cw"
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "replyquality.assessed")
    ).one()
    assert entry.actor == f"model:{scorer.VERSION}"
    assert entry.subject == f"case:{case.tracking_id}"
    details = json.loads(entry.details)
    assert details["assessment_id"] == row.id
    assert details["requested_by"] == "cw"
    assert EN_GOOD not in entry.details  # the ledger holds the digest, not the text


def test_checking_the_same_draft_again_updates_it(
    session: Session, settings: Settings, city: City
) -> None:
    case = _case(session, settings)
    first = service.assess(session, case=case, body=EN_WEAK, now=MONDAY)
    later = MONDAY + timedelta(days=30)
    again = service.assess(session, case=case, body=f"  {EN_WEAK}\n", now=later)
    assert again.id == first.id
    assert again.assessed_at == later
    assert again.flagged
    assert again.timeliness is not None
    assert again.timeliness < 1  # now past the deadline


def test_a_newer_draft_supersedes_the_older_one(
    session: Session, settings: Settings, city: City
) -> None:
    case = _case(session, settings)
    weak = service.assess(session, case=case, body=EN_WEAK, now=MONDAY)
    good = service.assess(session, case=case, body=EN_GOOD, now=MONDAY)
    assert weak.superseded_at == MONDAY
    assert good.superseded_at is None
    rows, total = service.list_flagged(session, user=city.supervisor)
    assert total == 0
    assert list(rows) == []


def test_sending_links_the_draft_to_the_reply_event(
    session: Session, settings: Settings, city: City
) -> None:
    case = _case(session, settings)
    draft = service.assess(session, case=case, body=EN_WEAK, actor="cw", now=MONDAY)
    # What the case workflow does when the reply is sent, then the call the lead wires in.
    event = workflow.add_message(
        session, case=case, body=EN_WEAK, actor="cw", public=True, now=MONDAY
    )
    sent = service.assess(session, case=case, body=event.body, actor="cw", event=event)
    assert sent.id == draft.id
    assert sent.event_id == event.id
    assert sent.timeliness == 1.0  # the case's first response, sent before its deadline
    again = service.assess(session, case=case, body=event.body, event=event)
    assert again.id == draft.id
    rows, total = service.list_flagged(session, user=city.supervisor, sent=True)
    assert total == 1
    assert rows[0].id == draft.id
    assert service.list_flagged(session, user=city.supervisor, sent=False)[1] == 0


def test_a_reply_sent_without_a_check_is_assessed_too(
    session: Session, settings: Settings, city: City
) -> None:
    case = _case(session, settings)
    workflow.add_message(session, case=case, body="first", actor="cw", public=True, now=MONDAY)
    later = MONDAY + timedelta(days=3)
    event = workflow.add_message(
        session, case=case, body=EN_GOOD, actor="cw", public=True, now=later
    )
    row = service.assess(session, case=case, body=EN_GOOD, event=event)
    assert row.event_id == event.id
    assert row.timeliness == 1.0  # judged against the resolution deadline, still ahead


def test_a_paused_case_has_no_timeliness(session: Session, settings: Settings, city: City) -> None:
    case = _case(session, settings)
    workflow.transition(
        session,
        case=case,
        to_status="waiting",
        actor="cw",
        settings=settings,
        reason="waiting for parts",
        now=MONDAY,
    )
    row = service.assess(session, case=case, body=EN_GOOD, now=MONDAY + timedelta(days=20))
    assert row.timeliness is None


def test_an_empty_reply_is_refused(session: Session, settings: Settings, city: City) -> None:
    case = _case(session, settings)
    with pytest.raises(Invalid, match="empty"):
        service.assess(session, case=case, body="  \n ")


def test_flagged_list_for_supervisors_only(
    session: Session, settings: Settings, city: City
) -> None:
    case = _case(session, settings)
    other, _ = file(session, settings, category="pothole", lat=0.5, attributes={"depth": "deep"})
    service.assess(session, case=case, body=EN_WEAK, now=MONDAY)
    service.assess(session, case=other, body=EN_WEAK, now=MONDAY + timedelta(minutes=1))
    rows, total = service.list_flagged(session, user=city.supervisor)
    assert total == 2
    assert [r.case_id for r in rows] == [other.id, case.id]  # newest first
    assert (
        service.list_flagged(session, user=city.supervisor, page=2, page_size=1)[0][0].case_id
        == case.id
    )
    roads = service.list_flagged(session, user=city.supervisor, department="DOT")[0]
    assert [r.case_id for r in roads] == [other.id]
    with pytest.raises(NotFound):
        service.list_flagged(session, user=city.supervisor, department="NOPE")
    with pytest.raises(Forbidden, match="supervisors"):
        service.list_flagged(session, user=city.caseworker)
    parks_boss = accounts.create(
        session, username="psup", display_name="P", role="supervisor", department_code="DPR"
    )
    mine = service.list_flagged(session, user=parks_boss)[0]
    assert [r.case_id for r in mine] == [case.id]  # a department's supervisor sees its cases


def test_to_read_carries_the_tracking_id(session: Session, settings: Settings, city: City) -> None:
    case = _case(session, settings)
    row = service.assess(session, case=case, body=EN_WEAK, now=MONDAY)
    read = service.to_read(session, [row])[0]
    assert read.tracking_id == case.tracking_id
    assert read.flagged
    assert {r.code for r in read.reasons} >= {"too_short", "no_action"}
    assert service.to_read(session, []) == []
    assert session.get(ReplyAssessment, row.id) is row
