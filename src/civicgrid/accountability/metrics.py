"""The rates: counted in SQL over the cases filed in a period, grouped by department, area
(any level, through ``case_areas``), category, channel or the whole city.

Every definition is in docs/metrics.md; the SQL below is its one implementation. Percentiles
of the durations are PostgreSQL's ``percentile_cont`` there, and the same interpolation in
Python over a streamed column on SQLite.
"""

from __future__ import annotations

from array import array
from collections import defaultdict
from dataclasses import dataclass, fields
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    and_,
    case,
    func,
    or_,
    select,
    text,
    tuple_,
)
from sqlalchemy.dialects.postgresql import array as pg_array
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import QueryableAttribute, Session
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.functions import FunctionElement

from civicgrid.accountability.periods import Period
from civicgrid.accountability.stats import Rate, percentile, wilson
from civicgrid.cases.models import Case, CaseArea
from civicgrid.errors import Invalid

DIMENSIONS = ("city", "department", "area", "category", "channel")
RATES = ("response", "resolution", "on_time", "satisfaction", "reopen")
# Each rate as (numerator count, denominator count).
RATE_PARTS = {
    "response": ("response_on_time", "response_due"),
    "resolution": ("resolved", "resolution_due"),
    "on_time": ("resolved_on_time", "resolution_due"),
    "satisfaction": ("satisfied", "rated"),
    "reopen": ("reopened", "settled"),
}
DURATIONS = ("response", "resolution")
STREAM_ROWS = 50_000
SORT_MEMORY_MB = 64


class hours_between(FunctionElement[float]):  # noqa: N801 - a SQL function, named like one
    """``end - start`` in hours (wall-clock), NULL when either is NULL."""

    type = Float()
    name = "hours_between"
    inherit_cache = True


