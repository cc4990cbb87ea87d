"""Working-time arithmetic: add business hours to an instant, measure business hours between two.

Business hours are local wall-clock times of the calendar's time zone, so a deadline keeps to
opening hours across daylight-saving changes; every instant going in or out is aware UTC.
Work is done a whole day at a time, with each day's opening and closing instants cached on the
calendar, so deadlines for a million imported cases cost little more than a million dict hits.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from civicgrid.sla.models import Calendar

ONE_DAY = timedelta(days=1)
# "24:00" closes at midnight ending the day; time() cannot hold it, so midnight stands for it.
END_OF_DAY = time(0)

Window = tuple[datetime, datetime] | None


def parse_clock(value: str) -> time:
    """``"09:00"`` as a time; ``"24:00"`` (closing at midnight) as :data:`END_OF_DAY`."""
    if value.strip() == "24:00":
        return END_OF_DAY
    return time.fromisoformat(value.strip())


def parse_work_days(value: str) -> frozenset[int]:
    """``"0,1,2,3,4"`` (Monday is 0) as a set of weekday numbers."""
    parts = [part.strip() for part in value.split(",") if part.strip()]
    days = frozenset(int(part) for part in parts if part.isdigit())
    if not days or len(days) != len(set(parts)) or not days <= set(range(7)):
        raise ValueError(f"work days {value!r} must list weekday numbers 0 (Mon) to 6 (Sun)")
    return days


@dataclass(frozen=True)
class WorkingCalendar:
    """Opening hours, working weekdays (Monday is 0) and holidays of one jurisdiction."""

    timezone: str
    work_start: time
    work_end: time
    work_days: frozenset[int]
    holidays: frozenset[date] = frozenset()
    _windows: dict[date, Window] = field(
        default_factory=dict, init=False, repr=False, compare=False, hash=False
    )
    _zone: ZoneInfo = field(init=False, repr=False, compare=False, hash=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_zone", ZoneInfo(self.timezone))
        if not self.work_days or not self.work_days <= set(range(7)):
            raise ValueError("a calendar needs at least one work day, numbered 0 (Mon) to 6 (Sun)")
        if self.work_end != END_OF_DAY and self.work_end <= self.work_start:
            raise ValueError("a calendar's work_end must come after its work_start")

    @classmethod
    def from_model(cls, cal: Calendar, holidays: Iterable[date]) -> WorkingCalendar:
        """The calendar stored in the database, with its holiday dates."""
        return cls(
            timezone=cal.timezone,
            work_start=parse_clock(cal.work_start),
            work_end=parse_clock(cal.work_end),
            work_days=parse_work_days(cal.work_days),
            holidays=frozenset(holidays),
        )

    @property
    def day_hours(self) -> float:
        """Length of a business day on the clock (8.0 for 09:00-17:00): one ``working_day``."""
        start = self.work_start.hour * 3600 + self.work_start.minute * 60 + self.work_start.second
        end = (
            86400
            if self.work_end == END_OF_DAY
            else (self.work_end.hour * 3600 + self.work_end.minute * 60 + self.work_end.second)
        )
        return (end - start) / 3600

    def window(self, day: date) -> Window:
        """The UTC opening and closing instants of ``day``, or None when it is not worked."""
        if day in self._windows:
            return self._windows[day]
        found: Window = None
        if day.weekday() in self.work_days and day not in self.holidays:
            opens = datetime.combine(day, self.work_start, tzinfo=self._zone).astimezone(UTC)
            end_day = day + ONE_DAY if self.work_end == END_OF_DAY else day
            closes = datetime.combine(end_day, self.work_end, tzinfo=self._zone).astimezone(UTC)
            found = (opens, closes) if closes > opens else None
        self._windows[day] = found
        return found

    def local_date(self, instant: datetime) -> date:
        """The calendar day, in the calendar's own zone, on which ``instant`` falls."""
        return instant.astimezone(self._zone).date()


def _require_aware(instant: datetime) -> datetime:
    if instant.tzinfo is None:
        raise ValueError("working-time arithmetic needs timezone-aware datetimes")
    return instant.astimezone(UTC)


def add_working_time(cal: WorkingCalendar, start: datetime, hours: float) -> datetime:
    """The instant ``hours`` business hours after ``start`` (counting from the next opening).

    Zero hours gives ``start`` itself; any positive amount, even one that rounds to no
    microsecond, counts from the next opening, so adding in two steps ends where one step does.
    The result is in UTC.
    """
    if hours < 0:
        raise ValueError("cannot add a negative amount of working time")
    start = _require_aware(start)
    if hours == 0:
        return start
    remaining = timedelta(hours=hours)
    day = cal.local_date(start)
    # Holidays are finite and every week has a work day, so the loop always ends.
    while True:
        window = cal.window(day)
        if window is not None:
            begin = max(window[0], start)
            if begin < window[1]:
                available = window[1] - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += ONE_DAY


def working_hours_between(cal: WorkingCalendar, start: datetime, end: datetime) -> float:
    """Business hours from ``start`` to ``end``; 0 when ``end`` is not after ``start``."""
    start, end = _require_aware(start), _require_aware(end)
    if end <= start:
        return 0.0
    total = timedelta()
    day, last = cal.local_date(start), cal.local_date(end)
    while day <= last:
        window = cal.window(day)
        if window is not None:
            overlap = min(window[1], end) - max(window[0], start)
            if overlap > timedelta():
                total += overlap
        day += ONE_DAY
    return total / timedelta(hours=1)
