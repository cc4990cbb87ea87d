"""Deadlines of cases: which policy applies, starting and pausing the clocks, and the sweep
that warns before a deadline, marks it breached after, and escalates the case up the grid.

Services never commit: the request, the job runner or the CLI command owns the transaction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfoNotFoundError

import holidays as holiday_data
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from civicgrid.cases.models import Case
from civicgrid.catalog import reference
from civicgrid.catalog.reference import PolicyTerms
from civicgrid.errors import Invalid, NotFound
from civicgrid.settings import Settings
from civicgrid.sla.calendar import (
    WorkingCalendar,
    add_working_time,
    parse_clock,
    parse_work_days,
    working_hours_between,
)
from civicgrid.sla.models import Calendar, Holiday, SlaPolicy

ACTOR = "system:sla"
CLOSED_STATUSES = ("resolved", "closed")
SWEEP_BATCH = 2000
UNITS = ("working_hours", "working_days")
_CALENDAR_CACHE = "civicgrid.sla.working_calendars"


@dataclass(frozen=True)
class Clock:
    """One of a case's two clocks: its column prefix and how to name it to a person."""

    name: str
    label: str

    def col(self, part: str) -> str:
        """The case column holding this clock's ``due``, ``warn_at``, ``warned`` or ``breached``."""
        return f"{self.name}_{part}"

    def running(self, case: Case) -> bool:
        """False once the clock's goal is met: the first response stops its clock."""
        return self.name != "first_response" or case.first_response_at is None


CLOCKS = (Clock("first_response", "First-response"), Clock("resolution", "Resolution"))


# --- policies and calendars -------------------------------------------------------------


def policy_for(session: Session, *, category_id: int) -> SlaPolicy | None:
    """The category's own policy, else the default policy (category null), else None."""
    return session.scalar(
        select(SlaPolicy)
        .where(or_(SlaPolicy.category_id == category_id, SlaPolicy.category_id.is_(None)))
        .order_by(SlaPolicy.category_id.is_(None))
        .limit(1)
    )


def working_calendar(session: Session, calendar_id: int) -> WorkingCalendar:
    """The calendar with its holidays, loaded once per session (bulk imports reuse it)."""
    cache: dict[int, WorkingCalendar] = session.info.setdefault(_CALENDAR_CACHE, {})
    if calendar_id in cache:
        return cache[calendar_id]
    cal = session.get(Calendar, calendar_id)
    if cal is None:
        raise NotFound("no calendar with id %(calendar_id)s", params={"calendar_id": calendar_id})
    days = session.scalars(select(Holiday.day).where(Holiday.calendar_id == calendar_id))
    try:
        found = WorkingCalendar.from_model(cal, days)
    except (ValueError, ZoneInfoNotFoundError) as exc:
        raise Invalid(
            "calendar '%(cal_name)s' cannot be used: %(exc)s; fix its time zone, hours or work "
            "days",
            params={"cal_name": cal.name, "exc": exc},
        ) from exc
    cache[calendar_id] = found
    return found


def _forget_calendar(session: Session, calendar_id: int) -> None:
    session.info.get(_CALENDAR_CACHE, {}).pop(calendar_id, None)


def budget_hours(cal: WorkingCalendar, *, unit: str, amount: float) -> float:
    """A policy amount in business hours: a working day is one business day's length."""
    if unit == "working_hours":
        return amount
    if unit == "working_days":
        return amount * cal.day_hours
    raise Invalid(
        "SLA policy unit '%(unit)s' is unknown; use one of %(units)s",
        params={"unit": unit, "units": UNITS},
    )


def _due_and_warning(
    cal: WorkingCalendar, *, start: datetime, hours: float, fraction: float
) -> tuple[datetime, datetime]:
    return add_working_time(cal, start, hours), add_working_time(cal, start, hours * fraction)


# --- the clocks of one case -------------------------------------------------------------


def start_clocks(session: Session, *, case: Case, now: datetime, settings: Settings) -> None:
    """Set the case's policy, deadlines and warning times from ``now`` (none without a policy)."""
    policy = reference.current(session).policy_for(case.category_id)
    set_clocks(case, policy, now=now, settings=settings)


def set_clocks(
    case: Case, policy: PolicyTerms | None, *, now: datetime, settings: Settings
) -> None:
    """Start the clocks of ``case`` under ``policy`` (from the cached reference data)."""
    case.sla_policy_id = policy.id if policy else None
    for clock in CLOCKS:
        for part in ("due", "warn_at"):
            setattr(case, clock.col(part), None)
        for part in ("warned", "breached"):
            setattr(case, clock.col(part), False)
    if policy is None:
        return
    cal = policy.working_calendar()
    for clock, amount in zip(CLOCKS, (policy.first_response, policy.resolution), strict=True):
        hours = budget_hours(cal, unit=policy.unit, amount=amount)
        due, warn_at = _due_and_warning(
            cal, start=now, hours=hours, fraction=settings.sla_warning_fraction
        )
        setattr(case, clock.col("due"), due)
        setattr(case, clock.col("warn_at"), warn_at)