@compiles(hours_between, "postgresql")
def _hours_pg(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    end, start = (compiler.process(c, **kw) for c in element.clauses)
    # date_part gives a double; EXTRACT gives a numeric, whose arithmetic is far slower.
    return f"(date_part('epoch', {end} - {start}) / 3600.0)"


@compiles(hours_between, "sqlite")
def _hours_sqlite(element: hours_between, compiler: SQLCompiler, **kw: Any) -> str:
    end, start = (compiler.process(c, **kw) for c in element.clauses)
    return f"((julianday({end}) - julianday({start})) * 24.0)"


@dataclass
class Figures:
    """One unit's counts and durations (hours) over a period; the rates derive from them."""

    cases: int = 0
    response_due: int = 0
    response_on_time: int = 0
    resolution_due: int = 0
    resolved: int = 0
    resolved_on_time: int = 0
    rated: int = 0
    satisfied: int = 0
    settled: int = 0
    reopened: int = 0
    response_n: int = 0
    response_p50: float | None = None
    response_p90: float | None = None
    resolution_n: int = 0
    resolution_p50: float | None = None
    resolution_p90: float | None = None

    def rate(self, name: str) -> Rate:
        """The rate ``name`` (one of RATES) with its sample size and Wilson interval."""
        numerator, denominator = RATE_PARTS[name]
        return wilson(getattr(self, numerator), getattr(self, denominator))

    def rates(self) -> dict[str, Rate]:
        """Every rate by name."""
        return {name: self.rate(name) for name in RATES}

    def as_dict(self) -> dict[str, Any]:
        """The counts and durations as plain values (for storing and JSON)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


COUNTS = (
    "cases",
    "response_due",
    "response_on_time",
    "resolution_due",
    "resolved",
    "resolved_on_time",
    "rated",
    "satisfied",
    "settled",
    "reopened",
)


def count_conditions() -> dict[str, ColumnElement[bool]]:
    """The condition each counted case meets, by count name (``cases`` counts every case)."""
    responded = Case.first_response_at.is_not(None)
    resolved = Case.resolved_at.is_not(None)
    has_response_deadline = Case.first_response_due.is_not(None)
    has_resolution_deadline = Case.resolution_due.is_not(None)
    return {
        "response_due": and_(
            has_response_deadline, or_(responded, Case.first_response_breached.is_(True))
        ),
        "response_on_time": and_(
            has_response_deadline, responded, Case.first_response_at <= Case.first_response_due
        ),
        "resolution_due": and_(
            has_resolution_deadline, or_(resolved, Case.resolution_breached.is_(True))
        ),
        "resolved": and_(has_resolution_deadline, resolved),
        "resolved_on_time": and_(
            has_resolution_deadline, resolved, Case.resolved_at <= Case.resolution_due
        ),
        "rated": Case.rating.is_not(None),
        "satisfied": Case.rating >= 4,
        "settled": or_(resolved, Case.closed_at.is_not(None), Case.reopen_count > 0),
        "reopened": Case.reopen_count > 0,
    }


def duration_columns() -> dict[str, ColumnElement[float]]:
    """Hours from filing to the first response and to the (latest) resolution."""
    return {
        "response": hours_between(Case.first_response_at, Case.created_at),
        "resolution": hours_between(Case.resolved_at, Case.created_at),
    }


@dataclass(frozen=True)
class Scope:
    """Optional filters applied before grouping: one department, category, area, channel."""

    department_id: int | None = None
    category_id: int | None = None
    area_id: int | None = None
    channel: str | None = None


@dataclass(frozen=True)
class Grouping:
    """What the figures are grouped by; ``level_id`` narrows areas to one level of the grid."""

    dimension: str = "city"
    level_id: int | None = None

    def __post_init__(self) -> None:
        if self.dimension not in DIMENSIONS:
            raise Invalid(
                "cannot group by '%(dimension)s'; use one of %(dimensions)s",
                params={"dimension": self.dimension, "dimensions": DIMENSIONS},
                field="dimension",
            )

    def key(self) -> ColumnElement[Any] | QueryableAttribute[Any] | None:
        """The SQL expression of the unit a case counts for (None: the whole city)."""
        return {
            "city": None,
            "department": Case.department_id,
            "area": CaseArea.area_id,
            "category": Case.category_id,
            "channel": Case.channel,
        }[self.dimension]

    def apply(self, query: Select[Any], period: Period, scope: Scope) -> Select[Any]:
        """Restrict ``query`` (selecting from cases) to the period, the scope and the grouping."""
        query = query.where(Case.created_at >= period.start, Case.created_at < period.end)
        if self.dimension == "area":
            query = query.join(CaseArea, CaseArea.case_id == Case.id)
            if self.level_id is not None:
                query = query.where(CaseArea.level_id == self.level_id)
        if scope.department_id is not None:
            query = query.where(Case.department_id == scope.department_id)
        if scope.category_id is not None:
            query = query.where(Case.category_id == scope.category_id)
        if scope.channel is not None:
            query = query.where(Case.channel == scope.channel)
        if scope.area_id is not None:
            in_area = select(CaseArea.case_id).where(CaseArea.area_id == scope.area_id)
            query = query.where(Case.id.in_(in_area))
        return query


def _count_columns() -> list[Any]:
    return [func.count().label("cases")] + [
        func.coalesce(func.sum(case((cond, 1), else_=0)), 0).label(name)
        for name, cond in count_conditions().items()
    ]


def _quantile_columns() -> list[Any]:
    """PostgreSQL: each duration's count and its median and p90 (one sort for both)."""
    columns: list[Any] = []
    for name, hours in duration_columns().items():
        columns.append(func.count(hours).label(f"{name}_n"))
        quantiles = func.percentile_cont(pg_array([0.5, 0.9])).within_group(hours)
        columns.append(quantiles.label(f"{name}_q"))
    return columns


def _figures_of(row: Any, *, quantiles: bool) -> Figures:
    figures = Figures(**{name: int(row[name]) for name in COUNTS})
    if quantiles:
        for name in DURATIONS:
            setattr(figures, f"{name}_n", int(row[f"{name}_n"]))
            found = row[f"{name}_q"]
            if found is not None:
                p50, p90 = found
                setattr(figures, f"{name}_p50", None if p50 is None else float(p50))
                setattr(figures, f"{name}_p90", None if p90 is None else float(p90))
    return figures


def _postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def tune(session: Session) -> None:
    """On PostgreSQL, for the rest of this transaction: sort a month's durations in memory,
    skip JIT compilation (it costs these short queries more than it saves), and price a
    random read like the cached or SSD read it is, so a month's cases are matched to their
    areas through the key of ``case_areas`` rather than by hashing all of it."""
    if _postgres(session):
        session.execute(text(f"SET LOCAL work_mem = '{SORT_MEMORY_MB}MB'"))
        session.execute(text("SET LOCAL jit = off"))
        session.execute(text("SET LOCAL random_page_cost = 1.1"))


def figures_by(
    session: Session,
    *,
    period: Period,
    grouping: Grouping | None = None,
    scope: Scope | None = None,
) -> dict[str, Figures]:
    """Each unit's figures over the cases filed in ``period`` (keys: unit ids as text)."""
    grouping, scope = grouping or Grouping(), scope or Scope()
    postgres = _postgres(session)
    tune(session)
    key = grouping.key()
    columns = _count_columns() + (_quantile_columns() if postgres else [])
    query = _grouped(grouping.apply(select(*columns), period, scope), key)
    found: dict[str, Figures] = {}
    for row in session.execute(query):
        mapping = row._mapping
        if mapping["cases"]:
            unit = _unit(mapping["unit"]) if key is not None else ""
            found[unit] = _figures_of(mapping, quantiles=postgres)
    if not postgres:
        _durations_streamed(session, found, period=period, grouping=grouping, scope=scope)
    return found


# GROUPING() of (department, category, channel): a bit set for each column left out.
_SETS = {0b011: "department", 0b101: "category", 0b110: "channel", 0b111: "city"}


def figures_by_case_dimensions(
    session: Session, *, period: Period
) -> dict[str, dict[str, Figures]]:
    """The city's, each department's, category's and channel's figures over ``period``: one
    scan of the month's cases on PostgreSQL (GROUPING SETS), one query each elsewhere."""
    if not _postgres(session):
        return {
            dimension: figures_by(session, period=period, grouping=Grouping(dimension))
            for dimension in _SETS.values()
        }
    tune(session)
    keys = {"department": Case.department_id, "category": Case.category_id, "channel": Case.channel}
    sets = func.grouping_sets(*(tuple_(k) for k in keys.values()), tuple_())
    query = (
        Grouping()
        .apply(
            select(
                *_count_columns(),
                *_quantile_columns(),
                func.grouping(*keys.values()).label("sets"),
                *(column.label(name) for name, column in keys.items()),
            ),
            period,
            Scope(),
        )
        .group_by(sets)
    )
    found: dict[str, dict[str, Figures]] = {dimension: {} for dimension in _SETS.values()}
    for row in session.execute(query):
        mapping = row._mapping
        if not mapping["cases"]:
            continue  # the grand total of no cases at all
        dimension = _SETS[mapping["sets"]]
        unit = "" if dimension == "city" else _unit(mapping[dimension])
        found[dimension][unit] = _figures_of(mapping, quantiles=True)
    return found


def _grouped(
    query: Select[Any], key: ColumnElement[Any] | QueryableAttribute[Any] | None
) -> Select[Any]:
    if key is None:
        return query
    return query.add_columns(key.label("unit")).group_by(key)


def _unit(value: Any) -> str:
    return "" if value is None else str(value)


def _durations_streamed(
    session: Session,
    found: dict[str, Figures],
    *,
    period: Period,
    grouping: Grouping,
    scope: Scope,
) -> None:
    key = grouping.key()
    for name, hours in duration_columns().items():
        query = grouping.apply(select(hours.label("hours")), period, scope).where(
            hours.is_not(None)
        )
        if key is not None:
            query = query.add_columns(key.label("unit"))
        values: dict[str, array[float]] = defaultdict(lambda: array("d"))
        result = session.execute(query.execution_options(yield_per=STREAM_ROWS))
        for row in result:
            unit = _unit(row.unit) if key is not None else ""
            values[unit].append(float(row.hours))
        for unit, column in values.items():
            if unit not in found:
                continue
            figures = found[unit]
            setattr(figures, f"{name}_n", len(column))
            setattr(figures, f"{name}_p50", percentile(column, 0.5))
            setattr(figures, f"{name}_p90", percentile(column, 0.9))


def city_figures(session: Session, *, period: Period, scope: Scope | None = None) -> Figures:
    """The figures of every case filed in ``period`` (within ``scope``)."""
    return figures_by(session, period=period, scope=scope).get("", Figures())
