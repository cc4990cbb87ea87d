"""Area levels and areas (SQLAlchemy only)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from civicgrid.db import Base, UtcDateTime, utcnow


class AreaLevel(Base):
    """One level of the hierarchy, e.g. city, district, street, grid cell; rank 0 is the top."""

    __tablename__ = "area_levels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    rank: Mapped[int] = mapped_column(Integer)


class Area(Base):
    """A polygon of the grid with its parent and the department answerable for it."""

    __tablename__ = "areas"
    __table_args__ = (
        UniqueConstraint("level_id", "code"),
        # Target of case_areas' (area_id, level_id) key: a placement's level is its area's.
        UniqueConstraint("id", "level_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    level_id: Mapped[int] = mapped_column(ForeignKey("area_levels.id"), index=True)
    code: Mapped[str] = mapped_column(String(64))
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    supervisor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    geometry: Mapped[str] = mapped_column(Text, comment="GeoJSON geometry in WGS84")
    min_lon: Mapped[float] = mapped_column(Float)
    min_lat: Mapped[float] = mapped_column(Float)
    max_lon: Mapped[float] = mapped_column(Float)
    max_lat: Mapped[float] = mapped_column(Float)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
