"""Calendars, holidays and SLA policies (SQLAlchemy only)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from civicgrid.db import Base


class Calendar(Base):
    """Business hours and working days of one jurisdiction, in its own time zone."""

    __tablename__ = "calendars"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    work_start: Mapped[str] = mapped_column(String(5), default="09:00")
    work_end: Mapped[str] = mapped_column(String(5), default="17:00")
    work_days: Mapped[str] = mapped_column(String(20), default="0,1,2,3,4")


class Holiday(Base):
    """A day on which a calendar does not work."""

    __tablename__ = "holidays"
    __table_args__ = (UniqueConstraint("calendar_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendars.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date)
    name: Mapped[str] = mapped_column(String(200))


class SlaPolicy(Base):
    """Deadlines for first response and resolution; category null is the default policy."""

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), unique=True)
    calendar_id: Mapped[int] = mapped_column(ForeignKey("calendars.id"))
    unit: Mapped[str] = mapped_column(String(16), comment="working_hours | working_days")
    first_response: Mapped[float] = mapped_column(Float)
    resolution: Mapped[float] = mapped_column(Float)
    priority: Mapped[int] = mapped_column(Integer, default=3)
