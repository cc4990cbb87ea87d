"""Policies, calendars, starting, pausing and restarting a case's clocks (real database)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicgrid.cases.models import Case
from civicgrid.errors import Invalid, NotFound
from civicgrid.settings import Settings
from civicgrid.sla import service
from civicgrid.sla.models import Calendar, Holiday, SlaPolicy
from tests import factories
from tests.sla import make_case, ny


def policy(session: Session, **fields: Any) -> SlaPolicy:
    """A policy of a fresh category on a New York 09:00-17:00 Monday-Friday calendar."""
    cal = factories.calendar(session)
    category = factories.category(session)
    return factories.sla_policy(session, category_id=category.id, calendar_id=cal.id, **fields)


# --- policies and calendars -------------------------------------------------------------


def test_policy_for_prefers_the_category_policy_over_the_default(session: Session) -> None:
    cal = factories.calendar(session)
    own, other = factories.category(session), factories.category(session)
    assert service.policy_for(session, category_id=own.id) is None
    default = factories.sla_policy(session, category_id=None, calendar_id=cal.id)
    specific = factories.sla_policy(session, category_id=own.id, calendar_id=cal.id)
    assert service.policy_for(session, category_id=own.id) == specific
    assert service.policy_for(session, category_id=other.id) == default


def test_working_calendar_is_loaded_once_per_session(session: Session) -> None:
    cal = factories.calendar(session)
    session.add(Holiday(calendar_id=cal.id, day=date(2026, 2, 9), name="Snow day"))
    loaded = service.working_calendar(session, cal.id)
    assert loaded.holidays == {date(2026, 2, 9)}
    assert loaded.timezone == "America/New_York"
    assert service.working_calendar(session, cal.id) is loaded


def test_working_calendar_unknown_or_broken(session: Session) -> None:
    with pytest.raises(NotFound):
        service.working_calendar(session, 999_999)
    broken = factories.calendar(session, timezone="Mars/Olympus_Mons")
    with pytest.raises(Invalid, match="cannot be used"):
        service.working_calendar(session, broken.id)


def test_budget_hours_units(session: Session) -> None:
    cal = service.working_calendar(session, factories.calendar(session).id)
    assert service.budget_hours(cal, unit="working_hours", amount=5) == 5
    assert service.budget_hours(cal, unit="working_days", amount=2) == 16
    with pytest.raises(Invalid, match="working_hours, working_days"):
        service.budget_hours(cal, unit="fortnights", amount=1)


# --- start_clocks -----------------------------------------------------------------------


def test_start_clocks_across_the_weekend(session: Session, settings: Settings) -> None:
    pol = policy(session, first_response=8, resolution=40)
    case = make_case(session, category_id=pol.category_id)
    service.start_clocks(session, case=case, now=ny(2026, 2, 6, 15), settings=settings)  # Fri
    assert case.sla_policy_id == pol.id
    assert case.first_response_due == ny(2026, 2, 9, 15)  # Fri 2h + Mon 6h
    assert case.first_response_warn_at == ny(2026, 2, 9, 13)  # 75% of 8h = 6h
    assert case.resolution_due == ny(2026, 2, 13, 15)  # five business days
    assert case.resolution_warn_at == ny(2026, 2, 12, 13)  # 30h: Fri 2 + 3 x 8 + Thu 4
    assert (case.first_response_warned, case.first_response_breached) == (False, False)
    assert (case.resolution_warned, case.resolution_breached) == (False, False)


def test_start_clocks_skips_holidays(session: Session, settings: Settings) -> None:
    pol = policy(session, first_response=4)
    session.add(Holiday(calendar_id=pol.calendar_id, day=date(2026, 2, 16), name="Presidents"))
    case = make_case(session, category_id=pol.category_id)
    service.start_clocks(session, case=case, now=ny(2026, 2, 13, 16), settings=settings)
    assert case.first_response_due == ny(2026, 2, 17, 12)  # Fri 1h, Monday off, Tue 3h


def test_start_clocks_outside_hours_counts_from_the_next_opening(
    session: Session, settings: Settings
) -> None:
    pol = policy(session, first_response=2)
    case = make_case(session, category_id=pol.category_id)
    service.start_clocks(session, case=case, now=ny(2026, 2, 7, 23), settings=settings)  # Sat
    assert case.first_response_due == ny(2026, 2, 9, 11)


def test_start_clocks_across_daylight_saving(session: Session, settings: Settings) -> None:
    pol = policy(session, first_response=8)
    case = make_case(session, category_id=pol.category_id)
    service.start_clocks(session, case=case, now=ny(2026, 3, 6, 15), settings=settings)
    assert case.first_response_due == ny(2026, 3, 9, 15)
    assert case.first_response_due.hour == 19  # 15:00 EDT, an hour earlier in UTC than EST


def test_working_days_unit(session: Session, settings: Settings) -> None:
    pol = policy(session, unit="working_days", first_response=2, resolution=5)
    case = make_case(session, category_id=pol.category_id)
    service.start_clocks(session, case=case, now=ny(2026, 2, 2, 10), settings=settings)  # Mon
    assert case.first_response_due == ny(2026, 2, 4, 10)
    assert case.resolution_due == ny(2026, 2, 9, 10)


def test_warning_fraction_comes_from_settings(session: Session, settings: Settings) -> None:
    pol = policy(session, first_response=8)
    case = make_case(session, category_id=pol.category_id)
    half = settings.model_copy(update={"sla_warning_fraction": 0.5})
    service.start_clocks(session, case=case, now=ny(2026, 2, 2, 9), settings=half)
    assert case.first_response_warn_at == ny(2026, 2, 2, 13)


def test_start_clocks_without_a_policy_leaves_no_deadlines(
    session: Session, settings: Settings
) -> None:
    case = make_case(session)
    service.start_clocks(session, case=case, now=ny(2026, 2, 2, 9), settings=settings)
    assert case.sla_policy_id is None
    assert case.first_response_due is None
    assert case.first_response_warn_at is None
    assert case.resolution_due is None
    assert case.resolution_warn_at is None


def test_start_clocks_rejects_an_unknown_unit(session: Session, settings: Settings) -> None:
    pol = policy(session, unit="weeks")
    case = make_case(session, category_id=pol.category_id)
    with pytest.raises(Invalid, match="unit 'weeks'"):
        service.start_clocks(session, case=case, now=ny(2026, 2, 2, 9), settings=settings)


# --- pause and resume -------------------------------------------------------------------


def started_case(session: Session, settings: Settings, **policy_fields: Any) -> Case:
    pol = policy(session, **policy_fields)
    case = make_case(session, category_id=pol.category_id)
    service.start_clocks(session, case=case, now=ny(2026, 2, 5, 10), settings=settings)  # Thu
    return case


def test_pause_friday_resume_tuesday_shifts_the_deadlines(
    session: Session, settings: Settings
) -> None:
    case = started_case(session, settings, first_response=24, resolution=40)
    assert case.first_response_due == ny(2026, 2, 10, 10)
    assert case.first_response_warn_at == ny(2026, 2, 9, 12)
    assert case.resolution_due == ny(2026, 2, 12, 10)
    service.pause(case=case, now=ny(2026, 2, 6, 16))
    service.pause(case=case, now=ny(2026, 2, 9, 12))  # already paused: the first time counts
    assert case.paused_since == ny(2026, 2, 6, 16)
    service.resume(session, case=case, now=ny(2026, 2, 10, 11))
    # Paused for Fri 1h + Mon 8h + Tue 2h = 11 working hours.
    assert case.paused_since is None
    assert case.first_response_due == ny(2026, 2, 11, 13)
    assert case.first_response_warn_at == ny(2026, 2, 10, 15)
    assert case.resolution_due == ny(2026, 2, 13, 13)


def test_resume_leaves_settled_clocks_alone(session: Session, settings: Settings) -> None:
    case = started_case(session, settings, first_response=24, resolution=40)
    warn_at, due = case.first_response_warn_at, case.resolution_due
    case.first_response_warned = True  # its warning went out: only its deadline moves
    case.resolution_breached = True  # already missed: stays missed
    service.pause(case=case, now=ny(2026, 2, 6, 16))
    service.resume(session, case=case, now=ny(2026, 2, 10, 11))
    assert case.first_response_warn_at == warn_at
    assert case.first_response_due == ny(2026, 2, 11, 13)
    assert case.resolution_due == due


def test_resume_ignores_the_first_response_clock_once_answered(
    session: Session, settings: Settings
) -> None:
    case = started_case(session, settings, first_response=16, resolution=40)
    first_due = case.first_response_due
    case.first_response_at = ny(2026, 2, 5, 11)
    service.pause(case=case, now=ny(2026, 2, 6, 16))
    service.resume(session, case=case, now=ny(2026, 2, 10, 11))
    assert case.first_response_due == first_due
    assert case.resolution_due == ny(2026, 2, 13, 13)


def test_resume_tolerates_a_clock_without_deadlines(session: Session, settings: Settings) -> None:
    case = started_case(session, settings, resolution=40)
    case.first_response_due = case.first_response_warn_at = None  # e.g. an imported case
    service.pause(case=case, now=ny(2026, 2, 6, 16))
    service.resume(session, case=case, now=ny(2026, 2, 10, 11))
    assert (case.first_response_due, case.first_response_warn_at) == (None, None)
    assert case.resolution_due == ny(2026, 2, 13, 13)


def test_resume_after_a_weekend_pause_changes_nothing(session: Session, settings: Settings) -> None:
    case = started_case(session, settings)
    before = (case.first_response_due, case.resolution_due, case.resolution_warn_at)
    service.pause(case=case, now=ny(2026, 2, 7, 10))
    service.resume(session, case=case, now=ny(2026, 2, 8, 18))
    assert case.paused_since is None
    assert (case.first_response_due, case.resolution_due, case.resolution_warn_at) == before


def test_resume_when_not_paused_or_without_a_policy(session: Session, settings: Settings) -> None:
    case = started_case(session, settings)
    due = case.resolution_due
    service.resume(session, case=case, now=ny(2026, 2, 10, 11))
    assert case.resolution_due == due
    bare = make_case(session)
    service.pause(case=bare, now=ny(2026, 2, 6, 16))
    service.resume(session, case=bare, now=ny(2026, 2, 10, 11))
    assert bare.paused_since is None
    assert bare.resolution_due is None


# --- restart_resolution_clock -----------------------------------------------------------


def test_restart_resolution_clock_gives_a_fresh_deadline(
    session: Session, settings: Settings
) -> None:
    case = started_case(session, settings, first_response=8, resolution=16)
    first_due = case.first_response_due
    case.resolution_warned = case.resolution_breached = True
    service.restart_resolution_clock(session, case=case, now=ny(2026, 2, 16, 9), settings=settings)
    assert case.resolution_due == ny(2026, 2, 17, 17)
    assert case.resolution_warn_at == ny(2026, 2, 17, 13)
    assert (case.resolution_warned, case.resolution_breached) == (False, False)
    assert case.first_response_due == first_due


def test_restart_finds_the_policy_of_a_case_that_had_none(
    session: Session, settings: Settings
) -> None:
    case = make_case(session)
    service.restart_resolution_clock(session, case=case, now=ny(2026, 2, 2, 9), settings=settings)
    assert case.resolution_due is None
    pol = factories.sla_policy(
        session,
        category_id=case.category_id,
        calendar_id=factories.calendar(session).id,
        resolution=8,
    )
    service.restart_resolution_clock(session, case=case, now=ny(2026, 2, 2, 9), settings=settings)
    assert case.sla_policy_id == pol.id
    assert case.resolution_due == ny(2026, 2, 2, 17)


# --- ensure_calendar and load_holidays --------------------------------------------------


def holiday_count(session: Session, cal: Calendar) -> int:
    return (
        session.scalar(
            select(func.count()).select_from(Holiday).where(Holiday.calendar_id == cal.id)
        )
        or 0
    )


def test_ensure_calendar_loads_public_holidays_once(session: Session) -> None:
    cal = service.ensure_calendar(
        session,
        name="NYC offices",
        timezone="America/New_York",
        holiday_country="US",
        holiday_subdivision="NY",
        years=[2026],
    )
    days = set(session.scalars(select(Holiday.day).where(Holiday.calendar_id == cal.id)))
    assert {date(2026, 1, 1), date(2026, 7, 3), date(2026, 11, 26)} <= days
    again = service.ensure_calendar(
        session,
        name="NYC offices",
        timezone="America/New_York",
        work_end="18:00",
        holiday_country="US",
        holiday_subdivision="NY",
        years=[2026],
    )
    assert again.id == cal.id
    assert again.work_end == "18:00"
    assert holiday_count(session, cal) == len(days)
    assert service.get_calendar(session, name="NYC offices") == cal


def test_ensure_calendar_without_a_country_loads_no_holidays(session: Session) -> None:
    cal = service.ensure_calendar(
        session,
        name="Round the clock",
        timezone="UTC",
        work_start="00:00",
        work_end="24:00",
        work_days="0,1,2,3,4,5,6",
    )
    assert holiday_count(session, cal) == 0
    assert service.working_calendar(session, cal.id).day_hours == 24


def test_holidays_loaded_later_reach_the_cached_calendar(session: Session) -> None:
    cal = service.ensure_calendar(session, name="Later", timezone="America/New_York")
    assert service.working_calendar(session, cal.id).holidays == frozenset()
    added = service.load_holidays(session, calendar=cal, country="US", years=[2026, 2027])
    assert len(added) == holiday_count(session, cal) > 20
    assert date(2027, 12, 24) in service.working_calendar(session, cal.id).holidays
    assert service.load_holidays(session, calendar=cal, country="US", years=[2026]) == []


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"timezone": "Nowhere/Special"}, "No time zone found"),
        ({"timezone": "UTC", "work_start": "9am"}, "9am"),
        ({"timezone": "UTC", "work_days": "0,1,9"}, "weekday numbers"),
        ({"timezone": "UTC", "holiday_country": "XX", "years": [2026]}, "ISO country code"),
    ],
)
def test_ensure_calendar_explains_bad_input(
    session: Session, fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(Invalid, match=message):
        service.ensure_calendar(session, name="Broken", **fields)
