"""JSON routes for cases: file, find, follow, work, rate."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, status

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
from civicgrid.schemas import NO_NUL

router = APIRouter(prefix="/cases", tags=["cases"])
# What staff routes answer besides success: no or a bad token, no such case, a malformed id or
# parameter, and for those with a JSON body a body that is not UTF-8 JSON, or a refused move.
STAFF_READ_ERRORS = error_responses(401, 403, 404, 422)
STAFF_WRITE_ERRORS = error_responses(400, 401, 403, 404, 409, 422)
_DEGREES = r"-?[0-9]{1,3}(\.[0-9]{1,20})?"
BBOX = rf"^{_DEGREES}(,{_DEGREES}){{3}}$"
MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL; larger ones cannot exist
# Tracking ids as a person types them (any case, with or without the dash): see tracking.py.
TrackingId = Annotated[
    str, Path(max_length=32, pattern=NO_NUL, description="As on the receipt, e.g. 4K7M-Q2X9PB.")
]


def _read(session: DbSession, tracking_id: str) -> CaseRead:
    return service.to_read(session, [service.get_or_raise(session, tracking_id)])[0]


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=CaseReceipt,
    responses=error_responses(400, 404, 409, 422),
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
    if not (-180 <= min_lon <= max_lon <= 180 and -90 <= min_lat <= max_lat <= 90):
        raise Invalid(
            "bbox is min_lon,min_lat,max_lon,max_lat in degrees (WGS84), with min <= max, "
            "longitudes within -180..180 and latitudes within -90..90",
            field="bbox",
        )
    return min_lon, min_lat, max_lon, max_lat


def _instant(name: str, value: datetime | None) -> datetime | None:
    """A filter time in UTC; it needs a zone, and must be a time the database can hold."""
    if value is None:
        return None
    if value.tzinfo is None:
        raise Invalid(
            "%(name)s needs a time zone, e.g. 2026-06-01T00:00:00Z",
            params={"name": name},
            field=name,
        )
    try:
        return value.astimezone(UTC)
    except OverflowError:
        raise Invalid(
            "%(name)s is out of range: give a time between the years 1 and 9999",
            params={"name": name},
            field=name,
        ) from None


@router.get("", response_model=CasePage, responses=error_responses(404, 422))
def list_cases(
    session: DbSession,
    settings: CurrentSettings,
    status_: Annotated[
        list[Status] | None,
        Query(alias="status", description="Only cases in these statuses; repeat for several."),
    ] = None,
    category: Annotated[str | None, Query(max_length=64, pattern=NO_NUL)] = None,
    department: Annotated[str | None, Query(max_length=64, pattern=NO_NUL)] = None,
    area_id: Annotated[int | None, Query(ge=1, le=MAX_ID)] = None,
    created_from: Annotated[
        datetime | None, Query(description="Filed at or after this time (with a zone).")
    ] = None,
    created_to: Annotated[
        datetime | None, Query(description="Filed before this time (with a zone).")
    ] = None,
    bbox: Annotated[
        str | None, Query(pattern=BBOX, description="min_lon,min_lat,max_lon,max_lat (WGS84)")
    ] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[
        int | None,
        Query(ge=1, le=1_000_000, description="Capped at the server's CIVICGRID_MAX_PAGE_SIZE."),
    ] = None,
) -> CasePage:
    """Cases matching every given filter, newest first. No contact details, ever."""
    size = min(page_size or settings.page_size, settings.max_page_size)
    filters = service.CaseFilter(
        status=[s.value for s in status_ or []],
        category=category,
        department=department,
        area_id=area_id,
        created_from=_instant("created_from", created_from),
        created_to=_instant("created_to", created_to),
        bbox=_bbox(bbox),
    )
    cases, total = service.list_(session, filters=filters, page=page, page_size=size)
    return CasePage(items=service.to_read(session, cases), total=total, page=page, page_size=size)


@router.get("/{tracking_id}", response_model=CaseRead, responses=error_responses(404, 422))
def get_case(tracking_id: TrackingId, session: DbSession) -> CaseRead:
    """One case by its tracking id."""
    return _read(session, tracking_id)


@router.get(
    "/{tracking_id}/events", response_model=list[EventRead], responses=error_responses(404, 422)
)
def public_timeline(tracking_id: TrackingId, session: DbSession) -> list[EventRead]:
    """The case's public timeline: status changes and replies."""
    case = service.get_or_raise(session, tracking_id)
    return [
        EventRead.model_validate(e)
        for e in service.timeline(session, case=case, include_internal=False)
    ]


