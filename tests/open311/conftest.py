"""A small city that takes Open311 reports, in the rolled-back test session and, for the real
clients, committed in a database of its own behind uvicorn on a loopback port."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from jsonschema import Draft7Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT7
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from civicgrid import migrate
from civicgrid.app import create_app
from civicgrid.catalog.models import CategoryQuestion
from civicgrid.db import make_engine, make_session_factory, transaction
from civicgrid.open311 import apikeys
from civicgrid.settings import Settings
from tests import factories
from tests.conftest import SHARED_DATA, own_database, served

SCHEMAS = SHARED_DATA.parent / "specs" / "open311" / "schema-validation"
ROOT = "/open311/v2/"
LIST_VALUES = [{"key": "left", "name": "Left side"}, {"key": "right", "name": "Right side"}]
ISSUES = [
    {"key": "dark", "name": "Dark"},
    {"key": "flicker", "name": "Flickers"},
    {"key": "day", "name": "On by day"},
]
# FixMyStreet's XML::Simple ForceArray: these elements are always lists when it reads XML.
FORCE_LIST = ("service", "attribute", "value", "request", "error", "request_update")


@dataclass
class City:
    """What the tests need to know about the seeded city."""

    api_key: str
    other_key: str


def seed(session: Session) -> City:
    """Departments, a district, categories asking all six datatypes, an SLA, two API keys."""
    factories.department(session, code="311", is_default=True)
    roads = factories.department(session, code="DOT")
    whole = factories.area(session, level_name="city", rank=0, bounds=(0, 0, 2, 2), code="X")
    factories.area(
        session, level_name="district", rank=1, bounds=(0, 1, 2, 2), parent=whole, code="N"
    )
    pothole = factories.category(session, code="pothole", name="Pothole")
    pothole.group, pothole.keywords, pothole.description = "streets", "hole, road", "A hole"
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
    factories.routing_rule(session, category_id=pothole.id, department_id=roads.id)
    light = factories.category(session, code="streetlight", name="Street light out")
    for order, (code, datatype, required, values) in enumerate(
        [
            ("pole", "string", True, []),
            ("height", "number", False, []),
            ("noticed", "datetime", False, []),
            ("details", "text", False, []),
            ("side", "singlevaluelist", False, LIST_VALUES),
            ("issues", "multivaluelist", True, ISSUES),
        ],
        start=1,
    ):
        light.questions.append(
            CategoryQuestion(
                code=code,
                order=order,
                datatype=datatype,
                required=required,
                description=f"Question {code}",
                values=values,
            )
        )
    factories.category(session, code="graffiti", name="Graffiti")
    shelter = factories.category(session, code="shelter", name="Person sleeping rough")
    shelter.sensitive = True
    retired = factories.category(session, code="retired", name="Old kind")
    retired.active = False
    cal = factories.calendar(session)
    factories.sla_policy(session, category_id=None, calendar_id=cal.id)
    _, key = apikeys.create(session, name="FixMyStreet", contact="fms@example.org")
    _, other = apikeys.create(session, name="Other app")
    session.flush()
    return City(api_key=key, other_key=other)


@pytest.fixture
def city(session: Session) -> City:
    """The city in the test's rolled-back session."""
    return seed(session)


@pytest.fixture(scope="session")
def spec_check() -> Callable[[str, Any], None]:
    """Validate a JSON body with the official schema file ``name`` (a no-op without
    ../shared; tests/open311/test_schemas.py shows the skip)."""
    if not SCHEMAS.exists():
        return lambda _name, _body: None
    files = {p.name: json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")}
    registry: Registry[Any] = Registry().with_resources(
        (name, Resource.from_contents(body, default_specification=DRAFT7))
        for name, body in files.items()
    )

    def check(name: str, body: Any) -> None:
        Draft7Validator(
            files[name], registry=registry, format_checker=Draft7Validator.FORMAT_CHECKER
        ).validate(body)

    return check


@dataclass
class Live:
    """A civicgrid served by uvicorn on a loopback port, with its own committed database."""

    base: str
    engine: Engine
    city: City
    settings: Settings


@pytest.fixture(scope="session")
def live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """Start civicgrid with uvicorn in a thread; stop it after the session."""
    tmp = tmp_path_factory.mktemp("live")
    with own_database(tmp, "live") as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        factory = make_session_factory(engine)
        with transaction(factory) as session:
            city = seed(session)
        settings = Settings(
            data_dir=tmp, database_url=url, embedded_worker=False, shared_dir=SHARED_DATA.parent
        )
        app = create_app(settings, session_factory=factory)
        try:
            with served(app, timeout=20) as base:
                yield Live(f"{base}{ROOT}", engine, city, settings)
        finally:
            engine.dispose()
