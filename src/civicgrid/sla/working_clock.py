"""Working-time arithmetic on arrays: the deadlines of a million imported cases in one pass.

A calendar's working windows, laid end to end, define W(t): the working time from a fixed
origin to the instant t (it stands still outside working hours). Adding h working hours to
t is then finding the first instant where W reaches W(t) + h: two binary searches per case
instead of a walk over days. Results are exactly those of
:func:`civicgrid.sla.calendar.add_working_time` to the microsecond (see
tests/sla/test_working_clock.py); the windows are the calendar's own, so daylight saving
and holidays are handled the same way.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import numpy.typing as npt

from civicgrid.sla.calendar import ONE_DAY, WorkingCalendar

Instants = npt.NDArray[np.datetime64]
I64 = npt.NDArray[np.int64]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
_GROW = 64
"""Days of windows added at a time when a deadline falls past the last one known."""


def budget_micros(hours: float) -> int:
    """``hours`` as whole microseconds, rounded as ``timedelta(hours=hours)`` rounds them."""
    return timedelta(hours=hours) // _ONE_US


class WorkingClock:
    """The working windows of one calendar over the days needed so far, as arrays."""

    def __init__(self, cal: WorkingCalendar) -> None:
        self.cal = cal
        self.first: date | None = None
        self.last: date | None = None
        self.opens = np.zeros(0, dtype=np.int64)
        self.closes = np.zeros(0, dtype=np.int64)
        self.before = np.zeros(0, dtype=np.int64)
        """Working microseconds in the windows before each window."""

    def add(self, starts: Instants, micros: int | I64) -> Instants:
        """``micros`` (one amount, or one per start) of working time after each of ``starts``.

        NaT stays NaT; zero working time gives the start itself.
        """
        amounts = np.broadcast_to(np.asarray(micros, dtype=np.int64), starts.shape)
        out = starts.astype("datetime64[us]").copy()
        todo = ~np.isnat(starts) & (amounts > 0)
        if not todo.any():
            return out
        at = out[todo].view(np.int64)
        self._cover(int(at.min()), int(at.max()))
        target = self._worked(at) + amounts[todo]
        while self.before[-1] + (self.closes[-1] - self.opens[-1]) < target.max():
            self._grow()
        ends = self.before + (self.closes - self.opens)
        k = np.searchsorted(ends, target, side="left")
        out[todo] = (self.opens[k] + (target - self.before[k])).view("datetime64[us]")
        return out

    def clock_start(self, starts: Instants) -> Instants:
        """The first working instant at or after each of ``starts``, where the clock starts."""
        valid = ~np.isnat(starts)
        out = starts.astype("datetime64[us]").copy()
        if not valid.any():
            return out
        at = out[valid].view(np.int64)
        self._cover(int(at.min()), int(at.max()))
        while self.opens[-1] <= at.max():
            self._grow()
        k = np.searchsorted(self.opens, at, side="right") - 1
        inside = (k >= 0) & (at < self.closes[np.maximum(k, 0)])
        out[valid] = np.where(inside, at, self.opens[k + 1]).view("datetime64[us]")
        return out

    def _worked(self, at: I64) -> I64:
        """W(at): working microseconds from the first window known to each instant."""
        k = np.searchsorted(self.opens, at, side="right") - 1
        inside = np.clip(at - self.opens[np.maximum(k, 0)], 0, None)
        length = self.closes - self.opens
        worked = self.before[np.maximum(k, 0)] + np.minimum(inside, length[np.maximum(k, 0)])
        return np.where(k >= 0, worked, 0)

    def _cover(self, earliest: int, latest: int) -> None:
        """Know the windows from the day of ``earliest`` to past the day of ``latest``."""
        first = self.cal.local_date(_EPOCH + earliest * _ONE_US)
        last = self.cal.local_date(_EPOCH + latest * _ONE_US) + ONE_DAY
        if self.first is None or first < self.first:
            self._rebuild(first, max(last, self.last or last))
        while self.last is not None and self.last < last:
            self._grow()
        while not len(self.opens):
            self._grow()

    def _rebuild(self, first: date, last: date) -> None:
        self.first, self.last = first, first - ONE_DAY
        self.opens = self.closes = self.before = np.zeros(0, dtype=np.int64)
        self._extend(last)

    def _grow(self) -> None:
        assert self.last is not None
        self._extend(self.last + timedelta(days=_GROW))

    def _extend(self, until: date) -> None:
        """Add the windows of the days after :attr:`last` up to ``until``."""
        assert self.last is not None
        opens, closes = [], []
        day = self.last + ONE_DAY
        while day <= until:
            window = self.cal.window(day)
            if window is not None:
                opens.append((window[0] - _EPOCH) // _ONE_US)
                closes.append((window[1] - _EPOCH) // _ONE_US)
            day += ONE_DAY
        self.last = until
        new_opens = np.array(opens, dtype=np.int64)
        new_closes = np.array(closes, dtype=np.int64)
        so_far = int(self.before[-1] + self.closes[-1] - self.opens[-1]) if len(self.opens) else 0
        lengths = new_closes - new_opens
        self.before = np.concatenate([self.before, so_far + np.cumsum(lengths) - lengths])
        self.opens = np.concatenate([self.opens, new_opens])
        self.closes = np.concatenate([self.closes, new_closes])
