"""Working a case: transitions, transfer, co-handling, notes and replies, ratings, contacts."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.accounts.models import User
from civicgrid.audit import service as audit
from civicgrid.cases.models import Case, CaseCoHandler, CaseEvent, ContactAccess, ReporterContact
from civicgrid.cases.tracking import hash_resident_key
from civicgrid.catalog import service as catalog
from civicgrid.db import utcnow
from civicgrid.errors import Conflict, Forbidden, Invalid, NotFound
from civicgrid.settings import Settings
from civicgrid.sla import service as sla

OPEN_STATES = ("new", "acknowledged", "in_progress", "waiting", "reopened")
WORKING = ("acknowledged", "in_progress", "waiting", "resolved", "closed")
TRANSITIONS: dict[str, tuple[str, ...]] = {
    "new": WORKING,
    "acknowledged": ("in_progress", "waiting", "resolved", "closed"),
    "in_progress": ("waiting", "resolved", "closed"),
    "waiting": ("in_progress", "resolved", "closed"),
    "resolved": ("closed", "reopened"),
    "closed": ("reopened",),
    "reopened": WORKING,
}
# Moves that a person must explain: what we wait for, why it closes unresolved, why it reopens.
NEEDS_REASON = {"waiting", "reopened"}
CONTACT_ROLES = {"operator", "caseworker", "supervisor", "administrator"}


def _record(session: Session, case: Case, now: datetime, **fields: Any) -> CaseEvent:
    """Append one event to the case's timeline (and touch the case) and to the audit ledger."""
    event = CaseEvent(case_id=case.id, created_at=now, **fields)
    case.updated_at = now
    session.add(event)
    session.flush()
    audit.record(
        session,
        actor=event.actor,
        action=f"case.{event.kind}",
        subject=f"case:{case.tracking_id}",
        details={
            "event_id": event.id,
            "from_status": event.from_status,
            "to_status": event.to_status,
            "public": event.public,
            # The ledger may be published: it proves the text without disclosing it.
            "body_sha256": audit.digest(event.body),
            "data": event.data or {},
        },
        now=now,
    )
    return event


def transition(
    session: Session,
    *,
    case: Case,
    to_status: str,
    actor: str,
    settings: Settings,
    reason: str = "",
    now: datetime | None = None,
) -> CaseEvent:
    """Move ``case`` to ``to_status`` if the lifecycle allows it, with its side effects."""
    now = now or utcnow()
    allowed = TRANSITIONS[case.status]
    if to_status not in allowed:
        raise Conflict(
            "a case that is %(status)s cannot become %(to_status)s; it can become: %(allowed)s",
            params={"status": case.status, "to_status": to_status, "allowed": allowed},
            field="status",
        )
    reason = reason.strip()
    if to_status in NEEDS_REASON and not reason:
        raise Invalid(
            "say why the case becomes %(to_status)s (reason)",
            params={"to_status": to_status},
            field="reason",
        )
    if to_status == "closed" and case.status != "resolved" and not reason:
        raise Invalid("closing a case that was never resolved needs a reason", field="reason")
    from_status = case.status
    _leave(session, case=case, from_status=from_status, now=now)
    _enter(session, case=case, to_status=to_status, now=now, settings=settings)
    case.status = to_status
    return _record(
        session,
        case,
        now,
        kind="status_changed",
        from_status=from_status,
        to_status=to_status,
        public=True,
        body=reason,
        actor=actor,
    )


def _leave(session: Session, *, case: Case, from_status: str, now: datetime) -> None:
    if from_status == "waiting":
        sla.resume(session, case=case, now=now)
    if from_status in ("new", "reopened") and case.first_response_at is None:
        case.first_response_at = now


def _enter(
    session: Session, *, case: Case, to_status: str, now: datetime, settings: Settings
) -> None:
    if to_status == "waiting":
        sla.pause(case=case, now=now)
    elif to_status == "resolved":
        case.resolved_at = now
    elif to_status == "closed":
        case.closed_at = now
    elif to_status == "reopened":
        case.reopen_count += 1
        case.resolved_at = None
        case.closed_at = None
        sla.restart_resolution_clock(session, case=case, now=now, settings=settings)


def transfer(
    session: Session,
    *,
    case: Case,
    department_code: str,
    reason: str,
    actor: str,
    now: datetime | None = None,
) -> CaseEvent:
    """Hand the case to another department; the reason goes in the timeline."""
    now = now or utcnow()
    _require_open(case, "transferred")
    target = catalog.get_department_or_raise(session, department_code)
    if target.id == case.department_id:
        raise Conflict(
            "the case is already with %(target_name)s",
            params={"target_name": target.name},
            field="department",
        )
    if not reason.strip():
        raise Invalid("a transfer needs a reason", field="reason")
    previous = case.department_id
    case.department_id = target.id
    return _record(
        session,
        case,
        now,
        kind="transferred",
        public=False,
        body=reason.strip(),
        actor=actor,
        data={"from_department_id": previous, "to": target.code},
    )


