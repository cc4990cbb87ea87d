"""FixMyStreet's servicerequestupdates extension: public updates out, client updates in.

GET lists every public timeline event but the filing (replies, status changes, ratings,
client updates) in a time window, with the case's status at that moment in FixMyStreet's
lower-case vocabulary. POST takes a FixMyStreet comment with its upper-case status, moves the
case there when civicgrid's lifecycle allows it and the case was filed by the same client, and
keeps the comment on the public timeline either way.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ScalarSelect, select
from sqlalchemy.orm import Session, aliased

from civicgrid.audit import service as audit
from civicgrid.cases import service as cases
from civicgrid.cases import workflow
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.catalog.models import Category
from civicgrid.open311 import apikeys
from civicgrid.open311.formats import Open311Error
from civicgrid.open311.models import Open311Submission
from civicgrid.open311.params import parse_w3c, reject_nul
from civicgrid.open311.schemas import UpdateOut, UpdatePosted
from civicgrid.open311.service import w3c
from civicgrid.open311.submissions import Answer, Params, claim, fingerprint, first, media_url_param
from civicgrid.settings import Settings

# civicgrid's status -> FixMyStreet's lower-case status (open311-adapter's status_extended).
EXTENDED = {
    "new": "open",
    "acknowledged": "investigating",
    "in_progress": "in_progress",
    "waiting": "action_scheduled",
    "resolved": "fixed",
    "closed": "closed",
    "reopened": "open",
}
# FixMyStreet's upper-case statuses -> where the case should go; "open" means "reopen it if it
# is resolved or closed", None means "no change of status".
FMS_STATUSES: dict[str, str | None] = {
    "OPEN": "open",
    "REOPEN": "open",
    "FOR_TRIAGE": None,
    "INVESTIGATING": "acknowledged",
    "IN_PROGRESS": "in_progress",
    "ACTION_SCHEDULED": "in_progress",
    "INTERNAL_REFERRAL": None,
    "FIXED": "resolved",
    "CLOSED": "closed",
    "DUPLICATE": "closed",
    "NOT_COUNCILS_RESPONSIBILITY": "closed",
    "NOT_RESPONSIBLE": "closed",
    "NO_FURTHER_ACTION": "closed",
}
MAX_UPDATE_TEXT = 10_000


def list_updates(
    session: Session,
    *,
    start: datetime,
    end: datetime,
    page: int,
    page_size: int,
    settings: Settings,
) -> list[dict[str, Any]]:
    """Public updates made between ``start`` and ``end``, oldest first."""
    status_then = _status_then()
    rows = session.execute(
        select(CaseEvent, Case.tracking_id, status_then)
        .join(Case, Case.id == CaseEvent.case_id)
        .join(Category, Category.id == Case.category_id)
        .where(
            CaseEvent.public.is_(True),
            CaseEvent.kind != "filed",
            Category.sensitive.is_(False),
            CaseEvent.created_at >= start,
            CaseEvent.created_at <= end,
        )
        .order_by(CaseEvent.created_at, CaseEvent.id)
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    tz = ZoneInfo(settings.timezone)
    return [
        UpdateOut(
            update_id=str(event.id),
            service_request_id=tracking_id,
            status=EXTENDED.get(status or "new", "open"),
            updated_datetime=w3c(event.created_at, tz) or "",
            description=event.body,
            media_url=str((event.data or {}).get("media_url") or ""),
            external_status_code=status or "new",
        ).model_dump()
        for event, tracking_id, status in rows
    ]


def _status_then() -> ScalarSelect[str | None]:
    """The case's status as of each event: the latest status an event up to it set."""
    earlier = aliased(CaseEvent)
    return (
        select(earlier.to_status)
        .where(
            earlier.case_id == CaseEvent.case_id,
            earlier.id <= CaseEvent.id,
            earlier.to_status.is_not(None),
        )
        .order_by(earlier.id.desc())
        .limit(1)
        .correlate(CaseEvent)
        .scalar_subquery()
    )