@router.get("/{tracking_id}/timeline", response_model=list[EventRead], responses=STAFF_READ_ERRORS)
def staff_timeline(
    tracking_id: TrackingId, session: DbSession, user: CurrentStaff
) -> list[EventRead]:
    """The whole timeline, internal notes included (staff only)."""
    case = service.get_or_raise(session, tracking_id)
    return [
        EventRead.model_validate(e)
        for e in service.timeline(session, case=case, include_internal=True)
    ]


@router.post("/{tracking_id}/transitions", response_model=CaseRead, responses=STAFF_WRITE_ERRORS)
def transition_case(
    tracking_id: TrackingId,
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


@router.post("/{tracking_id}/transfer", response_model=CaseRead, responses=STAFF_WRITE_ERRORS)
def transfer_case(
    tracking_id: TrackingId, data: TransferIn, session: DbSession, user: CurrentStaff
) -> CaseRead:
    """Hand the case to another department, with a reason."""
    case = service.get_or_raise(session, tracking_id)
    workflow.transfer(
        session, case=case, department_code=data.department, reason=data.reason, actor=user.username
    )
    return _read(session, tracking_id)


@router.post("/{tracking_id}/co-handlers", response_model=CaseRead, responses=STAFF_WRITE_ERRORS)
def add_co_handler(
    tracking_id: TrackingId, data: CoHandlingIn, session: DbSession, user: CurrentStaff
) -> CaseRead:
    """Ask a second department to co-handle the case."""
    case = service.get_or_raise(session, tracking_id)
    workflow.request_co_handling(
        session, case=case, department_code=data.department, reason=data.reason, actor=user.username
    )
    return _read(session, tracking_id)


@router.post(
    "/{tracking_id}/notes",
    response_model=EventRead,
    status_code=201,
    responses=STAFF_WRITE_ERRORS,
)
def add_note(
    tracking_id: TrackingId, data: MessageIn, session: DbSession, user: CurrentStaff
) -> EventRead:
    """An internal note, seen by staff only."""
    case = service.get_or_raise(session, tracking_id)
    return EventRead.model_validate(
        workflow.add_message(session, case=case, body=data.body, actor=user.username, public=False)
    )


@router.post(
    "/{tracking_id}/replies",
    response_model=EventRead,
    status_code=201,
    responses=STAFF_WRITE_ERRORS,
)
def add_reply(
    tracking_id: TrackingId,
    data: MessageIn,
    session: DbSession,
    settings: CurrentSettings,
    user: CurrentStaff,
) -> EventRead:
    """A public reply to the resident (its quality is assessed, as a suggestion only)."""
    from civicgrid.replyquality import service as replyquality  # noqa: PLC0415 - builds on cases

    case = service.get_or_raise(session, tracking_id)
    event = workflow.add_message(
        session, case=case, body=data.body, actor=user.username, public=True
    )
    replyquality.assess(
        session, case=case, body=event.body, actor=user.username, event=event, settings=settings
    )
    return EventRead.model_validate(event)


@router.post(
    "/{tracking_id}/rating",
    response_model=CaseRead,
    responses=error_responses(400, 403, 404, 409, 422),
)
def rate_case(
    tracking_id: TrackingId, data: RatingIn, session: DbSession, settings: CurrentSettings
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


@router.get(
    "/{tracking_id}/contact",
    response_model=ContactRead,
    responses=error_responses(401, 403, 404, 422),
)
def reporter_contact(
    tracking_id: TrackingId,
    session: DbSession,
    user: CurrentStaff,
    purpose: Annotated[str, Query(min_length=3, max_length=200, pattern=NO_NUL)],
) -> ContactRead:
    """The reporter's contact details, for staff who need them; the view is logged."""
    case = service.get_or_raise(session, tracking_id)
    return ContactRead.model_validate(
        workflow.view_contact(session, case=case, user=user, purpose=purpose)
    )
