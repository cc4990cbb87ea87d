"""Services and service requests the Open311 way: the catalogue, cases as requests, filters.

civicgrid's richer states become the spec's open/closed, with the latest public reply as
``status_notes``, the department as ``agency_responsible`` and the resolution deadline as
``expected_datetime``. Cases of sensitive categories are listed without text or place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicgrid.cases import service as cases
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.cases.tracking import normalize_tracking_id
from civicgrid.cases.workflow import OPEN_STATES
from civicgrid.catalog import service as catalog
from civicgrid.catalog.models import Category, Department
from civicgrid.errors import NotFound
from civicgrid.open311.formats import Open311Error
from civicgrid.open311.models import Open311Submission
from civicgrid.open311.schemas import (
    AttributeOut,
    RequestOut,
    ServiceDefinitionOut,
    ServiceOut,
    ValueOut,
)
from civicgrid.photos.models import Photo
from civicgrid.settings import Settings

MAX_DESCRIPTION = 4000
MAX_SPAN = timedelta(days=90)
MAX_RESULTS = 1000
CLOSED_STATES = ("resolved", "closed")


def w3c(value: datetime | None, tz: ZoneInfo) -> str | None:
    """A W3C date-time in the city's zone, whole seconds: 2026-06-01T10:00:00-04:00."""
    if value is None:
        return None
    return value.astimezone(tz).replace(microsecond=0).isoformat()


def service_type(settings: Settings) -> Literal["realtime", "batch"]:
    """``batch`` when POSTs are queued and answered with a token, else ``realtime``."""
    return "batch" if settings.open311_queue_requests else "realtime"


def list_services(session: Session, *, settings: Settings) -> list[dict[str, Any]]:
    """Every active category as an Open311 service."""
    return [
        ServiceOut(
            service_code=c.code,
            service_name=c.name,
            description=c.description or None,
            metadata=bool(c.questions),
            type=service_type(settings),
            keywords=c.keywords or None,
            group=c.group or None,
        ).model_dump()
        for c in catalog.list_categories(session)
    ]


def service_definition(session: Session, *, code: str) -> dict[str, Any]:
    """The category's questions as attributes; unknown or retired codes are 404."""
    try:
        category = catalog.get_category_or_raise(session, code)
    except NotFound:
        raise Open311Error(404, f"service_code {code!r} not found; services lists them") from None
    if not category.active:
        raise Open311Error(404, f"service_code {code!r} no longer takes reports")
    return ServiceDefinitionOut(
        service_code=category.code,
        attributes=[
            AttributeOut(
                variable=q.variable,
                code=q.code,
                datatype=q.datatype,
                required=q.required,
                datatype_description=q.datatype_description or None,
                order=q.order,
                description=q.description,
                values=[ValueOut(key=str(v["key"]), name=str(v["name"])) for v in q.values or []],
            )
            for q in category.questions
        ],
    ).model_dump()


@dataclass(frozen=True)
class RequestQuery:
    """The filters of GET requests; ``ids`` overrides every other one."""

    ids: Sequence[str] = ()
    service_codes: Sequence[str] = ()
    statuses: Sequence[str] = ()
    start: datetime | None = None
    end: datetime | None = None
    page: int = 1
    page_size: int = MAX_RESULTS


def window(
    start: datetime | None, end: datetime | None, *, now: datetime
) -> tuple[datetime, datetime]:
    """The spec's date range: at most 90 days, the latest 90 days by default."""
    if start is None and end is None:
        return now - MAX_SPAN, now
    if start is None:
        assert end is not None
        return _shift(end, -MAX_SPAN), end
    if end is None:
        return start, _shift(start, MAX_SPAN)
    if end < start:
        raise Open311Error(400, "end_date is before start_date; swap them")
    if end - start > MAX_SPAN:
        raise Open311Error(400, "start_date and end_date may not span more than 90 days")
    return start, end


def _shift(moment: datetime, delta: timedelta) -> datetime:
    """``moment + delta``, stopping at the ends of datetime's range."""
    try:
        return moment + delta
    except OverflowError:
        if delta < timedelta(0):
            return datetime.min.replace(tzinfo=moment.tzinfo)
        return datetime.max.replace(tzinfo=moment.tzinfo)


def find_requests(session: Session, *, query: RequestQuery, now: datetime) -> list[Case]:
    """The cases a GET requests asks for, newest first."""
    if query.ids:
        wanted = list(dict.fromkeys(normalize_tracking_id(i) for i in query.ids))
        found = {
            c.tracking_id: c
            for c in session.scalars(select(Case).where(Case.tracking_id.in_(wanted)))
        }
        return [found[i] for i in wanted if i in found]
    start, end = window(query.start, query.end, now=now)
    stmt = select(Case).where(Case.created_at >= start, Case.created_at <= end)
    if query.service_codes:
        codes = select(Category.id).where(Category.code.in_(query.service_codes))
        stmt = stmt.where(Case.category_id.in_(codes))
    statuses = set(query.statuses)
    if statuses == {"open"}:
        stmt = stmt.where(Case.status.in_(OPEN_STATES))
    elif statuses == {"closed"}:
        stmt = stmt.where(Case.status.in_(CLOSED_STATES))
    stmt = stmt.order_by(Case.created_at.desc(), Case.id.desc())
    stmt = stmt.offset((query.page - 1) * query.page_size).limit(query.page_size)
    return list(session.scalars(stmt))


