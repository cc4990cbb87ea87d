"""A small city for the web tests: areas, departments, categories, deadlines, a reply
template and one member of staff per role, each with a password."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from civicgrid.accounts import service as accounts
from civicgrid.accounts.models import User
from civicgrid.accounts.password import hash_password
from civicgrid.catalog.models import Category, CategoryQuestion, Department
from civicgrid.grid import service as grid
from civicgrid.grid.models import Area
from civicgrid.replies import service as replies
from tests import factories

PASSWORD = "correct horse battery"
_HASH = hash_password(PASSWORD)  # hashed once: argon2 is slow on purpose
# Lower Manhattan-ish boxes: a city split into a west and an east district.
CITY = (-74.02, 40.70, -73.96, 40.74)
WEST = (-74.02, 40.70, -73.99, 40.74)
EAST = (-73.99, 40.70, -73.96, 40.74)
WEST_POINT = (40.72, -74.00)  # lat, lon
EAST_POINT = (40.72, -73.97)


@dataclass
class WebCity:
    city: Area
    west: Area
    east: Area
    roads: Department
    parks: Department
    hotline: Department
    pothole: Category
    graffiti: Category
    users: dict[str, User] = field(default_factory=dict)


def build(session: Session) -> WebCity:
    """Create the city; ``users`` has operator, caseworker, parks_worker, supervisor, command,
    administrator (all with PASSWORD); the supervisor answers for the west district."""
    hotline = factories.department(session, code="HOTLINE", is_default=True)
    hotline.name = "City hotline"
    roads = factories.department(session, code="ROADS")
    roads.name = "Roads department"
    parks = factories.department(session, code="PARKS")
    parks.name = "Parks department"
    city = factories.area(session, level_name="city", rank=0, bounds=CITY, code="CITY")
    west = factories.area(
        session, level_name="district", rank=1, bounds=WEST, parent=city, code="W"
    )
    east = factories.area(
        session, level_name="district", rank=1, bounds=EAST, parent=city, code="E"
    )
    west.name, east.name, city.name = "West district", "East district", "Demo city"
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
    factories.routing_rule(session, category_id=graffiti.id, department_id=parks.id)
    cal = factories.calendar(session)
    factories.sla_policy(
        session, category_id=None, calendar_id=cal.id, first_response=8, resolution=40
    )
    replies.save(
        session,
        template=None,
        name="Pothole filled",
        body="Case {tracking_id}: the {category} at {address} has been filled by {department}.",
        category_id=pothole.id,
    )
    result = WebCity(city, west, east, roads, parks, hotline, pothole, graffiti)
    for key, role, dept in (
        ("operator", "operator", None),
        ("caseworker", "caseworker", "ROADS"),
        ("parks_worker", "caseworker", "PARKS"),
        ("supervisor", "supervisor", None),
        ("command", "command", None),
        ("administrator", "administrator", None),
    ):
        user = accounts.create(
            session,
            username=key.replace("_", "-"),
            display_name=key.replace("_", " ").title(),
            role=role,
            department_code=dept,
        )
        user.password_hash = _HASH
        result.users[key] = user
    grid.set_responsible(session, area_id=west.id, supervisor_id=result.users["supervisor"].id)
    session.flush()
    return result
