"""Pre-aggregation: each month's figures per department, area, category, channel and for the
city, kept in ``accountability_monthly_figures`` so the rankings read a few rows.

A refresh rebuilds only the months holding a case whose timeline gained an entry since the
last one (every action on a case, a breach by the sweep included, adds one). A full rebuild
every ``ACCOUNTABILITY_REBUILD_HOURS`` catches entries committed out of id order.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from civicgrid.accountability.metrics import (
    Figures,
    Grouping,
    figures_by,
    figures_by_case_dimensions,
)
from civicgrid.accountability.models import AggregateState, MonthlyFigure
from civicgrid.accountability.periods import month_of, month_period, months_between
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.db import utcnow
from civicgrid.settings import Settings

AGGREGATED = ("city", "department", "area", "category", "channel")
STATE_ID = 1


@dataclass(frozen=True)
class RefreshReport:
    """What a refresh did: months rebuilt, events read, whether it was a full rebuild."""

    months: int
    events: int
    full: bool

    def __str__(self) -> str:
        if self.full:
            return f"full rebuild: {self.months} months"
        return f"refresh: {self.months} months rebuilt from {self.events} new timeline entries"


def refresh(
    session: Session, *, settings: Settings, now: datetime | None = None, full: bool = False
) -> RefreshReport:
    """Bring the monthly figures up to date with every case timeline entry on file."""
    now = now or utcnow()
    zone = ZoneInfo(settings.timezone)
    # The row lock keeps two workers from rebuilding the same months at once.
    state = session.get(AggregateState, STATE_ID, with_for_update=True)
    if state is None:
        state = AggregateState(id=STATE_ID, last_event_id=0, refreshed_at=now, rebuilt_at=now)
        session.add(state)
        full = True
    elif settings.accountability_rebuild_hours and now - state.rebuilt_at >= timedelta(
        hours=settings.accountability_rebuild_hours
    ):
        full = True
    head = session.scalar(select(func.max(CaseEvent.id))) or 0
    months: Collection[date]
    if full:
        months = _all_months(session, zone)
        session.execute(delete(MonthlyFigure))
        state.rebuilt_at = now
    else:
        months = _stale_months(session, after=state.last_event_id, upto=head, zone=zone)
    for month in sorted(months):
        rebuild_month(session, month=month, zone=zone, now=now)
    events = head - state.last_event_id
    state.last_event_id, state.refreshed_at, state.months_refreshed = head, now, len(months)
    session.flush()
    return RefreshReport(months=len(months), events=max(events, 0), full=full)


def _all_months(session: Session, zone: ZoneInfo) -> list[date]:
    first, last = session.execute(
        select(func.min(Case.created_at), func.max(Case.created_at))
    ).one()
    if first is None:
        return []
    return months_between(month_of(first, zone), month_of(last, zone))


def _stale_months(session: Session, *, after: int, upto: int, zone: ZoneInfo) -> set[date]:
    touched = select(CaseEvent.case_id).where(CaseEvent.id > after, CaseEvent.id <= upto)
    filed = session.scalars(select(Case.created_at).where(Case.id.in_(touched)).distinct())
    return {month_of(instant, zone) for instant in filed}


def rebuild_month(session: Session, *, month: date, zone: ZoneInfo, now: datetime) -> int:
    """Recompute one month's figures for every dimension; returns the rows written."""
    period = month_period(month, zone)
    found = figures_by_case_dimensions(session, period=period)
    found["area"] = figures_by(session, period=period, grouping=Grouping("area"))
    rows = [
        {"month": month, "dimension": dimension, "unit": unit, "computed_at": now}
        | figures.as_dict()
        for dimension in AGGREGATED
        for unit, figures in found[dimension].items()
    ]
    session.execute(delete(MonthlyFigure).where(MonthlyFigure.month == month))
    if rows:
        session.execute(insert(MonthlyFigure), rows)
    return len(rows)


def get_state(session: Session) -> AggregateState | None:
    """The refresh state, or None before the first refresh."""
    return session.get(AggregateState, STATE_ID)


def _figures(row: MonthlyFigure) -> Figures:
    return Figures(**{name: getattr(row, name) for name in Figures().as_dict()})


def monthly(
    session: Session, *, month: date, dimension: str, units: Iterable[str] | None = None
) -> dict[str, Figures]:
    """The stored figures of ``month`` for one dimension, by unit (optionally only ``units``)."""
    query = select(MonthlyFigure).where(
        MonthlyFigure.month == month, MonthlyFigure.dimension == dimension
    )
    if units is not None:
        query = query.where(MonthlyFigure.unit.in_(list(units)))
    return {row.unit: _figures(row) for row in session.scalars(query)}


def trend(
    session: Session, *, dimension: str, unit: str, first: date, last: date
) -> list[tuple[date, Figures]]:
    """One unit's stored figures month by month from ``first`` to ``last`` (empty months: 0)."""
    rows = session.scalars(
        select(MonthlyFigure).where(
            MonthlyFigure.dimension == dimension,
            MonthlyFigure.unit == unit,
            MonthlyFigure.month >= first,
            MonthlyFigure.month <= last,
        )
    )
    stored = {row.month: _figures(row) for row in rows}
    return [(month, stored.get(month, Figures())) for month in months_between(first, last)]
