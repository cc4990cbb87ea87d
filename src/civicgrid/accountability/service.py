"""What the JSON routes, pages and CLI ask for, in the domain's words: the period a request
names, its filters, the rates of any period, and a unit's monthly trend."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicgrid.accountability import aggregate, units
from civicgrid.accountability.export import ExportFilter
from civicgrid.accountability.metrics import Figures, Grouping, Scope, figures_by
from civicgrid.accountability.periods import (
    FIRST_YEAR,
    LAST_YEAR,
    Period,
    date_period,
    month_of,
    month_period,
    months_between,
    parse_month,
)
from civicgrid.cases.models import Case
from civicgrid.db import utcnow
from civicgrid.errors import Invalid
from civicgrid.settings import Settings

MAX_TREND_MONTHS = 60


def zone_of(settings: Settings) -> ZoneInfo:
    """The city's time zone."""
    return ZoneInfo(settings.timezone)


def latest_month(session: Session, settings: Settings) -> date:
    """The month of the latest case filed (this month when there is none)."""
    latest = session.scalar(select(func.max(Case.created_at)))
    return month_of(latest or utcnow(), zone_of(settings))


def month_or_latest(session: Session, settings: Settings, month: str | None) -> date:
    """The month a request names (YYYY-MM), else the latest month with cases."""
    return parse_month(month) if month else latest_month(session, settings)


def period_of(
    session: Session,
    settings: Settings,
    *,
    month: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> Period:
    """A month, or the days ``start`` to ``end`` (both included); by default the latest month."""
    zone = zone_of(settings)
    if start is not None or end is not None:
        if month:
            raise Invalid("give either a month or a from/to range, not both", field="month")
        if start is None or end is None:
            raise Invalid("a date range needs both from and to (YYYY-MM-DD)", field="from")
        return date_period(start, end, zone)
    return month_period(month_or_latest(session, settings, month), zone)


def export_filter(
    session: Session,
    settings: Settings,
    *,
    start: date | None = None,
    end: date | None = None,
    department: str | None = None,
    category: str | None = None,
    area_id: int | None = None,
    status: tuple[str, ...] = (),
    channel: str | None = None,
) -> ExportFilter:
    """The cases an export request names: days filed (city time, both included), codes."""
    period = date_period(
        start or date(FIRST_YEAR, 1, 1), end or date(LAST_YEAR, 12, 30), zone_of(settings)
    )
    scope = scope_of(session, department=department, category=category, channel=channel)
    return ExportFilter(
        created_from=period.start if start else None,
        created_to=period.end if end else None,
        category_id=scope.category_id,
        department_id=scope.department_id,
        area_id=area_id,
        status=status,
        channel=scope.channel,
    )


def scope_of(
    session: Session,
    *,
    department: str | None = None,
    category: str | None = None,
    area_id: int | None = None,
    channel: str | None = None,
) -> Scope:
    """The filters a request names, by code, as ids."""
    return Scope(
        department_id=units.department_id(session, department) if department else None,
        category_id=units.category_id(session, category) if category else None,
        area_id=area_id,
        channel=units.check_channel(channel) if channel else None,
    )


@dataclass(frozen=True)
class UnitFigures:
    """One unit's figures, with the unit named."""

    unit: units.Unit
    figures: Figures


def rates(
    session: Session,
    *,
    period: Period,
    dimension: str = "city",
    level: str | None = None,
    scope: Scope | None = None,
) -> list[UnitFigures]:
    """The figures of every unit of ``dimension`` over ``period`` (computed now, exactly)."""
    level_id = units.level_or_raise(session, level).id if level else None
    if level_id is not None and dimension != "area":
        raise Invalid("level only applies when grouping by area", field="level")
    found = figures_by(session, period=period, grouping=Grouping(dimension, level_id), scope=scope)
    if dimension == "city" and not found:
        found = {"": Figures()}
    named = units.label(session, dimension, found)
    return sorted(
        (UnitFigures(named[key], figures) for key, figures in found.items()),
        key=lambda u: (u.unit.level or "", u.unit.name),
    )


def trend(
    session: Session,
    *,
    settings: Settings,
    last: date,
    months: int = 12,
    dimension: str = "city",
    unit: str = "",
) -> list[tuple[date, Figures]]:
    """A unit's figures for each of ``months`` months up to ``last`` (pre-aggregated when
    the figures have been refreshed, else computed month by month)."""
    if not 1 <= months <= MAX_TREND_MONTHS:
        raise Invalid(
            "months must be from 1 to %(max_trend_months)s",
            params={"max_trend_months": MAX_TREND_MONTHS},
            field="months",
        )
    first = last
    for _ in range(months - 1):
        first = date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)
    Grouping(dimension)  # checks the dimension's name
    if aggregate.get_state(session) is not None:
        return aggregate.trend(session, dimension=dimension, unit=unit, first=first, last=last)
    zone = zone_of(settings)
    return [
        (
            month,
            figures_by(session, period=month_period(month, zone), grouping=Grouping(dimension)).get(
                unit, Figures()
            ),
        )
        for month in months_between(first, last)
    ]
