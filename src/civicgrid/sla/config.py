"""Changing deadlines from the administrator's pages: SLA policies and holiday calendars.
Every change goes to the audit ledger."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.audit import service as audit
from civicgrid.catalog.models import Category
from civicgrid.errors import Conflict, Invalid, NotFound
from civicgrid.sla.models import Calendar, Holiday, SlaPolicy
from civicgrid.sla.service import UNITS, _forget_calendar


def list_policies(session: Session) -> list[SlaPolicy]:
    """Every policy, the default (no category) first."""
    return list(
        session.scalars(
            select(SlaPolicy).order_by(SlaPolicy.category_id.is_not(None), SlaPolicy.id)
        )
    )


def list_calendars(session: Session) -> list[Calendar]:
    """Every calendar by name."""
    return list(session.scalars(select(Calendar).order_by(Calendar.name)))


def get_calendar_or_raise(session: Session, calendar_id: int) -> Calendar:
    """The calendar with this id."""
    calendar = session.get(Calendar, calendar_id)
    if calendar is None:
        raise NotFound("no calendar with id %(calendar_id)s", params={"calendar_id": calendar_id})
    return calendar


def holidays(session: Session, *, calendar_id: int) -> list[Holiday]:
    """A calendar's holidays by day."""
    query = select(Holiday).where(Holiday.calendar_id == calendar_id).order_by(Holiday.day)
    return list(session.scalars(query))


def save_policy(
    session: Session,
    *,
    actor: str,
    category_id: int | None,
    calendar_id: int,
    unit: str,
    first_response: float,
    resolution: float,
    priority: int = 3,
) -> SlaPolicy:
    """Set the deadlines of a category (or the default policy when ``category_id`` is None).

    New deadlines apply to cases filed from now on; open cases keep the clocks they have.
    """
    _check_policy(
        session,
        category_id=category_id,
        calendar_id=calendar_id,
        unit=unit,
        first_response=first_response,
        resolution=resolution,
    )
    policy = session.scalar(
        select(SlaPolicy).where(
            SlaPolicy.category_id.is_(None)
            if category_id is None
            else SlaPolicy.category_id == category_id
        )
    )
    if policy is None:
        policy = SlaPolicy(category_id=category_id)
        session.add(policy)
    policy.calendar_id, policy.unit, policy.priority = calendar_id, unit, priority
    policy.first_response, policy.resolution = first_response, resolution
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="sla.policy_saved",
        subject=f"sla_policy:{policy.id}",
        details={
            "category_id": category_id,
            "calendar_id": calendar_id,
            "unit": unit,
            "first_response": first_response,
            "resolution": resolution,
        },
    )
    return policy


def _check_policy(
    session: Session,
    *,
    category_id: int | None,
    calendar_id: int,
    unit: str,
    first_response: float,
    resolution: float,
) -> None:
    """Refuse a policy with an unknown unit, calendar or category, or deadlines out of order."""
    if unit not in UNITS:
        raise Invalid("unit must be one of %(units)s", params={"units": UNITS}, field="unit")
    if not 0 < first_response <= resolution:
        raise Invalid(
            "deadlines must be positive and the first response due no later than the resolution",
            field="first_response",
        )
    if session.get(Calendar, calendar_id) is None:
        raise Invalid(
            "calendar %(calendar_id)s does not exist",
            params={"calendar_id": calendar_id},
            field="calendar_id",
        )
    if category_id is not None and session.get(Category, category_id) is None:
        raise Invalid(
            "category %(category_id)s does not exist",
            params={"category_id": category_id},
            field="category_id",
        )


def add_holiday(session: Session, *, actor: str, calendar_id: int, day: date, name: str) -> Holiday:
    """Mark ``day`` as a day the calendar does not work."""
    get_calendar_or_raise(session, calendar_id)
    if session.scalar(
        select(Holiday.id).where(Holiday.calendar_id == calendar_id, Holiday.day == day)
    ):
        raise Conflict(
            "%(day)s is already a holiday of this calendar",
            params={"day": day.isoformat()},
            field="day",
        )
    holiday = Holiday(calendar_id=calendar_id, day=day, name=name.strip() or day.isoformat())
    session.add(holiday)
    session.flush()
    _forget_calendar(session, calendar_id)
    audit.record(
        session,
        actor=actor,
        action="sla.holiday_added",
        subject=f"calendar:{calendar_id}",
        details={"day": day.isoformat(), "name": holiday.name},
    )
    return holiday


def remove_holiday(session: Session, *, actor: str, holiday_id: int) -> None:
    """Make a holiday a working day again."""
    holiday = session.get(Holiday, holiday_id)
    if holiday is None:
        raise NotFound("no holiday %(holiday_id)s", params={"holiday_id": holiday_id})
    calendar_id, day = holiday.calendar_id, holiday.day
    session.delete(holiday)
    session.flush()
    _forget_calendar(session, calendar_id)
    audit.record(
        session,
        actor=actor,
        action="sla.holiday_removed",
        subject=f"calendar:{calendar_id}",
        details={"day": day.isoformat()},
    )
