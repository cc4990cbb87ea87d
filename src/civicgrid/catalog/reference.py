"""The reference data every filing reads, cached per process under one token.

Categories with their questions, the routing table, SLA policies with their working
calendars, the triage settings and whether a triage model serves: administrators change
them rarely, and every filing reads them. Each process keeps them in memory under the token
of the ``reference_version`` row, which every ORM write to one of their tables replaces in
the same transaction (the session hooks in :mod:`civicgrid.catalog.models`). A filing reads
the token once per transaction, in one statement with the grid's change key (Open311 adds
its API key check to that statement), so an administrator's change, from the API, the web
pages or the CLI, takes effect on the next filing in every process. Writes that bypass the
ORM (raw SQL, Core statements on a Table) must call ``bump_reference_version`` themselves.

Tokens are random, never counted up: a token that was rolled back never comes again, so what
a transaction cached under its own uncommitted token can never be served to another one.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfoNotFoundError

from sqlalchemy import Select, Subquery, select
from sqlalchemy.orm import Session

from civicgrid.catalog.models import (
    REFERENCE_ROW,
    STAMP_INFO,
    Category,
    CategoryQuestion,
    ReferenceVersion,
)
from civicgrid.catalog.routing import Router
from civicgrid.catalog.service import unknown_category
from civicgrid.errors import Invalid
from civicgrid.grid.placement import GridKey, grid_key, grid_key_columns
from civicgrid.sla.calendar import WorkingCalendar
from civicgrid.sla.models import Calendar, Holiday, SlaPolicy
from civicgrid.triage.models import CategoryTriage, TriageModel


@dataclass(frozen=True)
class Stamp:
    """What the cached reference data is valid for: the token and the grid's change key."""

    token: str | None
    grid_key: GridKey


@functools.cache
def stamp_subquery() -> Subquery:
    """One row (token, area count, highest area id, latest area change), to join to a query."""
    token = (
        select(ReferenceVersion.token)
        .where(ReferenceVersion.id == REFERENCE_ROW)
        .scalar_subquery()
        .label("reference_token")
    )
    names = ("area_count", "area_max_id", "area_changed")
    grid = (column.label(name) for column, name in zip(grid_key_columns(), names, strict=True))
    return select(token, *grid).subquery("reference_stamp")


def remember(session: Session, values: Sequence[Any]) -> Stamp:
    """Keep the stamp read through :func:`stamp_subquery` for the rest of the transaction."""
    token, count, max_id, changed = values
    found = Stamp(token, grid_key(count, max_id, changed))
    session.info[STAMP_INFO] = found
    return found


def stamp(session: Session) -> Stamp:
    """The stamp of the session's transaction: read once, then kept until it ends."""
    found = session.info.get(STAMP_INFO)
    if isinstance(found, Stamp):
        return found
    return remember(session, tuple(session.execute(_stamp_query()).one()))


@functools.cache
def _stamp_query() -> Select[Any]:
    return select(stamp_subquery())


@dataclass(frozen=True)
class QuestionTerms:
    """A category question (an Open311 attribute), as filings check answers against it."""

    code: str
    datatype: str
    required: bool
    variable: bool
    description: str
    values: tuple[Mapping[str, Any], ...]


@dataclass(frozen=True)
class CategoryTerms:
    """What a filing needs of a category: its id, code, name, whether it is open, questions."""

    id: int
    code: str
    name: str
    active: bool
    questions: tuple[QuestionTerms, ...]


@dataclass(frozen=True)
class PolicyTerms:
    """An SLA policy's deadlines, with its working calendar (or why it cannot be used)."""

    id: int
    unit: str
    first_response: float
    resolution: float
    calendar: WorkingCalendar | None
    calendar_problem: Mapping[str, str] | None = None
    """Why the calendar cannot be used: the parameters of the error below."""

    def working_calendar(self) -> WorkingCalendar:
        """The calendar, or the error an administrator must fix before deadlines work."""
        if self.calendar is None:
            raise Invalid(
                "calendar '%(cal_name)s' cannot be used: %(exc)s; fix its time zone, hours or "
                "work days",
                params=self.calendar_problem,
            )
        return self.calendar


