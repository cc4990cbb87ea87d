"""A realistic small city for the API tests: departments, areas, categories with questions, cases.

The fuzz test needs reference data that real requests hit (known category codes, area ids,
tracking ids, a staff token), or it only ever sees 404s. Everything is written inside a
transaction that is rolled back, so nothing seeded or fuzzed outlives its test.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from sqlalchemy.orm import Session

from civicgrid.accounts import service as accounts
from civicgrid.cases import service, workflow
from civicgrid.cases.schemas import CaseCreate
from civicgrid.catalog.models import Category, CategoryQuestion
from civicgrid.settings import Settings
from tests import factories

# Filed on a Monday morning in New York (14:00 UTC = 10:00 EDT).
FILED_AT = datetime(2026, 6, 1, 14, 0, tzinfo=UTC)

# Fixed tracking ids, so the fuzzer's strategies can name real cases (see test_fuzz.py).
TRACKING_IDS = ("FZ00-000001", "FZ00-000002", "FZ00-000003", "FZ00-000004", "FZ00-000005")
# How each seeded case is worked, in the order of TRACKING_IDS: one case per kind of state.
SEEDED_STEPS: tuple[tuple[str, ...], ...] = (
    (),
    ("acknowledged",),
    ("in_progress",),
    ("resolved",),
    ("resolved", "closed"),
)
CATEGORY_CODES = ("pothole", "graffiti", "noise", "retired")
DEPARTMENT_CODES = ("311", "DOT", "DPR", "DEP")
QUESTION_CODES = ("depth", "hazards", "width_cm", "noticed_at", "lane", "details")


@dataclass
class World:
    """What the city holds, as the fuzzer needs to name it."""

    staff_token: str
    area_ids: list[int]
    resident_keys: dict[str, str] = field(default_factory=dict)


def _pothole(session: Session) -> Category:
    """A category asking one question of each Open311 datatype."""
    cat = factories.category(session, code="pothole", name="Pothole")
    cat.group = "Streets"
    cat.keywords = "road, hole, asphalt"
    questions = [
        ("depth", "singlevaluelist", True, "How deep is it?"),
        ("hazards", "multivaluelist", False, "What makes it dangerous?"),
        ("width_cm", "number", False, "About how wide, in centimetres?"),
        ("noticed_at", "datetime", False, "When did you first notice it?"),
        ("lane", "string", False, "Which lane?"),
        ("details", "text", False, "Anything else the crew should know?"),
    ]
    values = {
        "depth": [{"key": "shallow", "name": "Shallow"}, {"key": "deep", "name": "Deep"}],
        "hazards": [{"key": "bikes", "name": "Bikes"}, {"key": "cars", "name": "Cars"}],
    }
    for order, (code, datatype, required, text) in enumerate(questions, start=1):
        cat.questions.append(
            CategoryQuestion(
                code=code,
                order=order,
                datatype=datatype,
                required=required,
                description=text,
                values=values.get(code, []),
            )
        )
    session.flush()
    return cat


def _grid(session: Session, departments: dict[str, int]) -> list[int]:
    """Two boroughs of two districts each, around lower Manhattan and Brooklyn."""
    north = factories.area(
        session, level_name="borough", rank=0, bounds=(-74.05, 40.70, -73.90, 40.80), code="MN"
    )
    south = factories.area(
        session, level_name="borough", rank=0, bounds=(-74.05, 40.60, -73.90, 40.70), code="BK"
    )
    areas = [north, south]
    for parent, code, (lo, hi) in (
        (north, "MN01", (40.70, 40.75)),
        (north, "MN02", (40.75, 40.80)),
        (south, "BK01", (40.60, 40.65)),
        (south, "BK02", (40.65, 40.70)),
    ):
        areas.append(
            factories.area(
                session,
                level_name="district",
                rank=1,
                bounds=(-74.05, lo, -73.90, hi),
                parent=parent,
                code=code,
                department_id=departments["DPR"] if code == "MN02" else None,
            )
        )
    return [a.id for a in areas]


def _cases(session: Session, settings: Settings, staff: str) -> dict[str, str]:
    """One case per seeded status, with a contact, under the fixed tracking ids."""
    keys: dict[str, str] = {}
    for n, (tracking_id, steps) in enumerate(zip(TRACKING_IDS, SEEDED_STEPS, strict=True)):
        data = CaseCreate.model_validate(
            {
                "category": "pothole" if n % 2 else "graffiti",
                "title": f"Report {n}",
                "description": "Seen on the way to work",
                "lat": 40.71 + n * 0.02,
                "lon": -74.0,
                "address": f"{n + 1} Broadway",
                "attributes": {"depth": "deep"} if n % 2 else {},
                "contact": {"name": "Ada", "email": "ada@example.org"},
            }
        )
        case, key = service.create(session, data=data, settings=settings, now=FILED_AT)
        case.tracking_id = tracking_id
        keys[tracking_id] = key
        for step in steps:
            workflow.transition(
                session, case=case, to_status=step, actor=staff, settings=settings, now=FILED_AT
            )
    session.flush()
    return keys


def seed_city(session: Session, settings: Settings) -> World:
    """Seed the city in ``session`` and return what names it."""
    departments = {
        code: factories.department(session, code=code, is_default=code == "311").id
        for code in DEPARTMENT_CODES
    }
    area_ids = _grid(session, departments)
    pothole = _pothole(session)
    factories.category(session, code="graffiti", name="Graffiti")
    noise = factories.category(session, code="noise", name="Noise")
    noise.sensitive = True
    retired = factories.category(session, code="retired", name="Retired category")
    retired.active = False
    factories.routing_rule(session, category_id=pothole.id, department_id=departments["DOT"])
    factories.routing_rule(session, category_id=noise.id, department_id=departments["DEP"])
    calendar = factories.calendar(session)
    factories.sla_policy(session, category_id=None, calendar_id=calendar.id)
    supervisor = accounts.create(
        session, username="fuzz-supervisor", display_name="Sue", role="supervisor"
    )
    token = accounts.issue_token(session, user=supervisor)
    keys = _cases(session, settings, supervisor.username)
    return World(staff_token=token, area_ids=area_ids, resident_keys=keys)


@pytest.fixture
def world(session: Session, settings: Settings) -> World:
    """The city, seeded in the test's rolled-back session."""
    return seed_city(session, settings)
