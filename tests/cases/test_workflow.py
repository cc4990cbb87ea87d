"""The case lifecycle: every transition allowed and refused, with its side effects."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.cases import workflow
from civicgrid.cases.models import Case, CaseCoHandler, ContactAccess
from civicgrid.errors import Conflict, Forbidden, Invalid, NotFound
from civicgrid.settings import Settings
from tests.cases.conftest import MONDAY, City, file

STATES = ["new", "acknowledged", "in_progress", "waiting", "resolved", "closed", "reopened"]
ALL_PAIRS = [(a, b) for a in STATES for b in STATES]


def _at(session: Session, settings: Settings, status: str) -> Case:
    """A case brought to ``status`` through legal moves."""
    case, _ = file(session, settings)
    path = {
        "new": [],
        "acknowledged": ["acknowledged"],
        "in_progress": ["in_progress"],
        "waiting": ["waiting"],
        "resolved": ["resolved"],
        "closed": ["resolved", "closed"],
        "reopened": ["resolved", "reopened"],
    }[status]
    for step in path:
        workflow.transition(
            session,
            case=case,
            to_status=step,
            actor="t",
            settings=settings,
            reason="because",
            now=MONDAY + timedelta(hours=1),
        )
    assert case.status == status
    return case


@pytest.mark.parametrize(("source", "target"), ALL_PAIRS)
def test_every_transition(
    session: Session, settings: Settings, city: City, source: str, target: str
) -> None:
    case = _at(session, settings, source)
    now = MONDAY + timedelta(hours=2)
    if target in workflow.TRANSITIONS[source]:
        event = workflow.transition(
            session,
            case=case,
            to_status=target,
            actor="t",
            settings=settings,
            reason="why",
            now=now,
        )
        assert case.status == target
        assert (event.from_status, event.to_status) == (source, target)
        assert event.public
    else:
        with pytest.raises(Conflict, match=f"cannot become {target}"):
            workflow.transition(
                session,
                case=case,
                to_status=target,
                actor="t",
                settings=settings,
                reason="why",
                now=now,
            )
        assert case.status == source


@pytest.mark.parametrize("target", ["waiting", "reopened"])
def test_some_moves_need_a_reason(
    session: Session, settings: Settings, city: City, target: str
) -> None:
    case = _at(session, settings, "resolved" if target == "reopened" else "new")
    with pytest.raises(Invalid, match="say why"):
        workflow.transition(session, case=case, to_status=target, actor="t", settings=settings)


def test_closing_unresolved_needs_a_reason(
    session: Session, settings: Settings, city: City
) -> None:
    case = _at(session, settings, "in_progress")
    with pytest.raises(Invalid, match="never resolved"):
        workflow.transition(session, case=case, to_status="closed", actor="t", settings=settings)
    resolved = _at(session, settings, "resolved")
    workflow.transition(session, case=resolved, to_status="closed", actor="t", settings=settings)
    assert resolved.closed_at is not None


def test_first_response_resolution_and_close_are_stamped(
    session: Session, settings: Settings, city: City
) -> None:
    case, _ = file(session, settings)
    t1, t2, t3 = (MONDAY + timedelta(hours=h) for h in (1, 2, 3))
    workflow.transition(
        session, case=case, to_status="acknowledged", actor="t", settings=settings, now=t1
    )
    workflow.transition(
        session, case=case, to_status="resolved", actor="t", settings=settings, now=t2
    )
    workflow.transition(
        session, case=case, to_status="closed", actor="t", settings=settings, now=t3
    )
    assert (case.first_response_at, case.resolved_at, case.closed_at) == (t1, t2, t3)


def test_waiting_pauses_the_clock_and_shifts_deadlines(
    session: Session, settings: Settings, city: City
) -> None:
    case, _ = file(session, settings)
    due = case.resolution_due
    assert due is not None
    workflow.transition(
        session,
        case=case,
        to_status="waiting",
        actor="t",
        settings=settings,
        reason="asked the resident for a photo",
        now=MONDAY,
    )
    assert case.paused_since == MONDAY
    workflow.transition(
        session,
        case=case,
        to_status="in_progress",
        actor="t",
        settings=settings,
        now=MONDAY + timedelta(hours=3),
    )
    assert case.paused_since is None
    assert case.resolution_due == due + timedelta(hours=3)


def test_public_reply_is_the_first_response(
    session: Session, settings: Settings, city: City
) -> None:
    case, _ = file(session, settings)
    note = workflow.add_message(
        session,
        case=case,
        body="internal",
        actor="t",
        public=False,
        now=MONDAY + timedelta(minutes=5),
    )
    assert case.first_response_at is None
    assert note.kind == "note"
    assert not note.public
    reply = workflow.add_message(
        session,
        case=case,
        body="We are on it",
        actor="t",
        public=True,
        now=MONDAY + timedelta(minutes=10),
    )
    assert reply.kind == "reply"
    assert case.first_response_at == MONDAY + timedelta(minutes=10)


def test_transfer_needs_a_reason_and_a_new_department(
    session: Session, settings: Settings, city: City
) -> None:
    case, _ = file(session, settings)
    with pytest.raises(Invalid, match="reason"):
        workflow.transfer(session, case=case, department_code="DOT", reason=" ", actor="t")
    with pytest.raises(Conflict, match="already with"):
        workflow.transfer(session, case=case, department_code="DPR", reason="x", actor="t")
    with pytest.raises(NotFound):
        workflow.transfer(session, case=case, department_code="NOPE", reason="x", actor="t")
    event = workflow.transfer(
        session, case=case, department_code="DOT", reason="road, not park", actor="t"
    )
    assert case.department_id == city.roads.id
    assert event.data["to"] == "DOT"
    assert event.body == "road, not park"


def test_closed_case_cannot_be_transferred(
    session: Session, settings: Settings, city: City
) -> None:
    case = _at(session, settings, "closed")
    with pytest.raises(Conflict, match="reopen it first"):
        workflow.transfer(session, case=case, department_code="DOT", reason="x", actor="t")


def test_co_handling(session: Session, settings: Settings, city: City) -> None:
    case, _ = file(session, settings)
    workflow.request_co_handling(
        session, case=case, department_code="DOT", reason="road too", actor="t"
    )
    assert session.scalar(select(CaseCoHandler.department_id)) == city.roads.id
    with pytest.raises(Conflict, match="already co-handles"):
        workflow.request_co_handling(
            session, case=case, department_code="DOT", reason="x", actor="t"
        )
    with pytest.raises(Conflict, match="already responsible"):
        workflow.request_co_handling(
            session, case=case, department_code="DPR", reason="x", actor="t"
        )


def test_low_rating_reopens_with_a_fresh_deadline(
    session: Session, settings: Settings, city: City
) -> None:
    case, key = file(session, settings)
    later = MONDAY + timedelta(days=14)
    workflow.transition(
        session,
        case=case,
        to_status="resolved",
        actor="t",
        settings=settings,
        now=later - timedelta(days=1),
    )
    workflow.rate(
        session,
        case=case,
        rating=2,
        comment="still there",
        resident_key=key,
        settings=settings,
        now=later,
    )
    assert case.status == "reopened"
    assert case.rating == 2
    assert case.reopen_count == 1
    assert case.resolved_at is None
    assert case.resolution_due is not None
    assert case.resolution_due > later


def test_good_rating_keeps_the_case_resolved(
    session: Session, settings: Settings, city: City
) -> None:
    case, key = file(session, settings)
    workflow.transition(session, case=case, to_status="resolved", actor="t", settings=settings)
    workflow.rate(session, case=case, rating=5, comment="", resident_key=key, settings=settings)
    assert case.status == "resolved"
    assert case.rating == 5


def test_rating_rules(session: Session, settings: Settings, city: City) -> None:
    case, key = file(session, settings)
    with pytest.raises(Conflict, match="only a resolved case"):
        workflow.rate(session, case=case, rating=4, comment="", resident_key=key, settings=settings)
    workflow.transition(session, case=case, to_status="resolved", actor="t", settings=settings)
    with pytest.raises(Forbidden, match="only the reporter"):
        workflow.rate(
            session, case=case, rating=4, comment="", resident_key="guess", settings=settings
        )
    with pytest.raises(Invalid, match="1 to 5"):
        workflow.rate(session, case=case, rating=9, comment="", resident_key=key, settings=settings)


def test_contact_views_are_limited_and_logged(
    session: Session, settings: Settings, city: City
) -> None:
    case, _ = file(session, settings, contact={"phone": "+1 212 555 0100"})
    with pytest.raises(Forbidden, match="command"):
        workflow.view_contact(session, case=case, user=city.command, purpose="check")
    with pytest.raises(Forbidden, match="handling departments"):
        workflow.view_contact(session, case=case, user=city.caseworker, purpose="check")
    with pytest.raises(Invalid, match="purpose"):
        workflow.view_contact(session, case=case, user=city.parks_worker, purpose=" ")
    contact = workflow.view_contact(session, case=case, user=city.parks_worker, purpose="call back")
    assert contact.phone == "+1 212 555 0100"
    workflow.request_co_handling(session, case=case, department_code="DOT", reason="x", actor="t")
    workflow.view_contact(session, case=case, user=city.caseworker, purpose="site visit")
    log = session.execute(select(ContactAccess.actor, ContactAccess.purpose)).all()
    assert sorted(log) == [("cw", "site visit"), ("pw", "call back")]


def test_missing_contact(session: Session, settings: Settings, city: City) -> None:
    case, _ = file(session, settings)
    with pytest.raises(NotFound, match="no contact"):
        workflow.view_contact(session, case=case, user=city.supervisor, purpose="x")
