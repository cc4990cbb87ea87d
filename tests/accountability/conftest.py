"""A small town for the accountability tests: a city split into north and south districts,
two departments, three categories (one sensitive), an 8h / 40h working-time policy, and
helpers that file cases and move them through the real workflow and deadline sweep."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from civicgrid.cases import service, workflow
from civicgrid.cases.models import Case
from civicgrid.cases.schemas import CaseCreate
from civicgrid.catalog.models import Category, Department
from civicgrid.grid.models import Area
from civicgrid.settings import Settings
from civicgrid.sla.sweep import sweep_sla_deadlines
from tests import factories

CITY = (-74.02, 40.70, -73.96, 40.74)
NORTH_BOX = (-74.02, 40.72, -73.96, 40.74)
SOUTH_BOX = (-74.02, 40.70, -73.96, 40.72)
NORTH = (40.7312345678, -73.9912345678)  # lat, lon
SOUTH = (40.71, -73.99)
KEY = "resident-keys"


def at(day: int, hour: float = 14, month: int = 6) -> datetime:
    """An instant of 2026 in UTC; 14:00 UTC is 10:00 in New York (EDT)."""
    minutes = round(hour * 60)
    return datetime(2026, month, day, minutes // 60, minutes % 60, tzinfo=UTC)


# Filed Monday 2026-06-01 10:00 EDT under 8 / 40 working hours (09:00-17:00, Mon-Fri):
MONDAY = at(1)
FIRST_DUE = at(2)  # Tuesday 10:00 EDT
RESOLUTION_DUE = at(8)  # the next Monday 10:00 EDT


@dataclass
class Town:
    city: Area
    north: Area
    south: Area
    roads: Department
    parks: Department
    pothole: Category
    graffiti: Category
    shelter: Category


@pytest.fixture
def town(session: Session) -> Town:
    return make_town(session)


def make_town(session: Session) -> Town:
    """The town's areas, departments, categories and deadlines, written through ``session``."""
    roads = factories.department(session, code="ROADS", is_default=True)
    parks = factories.department(session, code="PARKS")
    city = factories.area(session, level_name="city", rank=0, bounds=CITY, code="TOWN")
    north = factories.area(
        session, level_name="district", rank=1, bounds=NORTH_BOX, parent=city, code="N"
    )
    south = factories.area(
        session, level_name="district", rank=1, bounds=SOUTH_BOX, parent=city, code="S"
    )
    north.name, south.name = "North", "South"
    pothole = factories.category(session, code="pothole", name="Pothole")
    graffiti = factories.category(session, code="graffiti", name="Graffiti")
    shelter = factories.category(session, code="shelter", name="Unsafe housing")
    shelter.sensitive = True
    factories.routing_rule(session, category_id=graffiti.id, department_id=parks.id)
    cal = factories.calendar(session)
    factories.sla_policy(
        session, category_id=None, calendar_id=cal.id, first_response=8, resolution=40
    )
    session.flush()
    return Town(city, north, south, roads, parks, pothole, graffiti, shelter)


def file(
    session: Session,
    settings: Settings,
    *,
    category: str = "pothole",
    point: tuple[float, float] | None = NORTH,
    now: datetime = MONDAY,
    **extra: Any,
) -> Case:
    """File a case through the cases service (placement, routing, deadlines)."""
    data: dict[str, Any] = {
        "category": category,
        "description": "A hole in the road",
        "address": "1 Main St",
        **extra,
    }
    if point is not None:
        data["lat"], data["lon"] = point
    case, key = service.create(
        session, data=CaseCreate.model_validate(data), settings=settings, now=now
    )
    session.info.setdefault(KEY, {})[case.id] = key
    return case


def move(
    session: Session, settings: Settings, case: Case, to: str, when: datetime, reason: str = ""
) -> None:
    """A caseworker moves the case to ``to`` at ``when``."""
    if to in ("waiting", "reopened") and not reason:
        reason = "waiting on the resident"
    workflow.transition(
        session, case=case, to_status=to, actor="cw", settings=settings, reason=reason, now=when
    )


def rate(session: Session, settings: Settings, case: Case, rating: int, when: datetime) -> None:
    """The reporter rates the resolved case."""
    workflow.rate(
        session,
        case=case,
        rating=rating,
        comment="",
        resident_key=session.info[KEY][case.id],
        settings=settings,
        now=when,
    )


def sweep(session: Session, settings: Settings, when: datetime) -> None:
    """Run the deadline sweep at ``when``."""
    sweep_sla_deadlines(session, settings, now=when)
