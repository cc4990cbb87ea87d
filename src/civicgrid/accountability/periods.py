"""Periods the figures are computed over: a month of the city's calendar, or any date range.

A case belongs to the period in which it was filed (``created_at``), so every rate of a period
is about the same cohort of cases. Months follow the city's time zone, not UTC.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from civicgrid.errors import Invalid

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
FIRST_YEAR, LAST_YEAR = 1900, 2999  # beyond these no case can have been filed


def _check_year(day: date) -> None:
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise Invalid(
            "%(day)s is out of range: give a year from %(first_year)s to %(last_year)s",
            params={"day": day.isoformat(), "first_year": FIRST_YEAR, "last_year": LAST_YEAR},
        )


@dataclass(frozen=True)
class Period:
    """Cases filed from ``start`` (included) to ``end`` (excluded), both aware UTC."""

    start: datetime
    end: datetime
    label: str

    def __post_init__(self) -> None:
        if self.end <= self.start:
            raise Invalid(
                "the period %(label)s is empty: its end must come after its start",
                params={"label": self.label},
                field="to",
            )


def parse_month(text: str) -> date:
    """``"2026-06"`` as the first day of that month; a clear error otherwise."""
    found = _MONTH.match(text.strip())
    if not found or not 1 <= int(found.group(2)) <= 12 or int(found.group(1)) == 0:
        raise Invalid(
            "month '%(text)s' is not a month: write it as YYYY-MM, e.g. 2026-06",
            params={"text": text},
            field="month",
        )
    month = date(int(found.group(1)), int(found.group(2)), 1)
    _check_year(month)
    return month


def next_month(month: date) -> date:
    """The first day of the month after ``month``."""
    return date(month.year + month.month // 12, month.month % 12 + 1, 1)


def local_midnight(day: date, zone: ZoneInfo) -> datetime:
    """The UTC instant at which ``day`` begins in ``zone``."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def month_period(month: date, zone: ZoneInfo) -> Period:
    """The calendar month starting on ``month`` (its first day), in the city's time."""
    first = month.replace(day=1)
    return Period(
        local_midnight(first, zone),
        local_midnight(next_month(first), zone),
        first.strftime("%Y-%m"),
    )


def date_period(start: date, end: date, zone: ZoneInfo) -> Period:
    """The days ``start`` to ``end``, both included, in the city's time."""
    if end < start:
        raise Invalid(
            "the range %(start)s to %(end)s ends before it starts; swap the dates",
            params={"start": start, "end": end},
        )
    _check_year(start)
    _check_year(end)
    following = date.fromordinal(end.toordinal() + 1)
    return Period(local_midnight(start, zone), local_midnight(following, zone), f"{start}/{end}")


def month_of(instant: datetime, zone: ZoneInfo) -> date:
    """The month (its first day) in which ``instant`` falls in the city's time."""
    local = instant.astimezone(zone)
    return date(local.year, local.month, 1)


def months_between(first: date, last: date) -> list[date]:
    """Every month from ``first`` to ``last``, both included (first days of the months)."""
    found, month = [], first.replace(day=1)
    while month <= last:
        found.append(month)
        month = next_month(month)
    return found
