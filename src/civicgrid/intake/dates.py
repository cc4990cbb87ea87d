"""A column of a file's date-times read at once: ISO 8601 with numpy, the rest one by one.

Exports write millions of local times such as ``2026-06-28T03:05:20.000``. Values of exactly
the ISO shapes ``YYYY-MM-DD``, ``...THH:MM``, ``...:SS``, ``...:SS.fff`` and ``...:SS.ffffff``
(``T`` or a space between date and time) are read digit by digit with array arithmetic and
checked (months, days of the month, hours, minutes, seconds); anything else, and any value
that fails a check, goes through :class:`~civicgrid.intake.rows.DateParser`, which reads it or
says why not. The local times become UTC with one zone lookup per hour of the wall clock,
checked at both ends of the hour, so daylight-saving changes give exactly what
``DateParser`` gives.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt

from civicgrid.intake.rows import DateParser

Instants = npt.NDArray[np.datetime64]
BoolArray = npt.NDArray[np.bool_]

_LENGTHS = (10, 16, 19, 23, 26)
"""Lengths of the ISO local date-time shapes read here."""
_HOUR_US = 3_600_000_000
_NAIVE_EPOCH = datetime(1970, 1, 1)  # noqa: DTZ001 (wall-clock arithmetic, zone added after)
_LAST_US = timedelta(hours=1, microseconds=-1)
_ONE_US = timedelta(microseconds=1)
_OFFSET_CACHE_LIMIT = 100_000


class DateColumn:
    """Reads columns of date-times of one file (its zone and formats) into UTC arrays."""

    def __init__(self, parser: DateParser) -> None:
        self.parser = parser
        self.zone: ZoneInfo = parser.zone
        self.offsets: dict[int, int | None] = {}
        """Wall-clock hour -> UTC offset in microseconds, None when it changes in the hour."""

    def parse(self, texts: Sequence[str]) -> tuple[Instants, BoolArray]:
        """Stripped values as UTC instants (NaT when empty), and where a value is no date."""
        n = len(texts)
        out = np.full(n, np.datetime64("NaT"), dtype="datetime64[us]")
        failed = np.zeros(n, dtype=bool)
        lengths = np.fromiter(map(len, texts), dtype=np.int64, count=n)
        done = lengths == 0
        for length in _LENGTHS:
            rows = np.flatnonzero(lengths == length)
            if len(rows):
                local, ok = _iso_local([texts[i] for i in rows.tolist()], length)
                out[rows[ok]] = self._to_utc(local[ok])
                done[rows[ok]] = True
        for i in np.flatnonzero(~done).tolist():
            found = self.parser.parse(texts[i])
            if found is None:
                failed[i] = True
            else:
                out[i] = np.datetime64(found.replace(tzinfo=None), "us")
        return out, failed

    def _to_utc(self, micros: npt.NDArray[np.int64]) -> Instants:
        """Wall-clock times of the zone as UTC (an ambiguous time is its first occurrence)."""
        hours, where = np.unique(micros // _HOUR_US, return_inverse=True)
        offsets = np.array([self._offset(h) for h in hours.tolist()], dtype=object)
        changing = np.array([o is None for o in offsets.tolist()], dtype=bool)
        per_hour = np.where(changing, 0, offsets).astype(np.int64)
        utc = micros - per_hour[where.reshape(-1)]
        for i in np.flatnonzero(changing[where.reshape(-1)]).tolist():
            wall = _NAIVE_EPOCH + int(micros[i]) * _ONE_US
            utc[i] = micros[i] - wall.replace(tzinfo=self.zone).utcoffset() // _ONE_US  # type: ignore[operator]
        return utc.view("datetime64[us]")

    def _offset(self, hour: int) -> int | None:
        if hour in self.offsets:
            return self.offsets[hour]
        start = _NAIVE_EPOCH + timedelta(hours=hour)
        first = start.replace(tzinfo=self.zone).utcoffset()
        last = (start + _LAST_US).replace(tzinfo=self.zone).utcoffset()
        assert first is not None
        assert last is not None
        value = first // _ONE_US if first == last else None
        if len(self.offsets) >= _OFFSET_CACHE_LIMIT:
            self.offsets.clear()
        self.offsets[hour] = value
        return value


def _iso_local(texts: list[str], length: int) -> tuple[npt.NDArray[np.int64], BoolArray]:
    """Microseconds since 1970 of ISO local date-times all ``length`` long; where they are."""
    codes = np.array(texts, dtype=f"U{length}").view(np.uint32).reshape(len(texts), length)
    digits = codes.astype(np.int64) - ord("0")

    def number(first: int, end: int) -> npt.NDArray[np.int64]:
        value = np.zeros(len(texts), dtype=np.int64)
        for k in range(first, end):
            value = value * 10 + digits[:, k]
        return value

    numeric = [k for k in range(length) if k not in _SEPARATORS]
    ok = ((digits[:, numeric] >= 0) & (digits[:, numeric] <= 9)).all(axis=1)
    for position, allowed in _SEPARATORS.items():
        if position < length:
            ok &= np.isin(codes[:, position], [ord(c) for c in allowed])
    year, month, day = number(0, 4), number(5, 7), number(8, 10)
    hour = number(11, 13) if length >= 16 else 0
    minute = number(14, 16) if length >= 16 else 0
    second = number(17, 19) if length >= 19 else 0
    micro = number(20, length) * 10 ** (26 - length) if length >= 23 else 0
    month_ok = (month >= 1) & (month <= 12)
    ok &= (year >= 1) & month_ok & (day >= 1) & (hour < 24) & (minute < 60) & (second < 60)
    ok &= day <= _month_days(year, np.where(month_ok, month, 1))
    days = _days_from_civil(year, month, day)
    return (((days * 24 + hour) * 60 + minute) * 60 + second) * 1_000_000 + micro, ok


_SEPARATORS = {4: "-", 7: "-", 10: "T ", 13: ":", 16: ":", 19: "."}
_DAYS = np.array([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31], dtype=np.int64)


def _month_days(year: npt.NDArray[np.int64], month: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    leap = ((year % 4 == 0) & (year % 100 != 0)) | (year % 400 == 0)
    days: npt.NDArray[np.int64] = _DAYS[month - 1] + ((month == 2) & leap)
    return days


def _days_from_civil(
    year: npt.NDArray[np.int64], month: npt.NDArray[np.int64], day: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Days since 1970-01-01 of proleptic Gregorian dates (H. Hinnant's days_from_civil)."""
    y = year - (month <= 2)
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (month + np.where(month > 2, -3, 9)) + 2) // 5 + day - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    days: npt.NDArray[np.int64] = era * 146097 + doe - 719468
    return days
