"""Names of the units figures are kept for: departments, areas (with their level), categories,
channels. Looked up through the catalogue and grid tables, once per page."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicgrid.cases.schemas import Channel
from civicgrid.catalog.models import Category, Department
from civicgrid.errors import Invalid, NotFound
from civicgrid.grid.models import Area, AreaLevel

CHANNELS = tuple(channel.value for channel in Channel)


@dataclass(frozen=True)
class Unit:
    """One unit as people know it: its code and name, and for an area its level."""

    key: str
    code: str
    name: str
    level: str | None = None


def label(session: Session, dimension: str, keys: Iterable[str]) -> dict[str, Unit]:
    """The unit behind each key of ``dimension`` (unknown keys keep the key as their name)."""
    keys = list(keys)
    ids = [int(k) for k in keys if k.isdigit()]
    found: dict[str, Unit] = {}
    if dimension == "department":
        rows = session.execute(
            select(Department.id, Department.code, Department.name).where(Department.id.in_(ids))
        )
        found = {str(i): Unit(str(i), code, name) for i, code, name in rows}
    elif dimension == "category":
        rows = session.execute(
            select(Category.id, Category.code, Category.name).where(Category.id.in_(ids))
        )
        found = {str(i): Unit(str(i), code, name) for i, code, name in rows}
    elif dimension == "area":
        area_rows = session.execute(
            select(Area.id, Area.code, Area.name, AreaLevel.name)
            .join(AreaLevel, AreaLevel.id == Area.level_id)
            .where(Area.id.in_(ids))
        )
        found = {str(i): Unit(str(i), code, name, lvl) for i, code, name, lvl in area_rows}
    elif dimension == "city":
        found = {"": Unit("", "city", "City")}
    return {k: found.get(k, Unit(k, k, k)) for k in keys}


def level_or_raise(session: Session, name: str) -> AreaLevel:
    """The grid level called ``name``."""
    found = session.scalar(select(AreaLevel).where(AreaLevel.name == name))
    if found is None:
        names = ", ".join(session.scalars(select(AreaLevel.name).order_by(AreaLevel.rank)))
        raise NotFound(
            "no grid level named '%(name)s'; levels: %(levels)s",
            params={"name": name, "levels": names or "none loaded"},
        )
    return found


def default_level(session: Session) -> AreaLevel | None:
    """The highest level that divides the city (more than one area), else the deepest one."""
    counts = session.execute(
        select(AreaLevel, func.count(Area.id))
        .outerjoin(Area, Area.level_id == AreaLevel.id)
        .group_by(AreaLevel.id)
        .order_by(AreaLevel.rank)
    ).all()
    for level, count in counts:
        if count > 1:
            return level
    return counts[-1][0] if counts else None


def area_ids_of_level(session: Session, level_id: int) -> list[str]:
    """Keys of every area of one level."""
    return [str(i) for i in session.scalars(select(Area.id).where(Area.level_id == level_id))]


def department_ids(session: Session) -> list[str]:
    """Keys of every department."""
    return [str(i) for i in session.scalars(select(Department.id))]


def department_id(session: Session, code: str) -> int:
    """The id of the department ``code``."""
    found = session.scalar(select(Department.id).where(Department.code == code))
    if found is None:
        raise NotFound(
            "no department with code '%(code)s'; see /api/v1/departments", params={"code": code}
        )
    return found


def category_id(session: Session, code: str) -> int:
    """The id of the category ``code``."""
    found = session.scalar(select(Category.id).where(Category.code == code))
    if found is None:
        raise NotFound(
            "no category with code '%(code)s'; see /api/v1/categories", params={"code": code}
        )
    return found


def check_channel(channel: str) -> str:
    """``channel`` if it is one civicgrid knows."""
    if channel not in CHANNELS:
        raise Invalid(
            "channel must be one of %(channels)s", params={"channels": CHANNELS}, field="channel"
        )
    return channel
