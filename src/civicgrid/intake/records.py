"""Turn checked rows into cases: deadlines, timeline, breaches as they happened, as columns."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from json.encoder import encode_basestring_ascii

import numpy as np
import numpy.typing as npt
from sqlalchemy.orm import Session

from civicgrid.cases.columns import (
    NAT,
    NO_ID,
    CaseColumns,
    EventColumns,
    Instants,
    IntArray,
    pick,
)
from civicgrid.intake.columns import ParsedRows
from civicgrid.intake.rows import DONE
from civicgrid.sla import service as sla
from civicgrid.sla.calendar import WorkingCalendar
from civicgrid.sla.working_clock import WorkingClock, budget_micros

BoolArray = npt.NDArray[np.bool_]
_CLOCKS = ("first_response_due", "first_response_warn_at", "resolution_due", "resolution_warn_at")


@dataclass(frozen=True)
class Deadlines:
    """Each case's policy (NO_ID: none) and the four instants it sets (NaT without policy)."""

    policy_id: IntArray
    first_response_due: Instants
    first_response_warn_at: Instants
    resolution_due: Instants
    resolution_warn_at: Instants


@dataclass(frozen=True)
class _Budget:
    policy_id: int
    clock: WorkingClock
    first_response: float
    resolution: float

    @property
    def positive(self) -> bool:
        """True when every amount is above zero (zero hours due at once, even out of hours)."""
        return min(self.first_response, self.resolution) > 0

    def micros(self, fraction: float) -> list[int]:
        """First response, its warning, resolution, its warning: working microseconds."""
        return [
            budget_micros(self.first_response),
            budget_micros(self.first_response * fraction),
            budget_micros(self.resolution),
            budget_micros(self.resolution * fraction),
        ]


class DeadlineBook:
    """Deadlines per category and creation time; policies and calendars looked up once."""

    def __init__(
        self,
        session: Session,
        *,
        warning_fraction: float,
        lock: AbstractContextManager[object] | None = None,
    ) -> None:
        self.session, self.fraction = session, warning_fraction
        self.lock = lock or nullcontext()
        self.budgets: dict[int, _Budget | None] = {}
        self.clocks: dict[int, WorkingClock] = {}

    def for_cases(self, category_ids: IntArray, created: Instants) -> Deadlines:
        """The deadlines of cases of ``category_ids`` filed at ``created``."""
        n = len(category_ids)
        due = {name: np.full(n, NAT) for name in _CLOCKS}
        categories, which = np.unique(category_ids, return_inverse=True)
        budgets = [self._budget(c) for c in categories.tolist()]
        policy = np.array([NO_ID if b is None else b.policy_id for b in budgets], np.int64)
        policy = policy[which.reshape(-1)]
        # Amounts per policy, in microseconds, then per case: one pass per calendar.
        known = {b.policy_id: b for b in budgets if b is not None}
        for clock in {id(b.clock): b.clock for b in known.values()}.values():
            mine = sorted((b for b in known.values() if b.clock is clock), key=_policy_id)
            rows = np.flatnonzero(np.isin(policy, [b.policy_id for b in mine]))
            slot = np.searchsorted(np.array([b.policy_id for b in mine]), policy[rows])
            amounts = np.array([b.micros(self.fraction) for b in mine], dtype=np.int64)
            start = created[rows]
            positive = np.array([b.positive for b in mine], dtype=bool)[slot]
            if positive.any():  # a case filed out of hours is due as one filed at the opening
                start = np.where(positive, clock.clock_start(start), start)
            for j, name in enumerate(_CLOCKS):
                due[name][rows] = clock.add(start, amounts[slot, j])
        return Deadlines(policy_id=policy, **due)

    def _budget(self, category_id: int) -> _Budget | None:
        if category_id not in self.budgets:
            with self.lock:
                policy = sla.policy_for(self.session, category_id=category_id)
                budget = None
                if policy is not None:
                    cal = sla.working_calendar(self.session, policy.calendar_id)
                    budget = _Budget(
                        policy_id=policy.id,
                        clock=self._clock(policy.calendar_id, cal),
                        first_response=sla.budget_hours(
                            cal, unit=policy.unit, amount=policy.first_response
                        ),
                        resolution=sla.budget_hours(
                            cal, unit=policy.unit, amount=policy.resolution
                        ),
                    )
            self.budgets[category_id] = budget
        return self.budgets[category_id]

    def _clock(self, calendar_id: int, cal: WorkingCalendar) -> WorkingClock:
        if calendar_id not in self.clocks:
            self.clocks[calendar_id] = WorkingClock(cal)
        return self.clocks[calendar_id]


@dataclass(frozen=True)
class Placed:
    """Where a batch's cases lie: as :class:`~civicgrid.cases.columns.CaseColumns` holds it."""

    area_id: IntArray
    level_ids: IntArray
    areas: IntArray
    h3_cell: list[str | None]