def get_request(session: Session, *, service_request_id: str) -> Case:
    """One case by its service_request_id (the tracking id); 404 when there is none."""
    return cases.get_or_raise(session, service_request_id)


@dataclass
class Presenter:
    """Turns cases into Open311 requests, looking up what they need in one query per kind."""

    session: Session
    settings: Settings
    photo_base: str
    tz: ZoneInfo = field(init=False)

    def __post_init__(self) -> None:
        self.tz = ZoneInfo(self.settings.timezone)

    def requests(self, found: Sequence[Case]) -> list[dict[str, Any]]:
        """The public Open311 view of ``found``, in its order."""
        if not found:
            return []
        ids = [c.id for c in found]
        cats = {
            r.id: r
            for r in self.session.execute(
                select(Category.id, Category.code, Category.name, Category.sensitive).where(
                    Category.id.in_({c.category_id for c in found})
                )
            )
        }
        depts = dict(
            self.session.execute(
                select(Department.id, Department.name).where(
                    Department.id.in_({c.department_id for c in found})
                )
            ).all()
        )
        notes = self._status_notes(ids)
        subs = {
            r.case_id: r
            for r in self.session.execute(
                select(
                    Open311Submission.case_id,
                    Open311Submission.address_id,
                    Open311Submission.media_url,
                ).where(Open311Submission.case_id.in_(ids), Open311Submission.kind == "request")
            )
        }
        photos: dict[int, str] = {}
        for case_id, name in self.session.execute(
            select(Photo.case_id, Photo.name).where(Photo.case_id.in_(ids)).order_by(Photo.id)
        ):
            photos.setdefault(case_id, f"{self.photo_base}{name}")
        return [
            self._request(c, cats[c.category_id], depts[c.department_id], notes, subs, photos)
            for c in found
        ]

    def _status_notes(self, ids: list[int]) -> dict[int, str]:
        latest = (
            select(func.max(CaseEvent.id))
            .where(
                CaseEvent.case_id.in_(ids),
                CaseEvent.public.is_(True),
                CaseEvent.kind.in_(("reply", "status_changed")),
                CaseEvent.body != "",
            )
            .group_by(CaseEvent.case_id)
        )
        rows = self.session.execute(
            select(CaseEvent.case_id, CaseEvent.body).where(CaseEvent.id.in_(latest))
        ).all()
        return {int(case_id): str(body) for case_id, body in rows}

    def _request(
        self,
        case: Case,
        cat: Any,
        department: str,
        notes: dict[int, str],
        subs: dict[int, Any],
        photos: dict[int, str],
    ) -> dict[str, Any]:
        is_open = case.status in OPEN_STATES
        sub = subs.get(case.id)
        media_url = photos.get(case.id) or (sub.media_url if sub else None)
        hidden = bool(cat.sensitive)
        return RequestOut(
            service_request_id=case.tracking_id,
            status="open" if is_open else "closed",
            status_notes=notes.get(case.id),
            service_name=cat.name,
            service_code=cat.code,
            description=None if hidden else _description(case),
            agency_responsible=department,
            service_notice=notice(case, tz=self.tz),
            requested_datetime=w3c(case.created_at, self.tz) or "",
            updated_datetime=w3c(_updated(case, is_open=is_open), self.tz),
            expected_datetime=w3c(case.resolution_due, self.tz) if is_open else None,
            address=None if hidden else (case.address or None),
            address_id=sub.address_id if sub else None,
            zipcode=None,
            lat=None if hidden else case.lat,
            long=None if hidden else case.lon,
            media_url=None if hidden else media_url,
        ).model_dump()


def notice(case: Case, *, tz: ZoneInfo) -> str | None:
    """What the city will do, from the case's deadline: the spec's ``service_notice``."""
    if case.status not in OPEN_STATES or case.resolution_due is None:
        return None
    if case.paused_since is not None:
        return "The deadline is paused while the case waits on something outside the city's work."
    due = case.resolution_due.astimezone(tz)
    return f"Expected to be resolved by {due:%Y-%m-%d %H:%M} ({tz.key})."


def _description(case: Case) -> str | None:
    text = "\n\n".join(part for part in (case.title, case.description) if part)
    if len(text) > MAX_DESCRIPTION:
        text = text[: MAX_DESCRIPTION - 1] + "\u2026"
    return text or None


def _updated(case: Case, *, is_open: bool) -> datetime:
    if is_open:
        return case.updated_at
    return case.closed_at or case.resolved_at or case.updated_at
