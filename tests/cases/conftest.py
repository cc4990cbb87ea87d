"""A small city to file cases in: two districts under a city, three departments, a calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from civicgrid.accounts import service as accounts
from civicgrid.accounts.models import User
from civicgrid.cases import service
from civicgrid.cases.models import Case
from civicgrid.cases.schemas import CaseCreate
from civicgrid.catalog.models import Category, CategoryQuestion, Department
from civicgrid.grid.models import Area
from civicgrid.settings import Settings
from tests import factories

# A Monday morning in New York (14:00 UTC = 10:00 EDT).
MONDAY = datetime(2026, 6, 1, 14, 0, tzinfo=UTC)


@dataclass
class City:
    city: Area
    north: Area
    south: Area
    roads: Department
    parks: Department
    hotline: Department
    pothole: Category
    graffiti: Category
    caseworker: User
    parks_worker: User
    supervisor: User
    command: User
    tokens: dict[str, str]


@pytest.fixture
def city(session: Session) -> City:
    hotline = factories.department(session, code="311", is_default=True)
    roads = factories.department(session, code="DOT")
    parks = factories.department(session, code="DPR")
    whole = factories.area(session, level_name="city", rank=0, bounds=(0, 0, 2, 2), code="X")
    north = factories.area(
        session,
        level_name="district",
        rank=1,
        bounds=(0, 1, 2, 2),
        parent=whole,
        code="N",
        department_id=parks.id,
    )
    south = factories.area(
        session, level_name="district", rank=1, bounds=(0, 0, 2, 1), parent=whole, code="S"
    )
    pothole = factories.category(session, code="pothole", name="Pothole")
    pothole.questions.append(
        CategoryQuestion(
            code="depth",
            order=1,
            datatype="singlevaluelist",
            required=True,
            description="How deep is it?",
            values=[{"key": "shallow", "name": "Shallow"}, {"key": "deep", "name": "Deep"}],
        )
    )
    graffiti = factories.category(session, code="graffiti", name="Graffiti")
    factories.routing_rule(session, category_id=pothole.id, department_id=roads.id)
    cal = factories.calendar(session)
    factories.sla_policy(
        session, category_id=None, calendar_id=cal.id, first_response=8, resolution=40
    )
    users = {
        "caseworker": accounts.create(
            session, username="cw", display_name="Casey", role="caseworker", department_code="DOT"
        ),
        "parks_worker": accounts.create(
            session, username="pw", display_name="Parker", role="caseworker", department_code="DPR"
        ),
        "supervisor": accounts.create(
            session, username="sup", display_name="Sue", role="supervisor"
        ),
        "command": accounts.create(session, username="cmd", display_name="Cmdr", role="command"),
    }
    tokens = {name: accounts.issue_token(session, user=u) for name, u in users.items()}
    session.flush()
    return City(
        whole, north, south, roads, parks, hotline, pothole, graffiti, tokens=tokens, **users
    )


def file(
    session: Session,
    settings: Settings,
    *,
    category: str = "graffiti",
    lat: float | None = 1.5,
    lon: float | None = 0.5,
    **extra: object,
) -> tuple[Case, str]:
    """File a case through the service at MONDAY."""
    data = CaseCreate.model_validate(
        {
            "category": category,
            "description": "Paint on the wall",
            "lat": lat,
            "lon": lon,
            "address": "1 Main St",
            **extra,
        }
    )
    return service.create(session, data=data, settings=settings, now=MONDAY)
