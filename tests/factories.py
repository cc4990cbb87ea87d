"""Factories for the core reference data: departments, categories, areas, calendars."""

from __future__ import annotations

import json
from itertools import count

from shapely.geometry import box, mapping
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.catalog.models import Category, Department, RoutingRule
from civicgrid.grid.models import Area, AreaLevel
from civicgrid.sla.models import Calendar, SlaPolicy

_seq = count(1)


def department(
    session: Session, *, code: str | None = None, is_default: bool = False
) -> Department:
    n = next(_seq)
    dept = Department(code=code or f"D{n}", name=f"Department {n}", is_default=is_default)
    session.add(dept)
    session.flush()
    return dept


def category(session: Session, *, code: str | None = None, name: str | None = None) -> Category:
    n = next(_seq)
    cat = Category(code=code or f"C{n}", name=name or f"Category {n}")
    session.add(cat)
    session.flush()
    return cat


def level(session: Session, name: str, rank: int) -> AreaLevel:
    existing = session.scalar(select(AreaLevel).where(AreaLevel.name == name))
    if existing:
        return existing
    lvl = AreaLevel(name=name, rank=rank)
    session.add(lvl)
    session.flush()
    return lvl


def area(
    session: Session,
    *,
    level_name: str,
    rank: int,
    bounds: tuple[float, float, float, float],
    parent: Area | None = None,
    code: str | None = None,
    department_id: int | None = None,
) -> Area:
    """A rectangular area (min_lon, min_lat, max_lon, max_lat) at the named level."""
    lvl = level(session, level_name, rank)
    n = next(_seq)
    geom = box(*bounds)
    a = Area(
        level_id=lvl.id,
        code=code or f"A{n}",
        name=f"Area {n}",
        parent_id=parent.id if parent else None,
        department_id=department_id,
        geometry=json.dumps(mapping(geom)),
        min_lon=bounds[0],
        min_lat=bounds[1],
        max_lon=bounds[2],
        max_lat=bounds[3],
    )
    session.add(a)
    session.flush()
    return a


def calendar(session: Session, *, timezone: str = "America/New_York") -> Calendar:
    cal = Calendar(name=f"Calendar {next(_seq)}", timezone=timezone)
    session.add(cal)
    session.flush()
    return cal


def sla_policy(
    session: Session,
    *,
    category_id: int | None,
    calendar_id: int,
    unit: str = "working_hours",
    first_response: float = 8,
    resolution: float = 40,
) -> SlaPolicy:
    pol = SlaPolicy(
        category_id=category_id,
        calendar_id=calendar_id,
        unit=unit,
        first_response=first_response,
        resolution=resolution,
    )
    session.add(pol)
    session.flush()
    return pol


def routing_rule(
    session: Session,
    *,
    department_id: int,
    category_id: int | None = None,
    area_id: int | None = None,
) -> RoutingRule:
    rule = RoutingRule(category_id=category_id, area_id=area_id, department_id=department_id)
    session.add(rule)
    session.flush()
    return rule
