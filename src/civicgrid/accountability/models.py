"""Pre-aggregated monthly figures and the state of their refresh (SQLAlchemy only)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from civicgrid.db import Base, UtcDateTime, utcnow


class MonthlyFigure(Base):
    """The counts and durations of one unit (a department, area, ...) for one month.

    Kept so the rankings page reads a few rows instead of scanning every case; rebuilt by
    :mod:`civicgrid.accountability.aggregate` for the months whose cases changed.
    """

    __tablename__ = "accountability_monthly_figures"
    __table_args__ = (
        UniqueConstraint("month", "dimension", "unit"),
        Index("ix_accountability_monthly_figures_dimension_month", "dimension", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    month: Mapped[date] = mapped_column(Date, comment="first day of the month, city time")
    dimension: Mapped[str] = mapped_column(String(16))
    unit: Mapped[str] = mapped_column(String(64), comment="unit id or channel; '' for the city")
    cases: Mapped[int] = mapped_column(Integer)
    response_due: Mapped[int] = mapped_column(Integer)
    response_on_time: Mapped[int] = mapped_column(Integer)
    resolution_due: Mapped[int] = mapped_column(Integer)
    resolved: Mapped[int] = mapped_column(Integer)
    resolved_on_time: Mapped[int] = mapped_column(Integer)
    rated: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[int] = mapped_column(Integer)
    settled: Mapped[int] = mapped_column(Integer)
    reopened: Mapped[int] = mapped_column(Integer)
    response_n: Mapped[int] = mapped_column(Integer)
    response_p50: Mapped[float | None] = mapped_column(Float)
    response_p90: Mapped[float | None] = mapped_column(Float)
    resolution_n: Mapped[int] = mapped_column(Integer)
    resolution_p50: Mapped[float | None] = mapped_column(Float)
    resolution_p90: Mapped[float | None] = mapped_column(Float)
    computed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class AggregateState(Base):
    """How far the monthly figures have read the case timelines (one row, id 1)."""

    __tablename__ = "accountability_aggregate_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    last_event_id: Mapped[int] = mapped_column(Integer, default=0)
    refreshed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    rebuilt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    months_refreshed: Mapped[int] = mapped_column(Integer, default=0)