def restart_resolution_clock(
    session: Session, *, case: Case, now: datetime, settings: Settings
) -> None:
    """A fresh resolution deadline from ``now``, e.g. when a low rating reopens the case."""
    policy = (
        session.get(SlaPolicy, case.sla_policy_id)
        if case.sla_policy_id is not None
        else policy_for(session, category_id=case.category_id)
    )
    case.resolution_warned = case.resolution_breached = False
    case.resolution_due = case.resolution_warn_at = None
    if policy is None:
        return
    case.sla_policy_id = policy.id
    cal = working_calendar(session, policy.calendar_id)
    hours = budget_hours(cal, unit=policy.unit, amount=policy.resolution)
    case.resolution_due, case.resolution_warn_at = _due_and_warning(
        cal, start=now, hours=hours, fraction=settings.sla_warning_fraction
    )


def pause(*, case: Case, now: datetime) -> None:
    """Stop the clocks while the city waits on the resident or a third party."""
    if case.paused_since is None:
        case.paused_since = now


def resume(session: Session, *, case: Case, now: datetime) -> None:
    """Restart the clocks: every pending deadline moves by the business hours spent paused."""
    paused_since, case.paused_since = case.paused_since, None
    if paused_since is None or case.sla_policy_id is None:
        return
    policy = session.get_one(SlaPolicy, case.sla_policy_id)
    cal = working_calendar(session, policy.calendar_id)
    hours = working_hours_between(cal, paused_since, now)
    if not hours:
        return
    for clock in CLOCKS:
        if not clock.running(case) or getattr(case, clock.col("breached")):
            continue
        pending = ["due"] if getattr(case, clock.col("warned")) else ["due", "warn_at"]
        for attr in map(clock.col, pending):
            when = getattr(case, attr)
            if when is not None:
                setattr(case, attr, add_working_time(cal, when, hours))


# --- setting up calendars ---------------------------------------------------------------


def get_calendar(session: Session, *, name: str) -> Calendar | None:
    """The calendar called ``name``, if there is one."""
    return session.scalar(select(Calendar).where(Calendar.name == name))


def ensure_calendar(
    session: Session,
    *,
    name: str,
    timezone: str,
    work_start: str = "09:00",
    work_end: str = "17:00",
    work_days: str = "0,1,2,3,4",
    holiday_country: str | None = None,
    holiday_subdivision: str | None = None,
    years: Iterable[int] = (),
) -> Calendar:
    """Create the calendar ``name`` or bring it up to date, with the country's public holidays."""
    try:
        WorkingCalendar(
            timezone=timezone,
            work_start=parse_clock(work_start),
            work_end=parse_clock(work_end),
            work_days=parse_work_days(work_days),
        )
    except (ValueError, ZoneInfoNotFoundError) as exc:
        raise Invalid(
            "calendar '%(name)s': %(exc)s. Give an IANA time zone such as America/New_York, hours "
            "as HH:MM and work days such as 0,1,2,3,4",
            params={"name": name, "exc": exc},
        ) from exc
    cal = get_calendar(session, name=name)
    if cal is None:
        cal = Calendar(name=name)
        session.add(cal)
    cal.timezone, cal.work_start, cal.work_end = timezone, work_start, work_end
    cal.work_days = work_days
    session.flush()
    _forget_calendar(session, cal.id)
    if holiday_country:
        load_holidays(
            session,
            calendar=cal,
            country=holiday_country,
            subdivision=holiday_subdivision,
            years=years,
        )
    return cal


def load_holidays(
    session: Session,
    *,
    calendar: Calendar,
    country: str,
    subdivision: str | None = None,
    years: Iterable[int],
) -> list[Holiday]:
    """Add the public holidays of ``country`` in ``years``; days already on file are kept."""
    try:
        found: dict[date, str] = dict(
            holiday_data.country_holidays(country, subdiv=subdivision, years=list(years))
        )
    except NotImplementedError as exc:
        raise Invalid(
            "cannot load public holidays: %(exc)s. Use an ISO country code such as US and, "
            "optionally, a subdivision such as NY",
            params={"exc": exc},
            field="country",
        ) from exc
    known = set(session.scalars(select(Holiday.day).where(Holiday.calendar_id == calendar.id)))
    added = [
        Holiday(calendar_id=calendar.id, day=day, name=name[:200])
        for day, name in sorted(found.items())
        if day not in known
    ]
    session.add_all(added)
    session.flush()
    _forget_calendar(session, calendar.id)
    return added