def post_update(session: Session, *, params: Params, settings: Settings, now: datetime) -> Answer:
    """Take one FixMyStreet update; a repeat of the same update_id changes nothing."""
    api_key = first(params, "api_key")
    if api_key is None:
        raise Open311Error(403, "an api_key is required to post; ask the city for one")
    update_id = first(params, "update_id") or first(params, "update_id_ext")
    if update_id is None:
        raise Open311Error(400, "missing update_id")
    if len(update_id) > 200:
        raise Open311Error(400, "update_id is longer than 200 characters")
    claimed = claim(
        session,
        api_key=api_key,
        kind="update",
        key=update_id,
        fingerprint=fingerprint(params, None),
    )
    if isinstance(claimed, Answer):
        return claimed
    key = apikeys.authenticate(session, api_key)
    reject_nul(params)
    update = _parse(params)
    case = cases.get_or_raise(session, update["service_request_id"])
    filed_here = session.scalar(
        select(Open311Submission.id).where(
            Open311Submission.case_id == case.id,
            Open311Submission.kind == "request",
            Open311Submission.api_key_id == key.id,
        )
    )
    actor = f"apikey:{key.name}"
    steps = moves(case.status, FMS_STATUSES[update["status"]]) if filed_here else []
    events = _move(session, case, steps, update, actor=actor, settings=settings, now=now)
    event = events[0] if events else _client_update(session, case, update, actor=actor, now=now)
    claimed.api_key_id, claimed.case_id = key.id, case.id
    claimed.state, claimed.filed_at, claimed.status_code = "filed", now, 200
    claimed.response = [UpdatePosted(update_id=str(event.id)).model_dump()]
    session.flush()
    return Answer(200, claimed.response)


def _move(
    session: Session,
    case: Case,
    steps: list[str],
    update: dict[str, str],
    *,
    actor: str,
    settings: Settings,
    now: datetime,
) -> list[CaseEvent]:
    """Take the case through ``steps``; the comment is the first move's reason."""
    events: list[CaseEvent] = []
    for step in steps:
        reason = "" if events else update["description"]
        needs = step in workflow.NEEDS_REASON or (step == "closed" and case.status != "resolved")
        if needs and not reason:
            reason = f"{update['status']} from {actor.removeprefix('apikey:')}"
        events.append(
            workflow.transition(
                session,
                case=case,
                to_status=step,
                actor=actor,
                settings=settings,
                reason=reason,
                now=now,
            )
        )
    return events


def _parse(params: Params) -> dict[str, str]:
    found = {
        name: first(params, name)
        for name in ("service_request_id", "update_id", "status", "updated_datetime")
    }
    found["update_id"] = found["update_id"] or first(params, "update_id_ext")
    missing = [name for name, value in found.items() if value is None]
    if missing:
        raise Open311Error(400, f"missing {', '.join(missing)}")
    status = str(found["status"]).upper()
    if status not in FMS_STATUSES:
        raise Open311Error(400, f"status must be one of {', '.join(FMS_STATUSES)}; got {status!r}")
    description = first(params, "description") or ""
    if len(description) > MAX_UPDATE_TEXT:
        raise Open311Error(400, f"description is longer than {MAX_UPDATE_TEXT} characters")
    return {
        "service_request_id": str(found["service_request_id"]),
        "update_id": str(found["update_id"]),
        "status": status,
        "updated_datetime": parse_w3c(
            str(found["updated_datetime"]), "updated_datetime"
        ).isoformat(),
        "description": description,
        "media_url": media_url_param(first(params, "media_url")) or "",
    }


def moves(current: str, target: str | None) -> list[str]:
    """The moves that take a ``current`` case to ``target``, or none if the lifecycle forbids."""
    closed_now = current in ("resolved", "closed")
    if target is None or target == current:
        return []
    if target == "open":
        return ["reopened"] if closed_now else []
    if closed_now and target in ("acknowledged", "in_progress"):
        return ["reopened", target]
    return [target] if target in workflow.TRANSITIONS[current] else []


def _client_update(
    session: Session, case: Case, update: dict[str, str], *, actor: str, now: datetime
) -> CaseEvent:
    """The comment itself on the public timeline; no name or contact of its author is kept."""
    data = {
        "update_id": update["update_id"],
        "status": update["status"],
        "client_datetime": update["updated_datetime"],
        "media_url": update["media_url"],
    }
    event = CaseEvent(
        case_id=case.id,
        kind="client_update",
        public=True,
        body=update["description"],
        actor=actor,
        data=data,
        created_at=now,
    )
    case.updated_at = now
    session.add(event)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="case.client_update",
        subject=f"case:{case.tracking_id}",
        details={"event_id": event.id, "body_sha256": audit.digest(event.body), "data": data},
        now=now,
    )
    return event
