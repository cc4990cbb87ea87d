"""JSON routes for cases: file, find, follow, work, rate."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, status

from civicgrid.accounts.deps import CurrentStaff
from civicgrid.cases import service, workflow
from civicgrid.cases.schemas import (
    CaseCreate,
    CasePage,
    CaseRead,
    CaseReceipt,
    CoHandlingIn,
    ContactRead,
    EventRead,
    MessageIn,
    RatingIn,
    Status,
    TransferIn,
    TransitionIn,
)
from civicgrid.deps import CurrentSettings, DbSession
from civicgrid.errors import Invalid, error_responses

router = APIRouter(prefix="/cases", tags=["cases"])
STAFF_ERRORS = error_responses(401, 403, 404, 409, 422)
BBOX = r"^-?\d+(\.\d+)?,-?\d+(\.\d+)?,-?\d+(\.\d+)?,-?\d+(\.\d+)?$"


def _read(session: DbSession, tracking_id: str) -> CaseRead:
    return service.to_read(session, [service.get_or_raise(session, tracking_id)])[0]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseReceipt,
    responses=error_responses(404, 409, 422),
)
def create_case(data: CaseCreate, session: DbSession, settings: CurrentSettings) -> CaseReceipt:
    """File a report; the receipt carries the tracking id and the reporter's key."""
    case, key = service.create(session, data=data, settings=settings)
    read = service.to_read(session, [case])[0]
    return CaseReceipt(**read.model_dump(), resident_key=key)


def _bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    min_lon, min_lat, max_lon, max_lat = (float(v) for v in value.split(","))
    if min_lon > max_lon or min_lat > max_lat:
        raise Invalid("bbox is min_lon,min_lat,max_lon,max_lat with min <= max", field="bbox")
    return min_lon, min_lat, max_lon, max_lat


@router.get("", response_model=CasePage, responses=error_responses(404, 422))
def list_cases(
    session: DbSession,
    settings: CurrentSettings,
    status_: Annotated[list[Status] | None, Query(alias="status")] = None,
    category: Annotated[str | None, Query(max_length=64)] = None,
    department: Annotated[str | None, Query(max_length=64)] = None,
    area_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    bbox: Annotated[
        str | None, Query(pattern=BBOX, description="min_lon,min_lat,max_lon,max_lat")
    ] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int | None, Query(ge=1)] = None,
) -> CasePage:
    """Cases matching every given filter, newest first. No contact details, ever."""
    size = min(page_size or settings.page_size, settings.max_page_size)
    for name, value in (("created_from", created_from), ("created_to", created_to)):
        if value is not None and value.tzinfo is None:
            raise Invalid(f"{name} needs a time zone, e.g. 2026-06-01T00:00:00Z", field=name)
    filters = service.CaseFilter(
        status=[s.value for s in status_ or []],
        category=category,
        department=department,
        area_id=area_id,
        created_from=created_from,
        created_to=created_to,
        bbox=_bbox(bbox),
    )
    cases, total = service.list_(session, filters=filters, page=page, page_size=size)
    return CasePage(items=service.to_read(session, cases), total=total, page=page, page_size=size)


@router.get("/{tracking_id}", response_model=CaseRead, responses=error_responses(404))
def get_case(tracking_id: str, session: DbSession) -> CaseRead:
    """One case by its tracking id."""
    return _read(session, tracking_id)


@router.get("/{tracking_id}/events", response_model=list[EventRead], responses=error_responses(404))
def public_timeline(tracking_id: str, session: DbSession) -> list[EventRead]:
    """The case's public timeline: status changes and replies."""
    case = service.get_or_raise(session, tracking_id)
    return [
        EventRead.model_validate(e)
        for e in service.timeline(session, case=case, include_internal=False)
    ]


