"""Turn a checked source row into a case record: deadlines, timeline, breaches as they happened."""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from civicgrid.cases.bulk import CaseRecord, EventRecord
from civicgrid.intake.rows import DONE, SourceRow
from civicgrid.sla import service as sla
from civicgrid.sla.calendar import ONE_DAY, WorkingCalendar, add_working_time

_CACHE_LIMIT = 500_000


@dataclass(frozen=True, slots=True)
class Deadlines:
    """A case's policy and the four instants it sets, counted from the case's creation."""

    policy_id: int
    first_response_due: datetime
    first_response_warn_at: datetime
    resolution_due: datetime
    resolution_warn_at: datetime


@dataclass(frozen=True, slots=True)
class _Budget:
    policy_id: int
    calendar: WorkingCalendar
    first_response: float
    resolution: float

    @property
    def positive(self) -> bool:
        """True when every amount is above zero (zero hours due at once, even out of hours)."""
        return min(self.first_response, self.resolution) > 0


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
        self.cache: dict[tuple[int, datetime], Deadlines] = {}

    def for_case(self, category_id: int, created: datetime) -> Deadlines | None:
        """The deadlines of a case of ``category_id`` filed at ``created``; None without policy."""
        budget = self._budget(category_id)
        if budget is None:
            return None
        cal, fraction = budget.calendar, self.fraction
        # Deadlines of a case filed out of hours are those of one filed at the next opening:
        # keyed by that instant, a night's or a weekend's cases share one computation.
        start = _clock_start(cal, created) if budget.positive else created
        key = (budget.policy_id, start)
        found = self.cache.get(key)
        if found is None:
            found = Deadlines(
                policy_id=budget.policy_id,
                first_response_due=add_working_time(cal, start, budget.first_response),
                first_response_warn_at=add_working_time(
                    cal, start, budget.first_response * fraction
                ),
                resolution_due=add_working_time(cal, start, budget.resolution),
                resolution_warn_at=add_working_time(cal, start, budget.resolution * fraction),
            )
            if len(self.cache) >= _CACHE_LIMIT:
                self.cache.clear()
            self.cache[key] = found
        return found

    def _budget(self, category_id: int) -> _Budget | None:
        if category_id not in self.budgets:
            with self.lock:
                policy = sla.policy_for(self.session, category_id=category_id)
                budget = None
                if policy is not None:
                    cal = sla.working_calendar(self.session, policy.calendar_id)
                    budget = _Budget(
                        policy_id=policy.id,
                        calendar=cal,
                        first_response=sla.budget_hours(
                            cal, unit=policy.unit, amount=policy.first_response
                        ),
                        resolution=sla.budget_hours(
                            cal, unit=policy.unit, amount=policy.resolution
                        ),
                    )
            self.budgets[category_id] = budget
        return self.budgets[category_id]


def _clock_start(cal: WorkingCalendar, instant: datetime) -> datetime:
    """The first working instant at or after ``instant``, where working time starts to count."""
    day = cal.local_date(instant)
    while True:
        window = cal.window(day)
        if window is not None and instant < window[1]:
            return max(window[0], instant)
        day += ONE_DAY


def to_record(
    row: SourceRow,
    *,
    source: str,
    category_id: int,
    department_id: int,
    areas: Sequence[tuple[int, int]],
    h3_cell: str | None,
    deadlines: Deadlines | None,
) -> CaseRecord:
    """The case as the source's history left it, with its timeline rebuilt from the row."""
    record = CaseRecord(
        category_id=category_id,
        department_id=department_id,
        channel=row.channel,
        created_at=row.created,
        status=row.status,
        title=row.title,
        description=row.description,
        lat=row.lat,
        lon=row.lon,
        address=row.address,
        areas=areas,
        h3_cell=h3_cell,
        attributes=row.attributes,
        source=source,
        external_id=row.external_id,
    )
    _timeline(record, row, actor=f"import:{source}"[:100])
    if deadlines is not None:
        _deadlines(record, deadlines)
    return record


def _timeline(record: CaseRecord, row: SourceRow, *, actor: str) -> None:
    """filed; then the moves the status implies, at the closed (or last updated) time."""
    events = record.events
    events.append(
        EventRecord(
            kind="filed",
            created_at=row.created,
            to_status="new",
            public=True,
            body="Report received.",
            actor=actor,
            data={"channel": row.channel, "external_id": row.external_id},
        )
    )
    if row.status == "new":
        if row.resolution:
            events.append(_reply(row, row.updated or row.created, actor))
        return
    moved_at = (row.closed if row.status in DONE else row.updated) or row.created
    first = "resolved" if row.status in DONE else row.status
    events.append(_moved("new", first, moved_at, actor))
    record.first_response_at = moved_at
    if row.resolution:
        events.append(_reply(row, moved_at, actor))
    if row.status in DONE:
        record.resolved_at = moved_at
    if row.status == "closed":
        events.append(_moved("resolved", "closed", moved_at, actor))
        record.closed_at = moved_at


def _moved(from_status: str, to_status: str, at: datetime, actor: str) -> EventRecord:
    return EventRecord(
        kind="status_changed",
        created_at=at,
        from_status=from_status,
        to_status=to_status,
        public=True,
        actor=actor,
    )


def _reply(row: SourceRow, at: datetime, actor: str) -> EventRecord:
    return EventRecord(kind="reply", created_at=at, public=True, body=row.resolution, actor=actor)


def _deadlines(record: CaseRecord, deadlines: Deadlines) -> None:
    """Set the deadlines, and for clocks that stopped, whether they were warned or breached."""
    record.sla_policy_id = deadlines.policy_id
    record.first_response_due = deadlines.first_response_due
    record.first_response_warn_at = deadlines.first_response_warn_at
    record.resolution_due = deadlines.resolution_due
    record.resolution_warn_at = deadlines.resolution_warn_at
    # Open clocks are left to the deadline sweep, which also writes their warning events.
    if record.first_response_at is not None:
        record.first_response_breached = record.first_response_at > deadlines.first_response_due
        record.first_response_warned = record.first_response_at > deadlines.first_response_warn_at
    if record.resolved_at is not None:
        record.resolution_breached = record.resolved_at > deadlines.resolution_due
        record.resolution_warned = record.resolved_at > deadlines.resolution_warn_at