@dataclass(frozen=True)
class DuplicateTerms:
    """A category's own duplicate rules (None: the instance defaults)."""

    rings: int | None
    window_hours: float | None
    related: frozenset[str]


@dataclass(frozen=True)
class Reference:
    """The reference data as of one stamp."""

    stamp: Stamp
    categories: Mapping[str, CategoryTerms]
    router: Router
    policies: Mapping[int | None, PolicyTerms]
    category_codes: Mapping[int, str]
    """Every category's code by id, retired ones included."""
    duplicate_terms: Mapping[int, DuplicateTerms]
    serving_model_id: int | None

    def category_or_raise(self, code: str) -> CategoryTerms:
        """The category with this code (Open311 service_code), as catalog.service says it."""
        found = self.categories.get(code)
        if found is None:
            raise unknown_category(code)
        return found

    def policy_for(self, category_id: int) -> PolicyTerms | None:
        """The category's own policy, else the default policy, else None (sla.policy_for)."""
        return self.policies.get(category_id) or self.policies.get(None)


_lock = threading.Lock()
_cache: dict[str, Reference] = {}


def current(session: Session) -> Reference:
    """The reference data for the session's transaction: cached while the stamp holds."""
    found = stamp(session)
    key = str(session.get_bind().engine.url)
    with _lock:
        cached = _cache.get(key)
    if cached is not None and found.token is not None and cached.stamp == found:
        return cached
    loaded = load(session, found)
    if found.token is not None:  # no version row (a schema not built by migrations): no cache
        with _lock:
            _cache[key] = loaded
    return loaded


def load(session: Session, found: Stamp) -> Reference:
    """Read every piece of the reference data from the database."""
    serving = session.scalar(
        select(TriageModel.id).where(
            TriageModel.status == "serving", TriageModel.approved_at.is_not(None)
        )
    )
    categories = _categories(session)
    return Reference(
        stamp=found,
        categories=categories,
        category_codes={c.id: c.code for c in categories.values()},
        router=Router.load(session),
        policies=_policies(session),
        duplicate_terms={
            row.category_id: DuplicateTerms(
                row.duplicate_rings, row.duplicate_window_hours, frozenset(row.related_categories)
            )
            for row in session.scalars(select(CategoryTriage))
        },
        serving_model_id=serving,
    )


def _categories(session: Session) -> dict[str, CategoryTerms]:
    questions: dict[int, list[QuestionTerms]] = {}
    for q in session.scalars(
        select(CategoryQuestion).order_by(CategoryQuestion.order, CategoryQuestion.id)
    ):
        terms = QuestionTerms(
            q.code, q.datatype, q.required, q.variable, q.description, _copies(q.values)
        )
        questions.setdefault(q.category_id, []).append(terms)
    rows = session.execute(select(Category.id, Category.code, Category.name, Category.active))
    return {
        code: CategoryTerms(cid, code, name, active, tuple(questions.get(cid, ())))
        for cid, code, name, active in rows
    }


def _copies(values: Sequence[Mapping[str, Any]] | None) -> tuple[Mapping[str, Any], ...]:
    # Copies: the cache outlives the session whose rows these dicts belong to.
    return tuple(dict(value) for value in values or ())


def _policies(session: Session) -> dict[int | None, PolicyTerms]:
    holidays: dict[int, list[Any]] = {}
    for calendar_id, day in session.execute(select(Holiday.calendar_id, Holiday.day)):
        holidays.setdefault(calendar_id, []).append(day)
    calendars = {
        cal.id: _calendar(cal, holidays.get(cal.id, ()))
        for cal in session.scalars(select(Calendar))
    }
    return {
        p.category_id: PolicyTerms(
            p.id, p.unit, p.first_response, p.resolution, *calendars[p.calendar_id]
        )
        for p in session.scalars(select(SlaPolicy))
    }


def _calendar(
    cal: Calendar, days: Sequence[Any]
) -> tuple[WorkingCalendar | None, Mapping[str, str] | None]:
    try:
        return WorkingCalendar.from_model(cal, days), None
    except (ValueError, ZoneInfoNotFoundError) as exc:
        return None, {"cal_name": cal.name, "exc": str(exc)}