@router.get("/{tracking_id}/timeline", response_model=list[EventRead], responses=STAFF_ERRORS)
def staff_timeline(tracking_id: str, session: DbSession, user: CurrentStaff) -> list[EventRead]:
    """The whole timeline, internal notes included (staff only)."""
    case = service.get_or_raise(session, tracking_id)
    return [
        EventRead.model_validate(e)
        for e in service.timeline(session, case=case, include_internal=True)
    ]


@router.post("/{tracking_id}/transitions", response_model=CaseRead, responses=STAFF_ERRORS)
def transition_case(
    tracking_id: str,
    data: TransitionIn,
    session: DbSession,
    settings: CurrentSettings,
    user: CurrentStaff,
) -> CaseRead:
    """Move the case to another status; illegal moves are refused with the allowed ones."""
    case = service.get_or_raise(session, tracking_id)
    workflow.transition(
        session,
        case=case,
        to_status=data.status.value,
        actor=user.username,
        settings=settings,
        reason=data.reason,
    )
    return _read(session, tracking_id)


@router.post("/{tracking_id}/transfer", response_model=CaseRead, responses=STAFF_ERRORS)
def transfer_case(
    tracking_id: str, data: TransferIn, session: DbSession, user: CurrentStaff
) -> CaseRead:
    """Hand the case to another department, with a reason."""
    case = service.get_or_raise(session, tracking_id)
    workflow.transfer(
        session, case=case, department_code=data.department, reason=data.reason, actor=user.username
    )
    return _read(session, tracking_id)


@router.post("/{tracking_id}/co-handlers", response_model=CaseRead, responses=STAFF_ERRORS)
def add_co_handler(
    tracking_id: str, data: CoHandlingIn, session: DbSession, user: CurrentStaff
) -> CaseRead:
    """Ask a second department to co-handle the case."""
    case = service.get_or_raise(session, tracking_id)
    workflow.request_co_handling(
        session, case=case, department_code=data.department, reason=data.reason, actor=user.username
    )
    return _read(session, tracking_id)


@router.post(
    "/{tracking_id}/notes", response_model=EventRead, status_code=201, responses=STAFF_ERRORS
)
def add_note(
    tracking_id: str, data: MessageIn, session: DbSession, user: CurrentStaff
) -> EventRead:
    """An internal note, seen by staff only."""
    case = service.get_or_raise(session, tracking_id)
    return EventRead.model_validate(
        workflow.add_message(session, case=case, body=data.body, actor=user.username, public=False)
    )


@router.post(
    "/{tracking_id}/replies", response_model=EventRead, status_code=201, responses=STAFF_ERRORS
)
def add_reply(
    tracking_id: str, data: MessageIn, session: DbSession, user: CurrentStaff
) -> EventRead:
    """A public reply to the resident."""
    case = service.get_or_raise(session, tracking_id)
    return EventRead.model_validate(
        workflow.add_message(session, case=case, body=data.body, actor=user.username, public=True)
    )


@router.post(
    "/{tracking_id}/rating", response_model=CaseRead, responses=error_responses(403, 404, 409, 422)
)
def rate_case(
    tracking_id: str, data: RatingIn, session: DbSession, settings: CurrentSettings
) -> CaseRead:
    """The resident's rating of a resolved case; 1 or 2 reopens it."""
    case = service.get_or_raise(session, tracking_id)
    workflow.rate(
        session,
        case=case,
        rating=data.rating,
        comment=data.comment,
        resident_key=data.resident_key,
        settings=settings,
    )
    return _read(session, tracking_id)


@router.get("/{tracking_id}/contact", response_model=ContactRead, responses=STAFF_ERRORS)
def reporter_contact(
    tracking_id: str,
    session: DbSession,
    user: CurrentStaff,
    purpose: Annotated[str, Query(min_length=3, max_length=200)],
) -> ContactRead:
    """The reporter's contact details, for staff who need them; the view is logged."""
    case = service.get_or_raise(session, tracking_id)
    return ContactRead.model_validate(
        workflow.view_contact(session, case=case, user=user, purpose=purpose)
    )