@dataclass(frozen=True)
class _History:
    """What each row's status implies happened, and when (NaT: it did not happen)."""

    moved: BoolArray
    """The status moved on from new."""
    done: BoolArray
    """Resolved or closed."""
    closed: BoolArray
    at: Instants
    """The first move: at the closing time, else the last update, else the filing."""
    replied: BoolArray
    reply_at: Instants

    @classmethod
    def of(cls, rows: ParsedRows) -> _History:
        done = np.array([s in DONE for s in rows.status], dtype=bool)
        moved = np.array([s != "new" for s in rows.status], dtype=bool)
        updated = np.where(np.isnat(rows.updated), rows.created, rows.updated)
        at = np.where(done, rows.closed, updated)
        return cls(
            moved=moved,
            done=done,
            closed=np.array([s == "closed" for s in rows.status], dtype=bool),
            at=at,
            replied=np.array([bool(r) for r in rows.resolution], dtype=bool),
            reply_at=np.where(moved, at, updated),
        )


def case_columns(
    rows: ParsedRows,
    *,
    source: str,
    category_id: IntArray,
    department_id: IntArray,
    placed: Placed,
    deadlines: Deadlines,
) -> CaseColumns:
    """The cases as the source's history left them, with timelines rebuilt from the rows."""
    past = _History.of(rows)
    first_response = np.where(past.moved, past.at, NAT)
    resolved = np.where(past.done, past.at, NAT)
    last_event = np.where(past.moved, past.at, np.where(past.replied, past.reply_at, NAT))
    return CaseColumns(
        category_id=category_id,
        department_id=department_id,
        channel=rows.channel,
        created_at=rows.created,
        status=rows.status,
        title=rows.title,
        description=rows.description,
        lat=rows.lat,
        lon=rows.lon,
        address=rows.address,
        area_id=placed.area_id,
        level_ids=placed.level_ids,
        areas=placed.areas,
        h3_cell=placed.h3_cell,
        attributes=rows.attributes,
        source=[source] * len(rows),
        external_id=list(rows.external_id),
        first_response_at=first_response,
        resolved_at=resolved,
        closed_at=np.where(past.closed, past.at, NAT),
        sla_policy_id=deadlines.policy_id,
        first_response_due=deadlines.first_response_due,
        first_response_warn_at=deadlines.first_response_warn_at,
        resolution_due=deadlines.resolution_due,
        resolution_warn_at=deadlines.resolution_warn_at,
        # Clocks that stopped say whether that was late; open clocks are the sweep's to judge.
        first_response_warned=first_response > deadlines.first_response_warn_at,
        first_response_breached=first_response > deadlines.first_response_due,
        resolution_warned=resolved > deadlines.resolution_warn_at,
        resolution_breached=resolved > deadlines.resolution_due,
        updated_at=np.where(last_event > rows.created, last_event, rows.created),
        events=timeline(rows, source=source, past=past),
    )


def timeline(rows: ParsedRows, *, source: str, past: _History) -> EventColumns:
    """filed; then the moves the status implies, at the closed (or last updated) time.

    Entries are listed kind by kind in the order they happen within a case: filed, the first
    move, the reply, the closing (the writer keeps that order within each case).
    """
    actor = f"import:{source}"[:100]
    n = len(rows)
    everyone = np.arange(n, dtype=np.int64)
    first_move = np.flatnonzero(past.moved)
    reply = np.flatnonzero(past.replied)
    closing = np.flatnonzero(past.closed)
    first_to: list[str | None] = [
        "resolved" if d else s for s, d in zip(rows.status, past.done.tolist(), strict=True)
    ]
    channels = {c: encode_basestring_ascii(c) for c in set(rows.channel)}
    data = [
        f'{{"channel": {channels[c]}, "external_id": {encode_basestring_ascii(e)}}}'
        for c, e in zip(rows.channel, rows.external_id, strict=True)
    ]
    at, reply_at = past.at, past.reply_at
    blocks = [
        _Block(everyone, "filed", rows.created[everyone], None, ["new"] * n,
               ["Report received."] * n, data),
        _Block(first_move, "status_changed", at[first_move], "new", pick(first_to, first_move),
               [""] * len(first_move)),
        _Block(reply, "reply", reply_at[reply], None, [None] * len(reply),
               pick(rows.resolution, reply)),
        _Block(closing, "status_changed", at[closing], "resolved", ["closed"] * len(closing),
               [""] * len(closing)),
    ]  # fmt: skip
    return EventColumns(
        case=np.concatenate([b.cases for b in blocks]),
        kind=[b.kind for b in blocks for _ in range(len(b.cases))],
        created_at=np.concatenate([b.times for b in blocks]),
        from_status=[b.from_status for b in blocks for _ in range(len(b.cases))],
        to_status=[status for b in blocks for status in b.to_status],
        public=np.ones(sum(len(b.cases) for b in blocks), dtype=bool),
        body=[text for b in blocks for text in b.body],
        actor=[actor] * sum(len(b.cases) for b in blocks),
        data=[d for b in blocks for d in (b.data or ["{}"] * len(b.cases))],
    )


@dataclass(frozen=True)
class _Block:
    """Timeline entries of one kind: for the cases at ``cases``, at ``times``."""

    cases: IntArray
    kind: str
    times: Instants
    from_status: str | None
    to_status: Sequence[str | None]
    body: Sequence[str]
    data: Sequence[str] | None = None


def _policy_id(budget: _Budget) -> int:
    return budget.policy_id
