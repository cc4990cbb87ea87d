"""Working-time arithmetic: weekends, holidays, starts outside hours, DST, round-the-clock."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from civicgrid.sla.calendar import (
    END_OF_DAY,
    WorkingCalendar,
    add_working_time,
    parse_clock,
    parse_work_days,
    working_hours_between,
)
from civicgrid.sla.models import Calendar
from tests.sla import ny

WEEKDAYS = frozenset(range(5))


def office(holidays: frozenset[date] = frozenset()) -> WorkingCalendar:
    """New York, 09:00-17:00, Monday to Friday."""
    return WorkingCalendar(
        timezone="America/New_York",
        work_start=time(9),
        work_end=time(17),
        work_days=WEEKDAYS,
        holidays=holidays,
    )


def round_the_clock() -> WorkingCalendar:
    return WorkingCalendar.from_model(
        Calendar(
            timezone="America/New_York",
            work_start="00:00",
            work_end="24:00",
            work_days="0,1,2,3,4,5,6",
        ),
        [],
    )


# 2026-02-02 is a Monday; no DST change or US holiday falls in the fortnight after it.


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (ny(2026, 2, 2, 10), 4, ny(2026, 2, 2, 14)),  # inside one day
        (ny(2026, 2, 2, 9), 8, ny(2026, 2, 2, 17)),  # a full day ends at closing, not next day
        (ny(2026, 2, 2, 10), 16, ny(2026, 2, 4, 10)),  # two business days
        (ny(2026, 2, 6, 15), 4, ny(2026, 2, 9, 11)),  # Friday afternoon over the weekend
        (ny(2026, 2, 2, 7), 1, ny(2026, 2, 2, 10)),  # before opening: counts from 09:00
        (ny(2026, 2, 2, 18), 1, ny(2026, 2, 3, 10)),  # after closing: counts from next opening
        (ny(2026, 2, 7, 12), 1, ny(2026, 2, 9, 10)),  # Saturday: counts from Monday
        (ny(2026, 2, 2, 10, 30), 0.5, ny(2026, 2, 2, 11)),  # fractions of an hour
    ],
)
def test_add_working_time(start: datetime, hours: float, expected: datetime) -> None:
    result = add_working_time(office(), start, hours)
    assert result == expected
    assert result.tzinfo is UTC


def test_add_skips_holidays() -> None:
    cal = office(holidays=frozenset({date(2026, 2, 9)}))
    assert add_working_time(cal, ny(2026, 2, 6, 15), 4) == ny(2026, 2, 10, 11)


def test_add_zero_hours_is_the_start_itself() -> None:
    start = ny(2026, 2, 7, 12)  # a Saturday
    assert add_working_time(office(), start, 0) == start


def test_add_a_sliver_of_time_counts_from_the_next_opening() -> None:
    # 1e-10 h rounds to no microsecond; it is still work time, so it starts Monday 09:00.
    start = ny(2026, 2, 7, 12)  # a Saturday
    assert add_working_time(office(), start, 1e-10) == ny(2026, 2, 9, 9)


def test_add_refuses_negative_hours_and_naive_datetimes() -> None:
    with pytest.raises(ValueError, match="negative"):
        add_working_time(office(), ny(2026, 2, 2, 10), -1)
    with pytest.raises(ValueError, match="timezone-aware"):
        add_working_time(office(), datetime(2026, 2, 2, 10), 1)


def test_add_keeps_wall_clock_hours_across_spring_forward() -> None:
    # Clocks go forward on Sunday 2026-03-08: Monday 15:00 is 19:00 UTC, not 20:00.
    due = add_working_time(office(), ny(2026, 3, 6, 15), 8)
    assert due == ny(2026, 3, 9, 15)
    assert due == datetime(2026, 3, 9, 19, tzinfo=UTC)


def test_add_keeps_wall_clock_hours_across_fall_back() -> None:
    # Clocks go back on Sunday 2026-11-01: Monday 15:00 is 20:00 UTC, not 19:00.
    due = add_working_time(office(), ny(2026, 10, 30, 15), 8)
    assert due == datetime(2026, 11, 2, 20, tzinfo=UTC)


def test_round_the_clock_counts_real_hours_over_the_short_day() -> None:
    cal = round_the_clock()
    assert cal.day_hours == 24
    # Sunday 2026-03-08 has 23 hours, so 24 working hours end at 13:00 local, not 12:00.
    assert add_working_time(cal, ny(2026, 3, 7, 12), 24) == ny(2026, 3, 8, 13)
    assert working_hours_between(cal, ny(2026, 3, 8), ny(2026, 3, 9)) == 23


def test_day_hours_is_one_business_day() -> None:
    assert office().day_hours == 8
    half_hour = WorkingCalendar(
        timezone="UTC", work_start=time(8, 30), work_end=time(12), work_days=WEEKDAYS
    )
    assert half_hour.day_hours == 3.5


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (ny(2026, 2, 2, 10), ny(2026, 2, 2, 12), 2),
        (ny(2026, 2, 6, 16), ny(2026, 2, 10, 10), 10),  # Fri 1h + Mon 8h + Tue 1h
        (ny(2026, 2, 7, 9), ny(2026, 2, 8, 18), 0),  # a weekend
        (ny(2026, 2, 2, 18), ny(2026, 2, 3, 8), 0),  # overnight
        (ny(2026, 2, 2, 12), ny(2026, 2, 2, 10), 0),  # end before start
        (ny(2026, 2, 2, 12), ny(2026, 2, 2, 12), 0),
        (ny(2026, 3, 6, 15), ny(2026, 3, 9, 15), 8),  # across spring forward
    ],
)
def test_working_hours_between(start: datetime, end: datetime, expected: float) -> None:
    assert working_hours_between(office(), start, end) == expected


def test_working_hours_between_skips_holidays() -> None:
    cal = office(holidays=frozenset({date(2026, 2, 9)}))
    assert working_hours_between(cal, ny(2026, 2, 6, 16), ny(2026, 2, 10, 10)) == 2


def test_from_model_reads_the_stored_calendar() -> None:
    stored = Calendar(
        timezone="Europe/Berlin", work_start="08:00", work_end="16:30", work_days="0,1,2,3"
    )
    cal = WorkingCalendar.from_model(stored, [date(2026, 5, 1)])
    assert cal == WorkingCalendar(
        timezone="Europe/Berlin",
        work_start=time(8),
        work_end=time(16, 30),
        work_days=frozenset({0, 1, 2, 3}),
        holidays=frozenset({date(2026, 5, 1)}),
    )
    assert parse_clock("24:00") == END_OF_DAY


@pytest.mark.parametrize("value", ["", "1,7", "mon"])
def test_parse_work_days_rejects_nonsense(value: str) -> None:
    with pytest.raises(ValueError, match="weekday"):
        parse_work_days(value)


def test_calendar_needs_work_days_and_a_working_span() -> None:
    with pytest.raises(ValueError, match="work day"):
        WorkingCalendar(
            timezone="UTC", work_start=time(9), work_end=time(17), work_days=frozenset()
        )
    with pytest.raises(ValueError, match="after its work_start"):
        WorkingCalendar(timezone="UTC", work_start=time(17), work_end=time(9), work_days=WEEKDAYS)


def test_day_windows_are_cached_per_calendar() -> None:
    cal = office(holidays=frozenset({date(2026, 2, 9)}))
    monday = cal.window(date(2026, 2, 2))
    assert monday == (ny(2026, 2, 2, 9), ny(2026, 2, 2, 17))
    assert cal.window(date(2026, 2, 2)) is monday
    assert cal.window(date(2026, 2, 7)) is None  # Saturday
    assert cal.window(date(2026, 2, 9)) is None  # holiday
    assert set(cal._windows) == {date(2026, 2, 2), date(2026, 2, 7), date(2026, 2, 9)}


# --- properties -------------------------------------------------------------------------

CALENDARS = [
    office(holidays=frozenset({date(2026, 1, 1), date(2026, 7, 3), date(2026, 12, 25)})),
    round_the_clock(),
    # Sunday to Thursday, with a lunch-free short day and a zone with its own DST rules.
    WorkingCalendar(
        timezone="Asia/Jerusalem",
        work_start=time(8),
        work_end=time(14, 30),
        work_days=frozenset({6, 0, 1, 2, 3}),
    ),
]
instants = st.datetimes(
    min_value=datetime(2025, 10, 1), max_value=datetime(2027, 4, 1), timezones=st.just(UTC)
)
amounts = st.floats(min_value=0, max_value=400, allow_nan=False)
TOLERANCE_HOURS = 1e-8  # microsecond rounding of timedelta


@settings(deadline=None, max_examples=200)
@given(cal=st.sampled_from(CALENDARS), start=instants, hours=amounts)
def test_measuring_what_was_added_gives_it_back(
    cal: WorkingCalendar, start: datetime, hours: float
) -> None:
    end = add_working_time(cal, start, hours)
    assert end >= start
    assert working_hours_between(cal, start, end) == pytest.approx(hours, abs=TOLERANCE_HOURS)


@settings(deadline=None, max_examples=200)
@given(cal=st.sampled_from(CALENDARS), start=instants, a=amounts, b=amounts)
def test_more_hours_never_end_earlier(
    cal: WorkingCalendar, start: datetime, a: float, b: float
) -> None:
    low, high = sorted((a, b))
    assert add_working_time(cal, start, low) <= add_working_time(cal, start, high)


@settings(deadline=None, max_examples=200)
@given(cal=st.sampled_from(CALENDARS), start=instants, a=amounts, b=amounts)
def test_adding_in_two_steps_ends_where_one_step_does(
    cal: WorkingCalendar, start: datetime, a: float, b: float
) -> None:
    # The pause/resume arithmetic relies on this: shifting a deadline later is additive.
    two_steps = add_working_time(cal, add_working_time(cal, start, a), b)
    one_step = add_working_time(cal, start, a + b)
    assert abs(two_steps - one_step) <= timedelta(microseconds=2)


@settings(deadline=None, max_examples=200)
@given(cal=st.sampled_from(CALENDARS), start=instants, a=instants, b=instants)
def test_later_ends_never_measure_less(
    cal: WorkingCalendar, start: datetime, a: datetime, b: datetime
) -> None:
    low, high = sorted((a, b))
    assert working_hours_between(cal, start, low) <= working_hours_between(cal, start, high)
