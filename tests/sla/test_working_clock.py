"""Working time on arrays gives, to the microsecond, what add_working_time gives one by one."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from civicgrid.cases.columns import instants, to_datetimes
from civicgrid.sla.calendar import END_OF_DAY, WorkingCalendar, add_working_time
from civicgrid.sla.working_clock import WorkingClock, budget_micros

CALENDARS = [
    WorkingCalendar("America/New_York", time(9), time(17), frozenset(range(5)),
                    frozenset({date(2024, 11, 28), date(2024, 12, 25), date(2025, 1, 1)})),
    WorkingCalendar("Europe/Paris", time(0), END_OF_DAY, frozenset(range(7))),
    WorkingCalendar("Australia/Lord_Howe", time(1, 30), time(2, 45), frozenset({5, 6})),
    WorkingCalendar("America/Sao_Paulo", time(8), time(12), frozenset({0, 2, 4})),
]  # fmt: skip
BASE = datetime(2024, 3, 1, tzinfo=UTC)


def one_by_one(cal: WorkingCalendar, starts: list[datetime], hours: float) -> list[datetime]:
    return [add_working_time(cal, start, hours) for start in starts]


@settings(max_examples=60, deadline=None)
@given(
    calendar=st.sampled_from(range(len(CALENDARS))),
    offsets=st.lists(st.integers(0, 400 * 86400 * 10**6), min_size=1, max_size=40),
    hours=st.sampled_from([0.0, 0.5, 1.0, 6.0, 8.0, 1 / 3, 40.0, 240.0, 2000.0]),
)
def test_adding_working_time_matches_the_calendar(
    calendar: int, offsets: list[int], hours: float
) -> None:
    cal = CALENDARS[calendar]
    starts = [BASE + timedelta(microseconds=k) for k in offsets]
    clock = WorkingClock(cal)
    got = to_datetimes(clock.add(instants(starts), budget_micros(hours)))
    assert got == one_by_one(cal, starts, hours)


def test_per_case_amounts_nat_and_later_and_earlier_batches() -> None:
    cal = CALENDARS[0]
    clock = WorkingClock(cal)
    late = [datetime(2025, 6, 2, 16, tzinfo=UTC), datetime(2025, 6, 7, 3, tzinfo=UTC)]
    early = [datetime(2023, 12, 30, 23, tzinfo=UTC), None]
    amounts = np.array([budget_micros(8), budget_micros(0.25)], dtype=np.int64)
    assert to_datetimes(clock.add(instants(late), amounts)) == [
        add_working_time(cal, late[0], 8), add_working_time(cal, late[1], 0.25)]  # fmt: skip
    first = to_datetimes(clock.add(instants(early), budget_micros(3)))
    assert first == [add_working_time(cal, datetime(2023, 12, 30, 23, tzinfo=UTC), 3), None]


def test_the_clock_starts_at_the_next_opening() -> None:
    cal = CALENDARS[0]
    clock = WorkingClock(cal)
    friday_night = datetime(2024, 11, 29, 23, tzinfo=UTC)  # 18:00 in New York
    during = datetime(2024, 12, 2, 15, tzinfo=UTC)  # Monday 10:00
    starts = to_datetimes(clock.clock_start(instants([friday_night, during, None])))
    assert starts == [datetime(2024, 12, 2, 14, tzinfo=UTC), during, None]
    assert to_datetimes(clock.clock_start(instants([None]))) == [None]
