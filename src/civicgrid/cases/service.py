"""Filing cases and finding them: placement, routing, deadlines, filters, the public view."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from civicgrid.cases.models import Case, CaseArea, CaseCoHandler, CaseEvent, ReporterContact
from civicgrid.cases.schemas import CaseCreate, CaseRead
from civicgrid.cases.tracking import new_resident_key, new_tracking_id, normalize_tracking_id
from civicgrid.catalog import reference
from civicgrid.catalog import service as catalog
from civicgrid.catalog.models import Category, Department
from civicgrid.db import utcnow
from civicgrid.errors import Invalid, NotFound
from civicgrid.grid.models import Area
from civicgrid.grid.placement import Placement, grid_index
from civicgrid.rows import insert_family
from civicgrid.settings import Settings
from civicgrid.sla import service as sla


@dataclass
class Filing:
    """A report ready to be written: the case, its other rows, and whether triage is done."""

    case: Case
    resident_key: str
    rows: list[object]
    """Placement, reporter contact, the filed event and duplicate suggestions: all refer to
    the case by ``case_id``, which its INSERT gives them."""
    triaged: bool
    """False when a model serves: its suggestions need the written case, so come after."""


def create(
    session: Session,
    *,
    data: CaseCreate,
    settings: Settings,
    actor: str = "resident",
    now: datetime | None = None,
) -> tuple[Case, str]:
    """File a report: place, route, start its clocks; returns the case and the resident key."""
    filing = prepare(session, data=data, settings=settings, actor=actor, now=now)
    write(session, filing, settings=settings)
    return filing.case, filing.resident_key


def prepare(
    session: Session,
    *,
    data: CaseCreate,
    settings: Settings,
    actor: str = "resident",
    now: datetime | None = None,
) -> Filing:
    """Everything filing ``data`` writes, worked out and checked; :func:`write` writes it."""
    now = now or utcnow()
    resident_key, key_hash = new_resident_key()
    ref = reference.current(session)
    category = ref.category_or_raise(data.category)
    if not category.active:
        raise Invalid(
            "category '%(code)s' no longer takes reports",
            params={"code": category.code},
            field="category",
        )
    answers = catalog.validate_answers(category, data.attributes)
    grid = grid_index(session, settings.h3_resolution, key=ref.stamp.grid_key)
    placement = grid.place(data.lat, data.lon)
    case = _new_case(data, key_hash=key_hash, category_id=category.id, placement=placement)
    case.department_id = ref.router.department_for(category.id, placement.area_ids)
    case.attributes, case.created_at, case.updated_at = answers, now, now
    # Deadlines before the INSERT, so the row is written once (no UPDATE at commit).
    sla.set_clocks(case, ref.policy_for(category.id), now=now, settings=settings)
    rows = _filing_rows(case, data=data, placement=placement, actor=actor, now=now)
    # Suggestions only; it never raises or blocks filing.
    from civicgrid.triage import hook  # noqa: PLC0415 - triage builds on cases

    duplicates = hook.duplicates_of_new_case(session, case=case, settings=settings, now=now)
    rows += duplicates or []
    return Filing(case, resident_key, rows, triaged=duplicates is not None)


def write(
    session: Session, filing: Filing, *, settings: Settings, also: Sequence[object] = ()
) -> Case:
    """Write a prepared filing, and ``also`` rows that refer to the case by ``case_id``.

    One statement on PostgreSQL (civicgrid.rows): filing is the busiest write there is, and
    on a small server each statement costs about as much CPU as the rest of the filing.
    """
    insert_family(session, filing.case, [*filing.rows, *also], link="case_id")
    if not filing.triaged:
        from civicgrid.triage import hook  # noqa: PLC0415 - triage builds on cases

        case = filing.case
        hook.on_case_filed(
            session, case=case, settings=settings, now=case.created_at, just_filed=True
        )
    return filing.case


def _new_case(data: CaseCreate, *, key_hash: str, category_id: int, placement: Placement) -> Case:
    """The case row as the resident described it, placed on the grid, status new."""
    return Case(
        tracking_id=new_tracking_id(),
        resident_key_hash=key_hash,
        category_id=category_id,
        title=data.title.strip(),
        description=data.description.strip(),
        lat=data.lat,
        lon=data.lon,
        address=data.address.strip(),
        h3_cell=placement.h3_cell,
        outside_grid=placement.outside_grid,
        area_id=placement.deepest_area_id,
        channel=data.channel.value,
        status="new",
    )


def _filing_rows(
    case: Case, *, data: CaseCreate, placement: Placement, actor: str, now: datetime
) -> list[object]:
    """The case's placement rows, the reporter's contact (own table) and the filed event."""
    rows: list[object] = [
        CaseArea(area_id=area_id, level_id=level_id) for level_id, area_id in placement.areas
    ]
    if data.contact and any(data.contact.model_dump().values()):
        rows.append(ReporterContact(**data.contact.model_dump()))
    body = "Report received." + (
        "" if not placement.outside_grid else " Its place lies outside the city's areas."
    )
    rows.append(
        CaseEvent(
            kind="filed",
            to_status="new",
            public=True,
            body=body,
            actor=actor,
            data={"channel": case.channel},
            created_at=now,
        )
    )
    return rows


def get_or_raise(session: Session, tracking_id: str) -> Case:
    """The case with this tracking id (as a person types it)."""
    case = session.scalar(
        select(Case).where(Case.tracking_id == normalize_tracking_id(tracking_id))
    )
    if case is None:
        raise NotFound(
            "no case with tracking id '%(tracking_id)s'; check the id on your receipt",
            params={"tracking_id": tracking_id},
        )
    return case


@dataclass(frozen=True)
class CaseFilter:
    """Filters of the case list; every one optional."""

    status: Sequence[str] = ()
    category: str | None = None
    department: str | None = None
    area_id: int | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    bbox: tuple[float, float, float, float] | None = None


def _filtered(session: Session, f: CaseFilter) -> Select[Case]:
    query = select(Case)
    if f.status:
        query = query.where(Case.status.in_(f.status))
    if f.category:
        query = query.where(
            Case.category_id == catalog.get_category_or_raise(session, f.category).id
        )
    if f.department:
        dept = catalog.get_department_or_raise(session, f.department)
        query = query.where(Case.department_id == dept.id)
    if f.area_id is not None:
        in_area = select(CaseArea.case_id).where(CaseArea.area_id == f.area_id)
        query = query.where(Case.id.in_(in_area))
    if f.created_from:
        query = query.where(Case.created_at >= f.created_from)
    if f.created_to:
        query = query.where(Case.created_at < f.created_to)
    if f.bbox:
        min_lon, min_lat, max_lon, max_lat = f.bbox
        query = query.where(Case.lon.between(min_lon, max_lon), Case.lat.between(min_lat, max_lat))
    return query


def list_(
    session: Session, *, filters: CaseFilter, page: int = 1, page_size: int = 50
) -> tuple[list[Case], int]:
    """One page of matching cases, newest first, and how many match in all."""
    query = _filtered(session, filters)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(Case.created_at.desc(), Case.id.desc())
        .offset((page - 1) * page_size)
        .limit(page_size)
    ).all()
    return list(rows), int(total)


def to_read(session: Session, cases: Sequence[Case]) -> list[CaseRead]:
    """The public view of cases, with names looked up in one query per kind."""
    cat_ids = {c.category_id for c in cases}
    dept_ids = {c.department_id for c in cases}
    area_ids = {c.area_id for c in cases if c.area_id is not None}
    case_ids = [c.id for c in cases]
    cats = {
        r.id: r
        for r in session.execute(
            select(Category.id, Category.code, Category.name).where(Category.id.in_(cat_ids))
        )
    }
    co = session.execute(
        select(CaseCoHandler.case_id, Department.code)
        .join(Department, Department.id == CaseCoHandler.department_id)
        .where(CaseCoHandler.case_id.in_(case_ids))
    ).all()
    depts = {
        r.id: r
        for r in session.execute(
            select(Department.id, Department.code, Department.name).where(
                Department.id.in_(dept_ids)
            )
        )
    }
    areas = dict(session.execute(select(Area.id, Area.name).where(Area.id.in_(area_ids))).all())
    return [
        CaseRead(
            **{k: getattr(c, k) for k in _PLAIN_FIELDS},
            category=cats[c.category_id].code,
            category_name=cats[c.category_id].name,
            department=depts[c.department_id].code,
            department_name=depts[c.department_id].name,
            area_name=areas.get(c.area_id) if c.area_id else None,
            paused=c.paused_since is not None,
            co_handlers=sorted(code for case_id, code in co if case_id == c.id),
        )
        for c in cases
    ]


_PLAIN_FIELDS = (
    "tracking_id",
    "title",
    "description",
    "lat",
    "lon",
    "address",
    "channel",
    "status",
    "area_id",
    "h3_cell",
    "outside_grid",
    "attributes",
    "created_at",
    "updated_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "first_response_due",
    "resolution_due",
    "first_response_breached",
    "resolution_breached",
    "escalation_level",
    "rating",
    "reopen_count",
)


def timeline(session: Session, *, case: Case, include_internal: bool) -> list[CaseEvent]:
    """The case's events in order; residents see only the public ones."""
    query = select(CaseEvent).where(CaseEvent.case_id == case.id)
    if not include_internal:
        query = query.where(CaseEvent.public.is_(True))
    return list(session.scalars(query.order_by(CaseEvent.created_at, CaseEvent.id)))