def request_co_handling(
    session: Session,
    *,
    case: Case,
    department_code: str,
    reason: str,
    actor: str,
    now: datetime | None = None,
) -> CaseEvent:
    """Ask a second department to work the case alongside the responsible one."""
    now = now or utcnow()
    _require_open(case, "co-handled")
    target = catalog.get_department_or_raise(session, department_code)
    if target.id == case.department_id:
        raise Conflict(
            "%(target_name)s is already responsible for the case",
            params={"target_name": target.name},
            field="department",
        )
    exists = session.scalar(
        select(CaseCoHandler).where(
            CaseCoHandler.case_id == case.id, CaseCoHandler.department_id == target.id
        )
    )
    if exists:
        raise Conflict(
            "%(target_name)s already co-handles the case",
            params={"target_name": target.name},
            field="department",
        )
    session.add(
        CaseCoHandler(
            case_id=case.id,
            department_id=target.id,
            reason=reason.strip(),
            requested_by=actor,
            created_at=now,
        )
    )
    return _record(
        session,
        case,
        now,
        kind="co_handling",
        public=False,
        body=reason.strip(),
        actor=actor,
        data={"department": target.code},
    )


def add_message(
    session: Session,
    *,
    case: Case,
    body: str,
    actor: str,
    public: bool,
    now: datetime | None = None,
) -> CaseEvent:
    """An internal note (``public=False``) or a public reply; a first reply is a response."""
    now = now or utcnow()
    if public and case.first_response_at is None:
        case.first_response_at = now
    return _record(
        session,
        case,
        now,
        kind="reply" if public else "note",
        public=public,
        body=body.strip(),
        actor=actor,
    )


def rate(
    session: Session,
    *,
    case: Case,
    rating: int,
    comment: str,
    resident_key: str,
    settings: Settings,
    now: datetime | None = None,
) -> CaseEvent:
    """The reporter rates a resolved case; 1 or 2 reopens it with a fresh deadline."""
    now = now or utcnow()
    if case.resident_key_hash is None or hash_resident_key(resident_key) != case.resident_key_hash:
        raise Forbidden("only the reporter can rate a case: use the key from the tracking link")
    if case.status != "resolved":
        raise Conflict(
            "only a resolved case can be rated; this one is %(status)s",
            params={"status": case.status},
            field="rating",
        )
    if not 1 <= rating <= 5:
        raise Invalid("rating must be a whole number from 1 to 5", field="rating")
    case.rating = rating
    event = _record(
        session,
        case,
        now,
        kind="rated",
        public=True,
        body=comment.strip(),
        actor="resident",
        data={"rating": rating},
    )
    if rating <= 2:
        transition(
            session,
            case=case,
            to_status="reopened",
            actor="resident",
            settings=settings,
            now=now,
            reason=f"The resident rated the answer {rating} of 5. {comment}".strip(),
        )
    return event


def view_contact(
    session: Session, *, case: Case, user: User, purpose: str, now: datetime | None = None
) -> ReporterContact:
    """The reporter's contact details for staff who need them; every view is logged."""
    if user.role not in CONTACT_ROLES:
        raise Forbidden(
            "a %(role)s may not see reporter contact details", params={"role": user.role}
        )
    if user.role == "caseworker" and not _handles(session, case=case, user=user):
        raise Forbidden(
            "only caseworkers of the handling departments may see the reporter's contact"
        )
    contact = session.scalar(select(ReporterContact).where(ReporterContact.case_id == case.id))
    if contact is None:
        raise NotFound("the reporter left no contact details")
    if not purpose.strip():
        raise Invalid("say why you need the reporter's contact (purpose)", field="purpose")
    now = now or utcnow()
    session.add(
        ContactAccess(
            contact_id=contact.id, actor=user.username, purpose=purpose.strip(), accessed_at=now
        )
    )
    session.flush()
    audit.record(
        session,
        actor=user.username,
        action="case.contact_viewed",
        subject=f"case:{case.tracking_id}",
        details={"purpose_sha256": audit.digest(purpose.strip())},
        now=now,
    )
    return contact


def _handles(session: Session, *, case: Case, user: User) -> bool:
    if user.department_id == case.department_id:
        return True
    return (
        session.scalar(
            select(CaseCoHandler.id).where(
                CaseCoHandler.case_id == case.id, CaseCoHandler.department_id == user.department_id
            )
        )
        is not None
    )


def _require_open(case: Case, what: str) -> None:
    if case.status not in OPEN_STATES:
        raise Conflict(
            "a %(status)s case cannot be %(what)s; reopen it first",
            params={"status": case.status, "what": what},
            field="status",
        )
