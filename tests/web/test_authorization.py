"""Every HTML route x every role: who gets the page, who is sent to log in, who is refused.
And the reporter's contact: never in lists, never for anonymous users, never for another
department's caseworker."""

from __future__ import annotations

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from civicgrid.photos import service as photos
from civicgrid.settings import Settings
from civicgrid.web.routers import html_routers
from civicgrid.web.routing import HtmlRoute
from tests.web import seed
from tests.web.conftest import csrf, login
from tests.web.test_photos import png_bytes
from tests.web.test_staff_pages import file_case

ROLES = (
    "anonymous",
    "operator",
    "caseworker",
    "parks_worker",
    "supervisor",
    "command",
    "administrator",
)
EVERYONE = frozenset(ROLES)
STAFF = EVERYONE - {"anonymous"}
ADMIN = frozenset({"administrator"})
CASE_VIEW = STAFF - {"parks_worker"}  # the case is the Roads department's, in the west district
CASE_WORK = frozenset({"caseworker", "supervisor"})
CONTACT = frozenset({"operator", "caseworker", "supervisor", "administrator"})
EMAIL = "ada@example.org"

# (method, path, roles allowed); {id} is the case, {photo} a photo name.
ROUTES: list[tuple[str, str, frozenset[str]]] = [
    ("GET", "/", EVERYONE),
    ("POST", "/language", EVERYONE),
    ("GET", "/report", EVERYONE),
    ("GET", "/report/questions", EVERYONE),
    ("GET", "/report/nearby", EVERYONE),
    ("POST", "/report", EVERYONE),
    ("GET", "/track", EVERYONE),
    ("GET", "/track/{id}", EVERYONE),
    ("POST", "/track/{id}/rating", EVERYONE),
    ("POST", "/track/{id}/me-too", EVERYONE),
    ("GET", "/photos/{photo}", EVERYONE),
    ("GET", "/photos/{photo}/thumb", EVERYONE),
    ("GET", "/map/areas.geojson", EVERYONE),
    ("GET", "/performance", EVERYONE),
    ("GET", "/performance/equity", EVERYONE),
    ("GET", "/performance/areas.geojson", EVERYONE),
    ("GET", "/models", EVERYONE),
    ("GET", "/login", EVERYONE),
    ("POST", "/login", EVERYONE),
    ("POST", "/logout", EVERYONE),
    ("GET", "/staff", STAFF),
    ("GET", "/console", frozenset({"operator", "supervisor"})),
    ("GET", "/console/similar", frozenset({"operator", "supervisor"})),
    ("POST", "/console", frozenset({"operator", "supervisor"})),
    ("GET", "/staff/queue", frozenset({"caseworker", "parks_worker"})),
    ("POST", "/staff/queue/bulk", frozenset({"caseworker", "parks_worker"})),
    ("GET", "/staff/cases/{id}", CASE_VIEW),
    ("GET", "/staff/cases/{id}/reply-text", CASE_VIEW),
    ("POST", "/staff/cases/{id}/contact", CASE_VIEW),
    ("POST", "/staff/cases/{id}/note", CASE_WORK),
    ("POST", "/staff/cases/{id}/reply", CASE_WORK),
    ("POST", "/staff/cases/{id}/status", CASE_WORK),
    ("POST", "/staff/cases/{id}/transfer", CASE_WORK),
    ("POST", "/staff/cases/{id}/co-handling", CASE_WORK),
    ("GET", "/supervisor", frozenset({"supervisor", "command"})),
    ("GET", "/supervisor/map.geojson", frozenset({"supervisor", "command"})),
    ("GET", "/admin", ADMIN),
    ("GET", "/admin/users", ADMIN),
    ("POST", "/admin/users", ADMIN),
    ("GET", "/admin/users/{user}", ADMIN),
    ("POST", "/admin/users/{user}", ADMIN),
    ("GET", "/admin/areas", ADMIN),
    ("POST", "/admin/areas/upload", ADMIN),
    ("POST", "/admin/areas/{area}", ADMIN),
    ("GET", "/admin/departments", ADMIN),
    ("POST", "/admin/departments", ADMIN),
    ("GET", "/admin/categories", ADMIN),
    ("POST", "/admin/categories", ADMIN),
    ("GET", "/admin/categories/pothole", ADMIN),
    ("POST", "/admin/categories/pothole/questions", ADMIN),
    ("POST", "/admin/categories/pothole/questions/depth/delete", ADMIN),
    ("GET", "/admin/routing", ADMIN),
    ("POST", "/admin/routing", ADMIN),
    ("POST", "/admin/routing/{rule}/delete", ADMIN),
    ("GET", "/admin/sla", ADMIN),
    ("POST", "/admin/sla/policies", ADMIN),
    ("POST", "/admin/sla/calendars/{calendar}/holidays", ADMIN),
    ("POST", "/admin/sla/calendars/{calendar}/public-holidays", ADMIN),
    ("POST", "/admin/sla/holidays/{holiday}/delete", ADMIN),
    ("GET", "/admin/replies", ADMIN),
    ("POST", "/admin/replies", ADMIN),
    ("GET", "/admin/apikeys", ADMIN),
    ("POST", "/admin/apikeys", ADMIN),
    ("POST", "/admin/apikeys/revoke", ADMIN),
]


def _template(path: str) -> str:
    """The route's declared path for a concrete path of ROUTES."""
    return (
        path.replace("{id}", "{tracking_id}")
        .replace("{photo}", "{name}")
        .replace("{user}", "{user_id}")
        .replace("{area}", "{area_id}")
        .replace("{rule}", "{rule_id}")
        .replace("{calendar}", "{calendar_id}")
        .replace("{holiday}", "{holiday_id}")
        .replace("/pothole/questions/depth/", "/{code}/questions/{question_code}/")
        .replace("/pothole/questions", "/{code}/questions")
        .replace("/categories/pothole", "/categories/{code}")
    )


def test_the_matrix_covers_every_html_route(app: FastAPI) -> None:
    declared: set[tuple[str, str]] = set()
    for router in html_routers():
        for route in router.routes:
            assert isinstance(route, HtmlRoute)
            declared |= {(method, route.path) for method in route.methods}
    covered = {(method, _template(path)) for method, path, _ in ROUTES}
    assert declared == covered


def _status(client: TestClient, method: str, path: str, token: str) -> int:
    if method == "GET":
        return client.get(path, follow_redirects=False).status_code
    return client.post(path, data={"csrf_token": token}, follow_redirects=False).status_code


@pytest.mark.parametrize("role", ROLES)
def test_every_route_for_every_role(
    client: TestClient, session: Session, settings: Settings, city: seed.WebCity, role: str
) -> None:
    case = file_case(session, settings)
    photo = photos.store(
        session,
        case_id=case.id,
        photo=photos.clean(png_bytes(), settings=settings),
        settings=settings,
    )
    ids = {
        "{id}": case.tracking_id,
        "{photo}": photo.name,
        "{user}": str(city.users["operator"].id),
        "{area}": str(city.west.id),
        "{rule}": "999999",
        "{calendar}": "999999",
        "{holiday}": "999999",
    }
    if role != "anonymous":
        login(client, role.replace("_", "-"))
    token = csrf(client, "/")
    for method, path, allowed in ROUTES:
        concrete = path
        for key, value in ids.items():
            concrete = concrete.replace(key, value)
        if path in ("/logout", "/login"):
            continue  # they change who is logged in; tested on their own
        got = _status(client, method, concrete, token)
        if role in allowed:
            assert got not in (401, 403), f"{role} {method} {concrete}: {got}"
        elif role == "anonymous":
            assert got == (303 if method == "GET" else 401), f"{method} {concrete}: {got}"
        else:
            assert got == 403, f"{role} {method} {concrete}: {got}"


@pytest.mark.parametrize("role", ROLES)
def test_contact_details_only_on_the_case_page_when_asked(
    client: TestClient, session: Session, settings: Settings, city: seed.WebCity, role: str
) -> None:
    case = file_case(session, settings)
    if role != "anonymous":
        login(client, role.replace("_", "-"))
    pages = [
        "/",
        "/report",
        f"/track/{case.tracking_id}",
        "/report/nearby?category=pothole&lat=40.72&lon=-74.0",
        "/staff/queue",
        "/supervisor",
        "/supervisor/map.geojson",
        "/console/similar?description=deep+pothole+west+street",
        f"/staff/cases/{case.tracking_id}",
    ]
    for path in pages:
        assert EMAIL not in client.get(path).text, path
    token = csrf(client, "/")
    shown = client.post(
        f"/staff/cases/{case.tracking_id}/contact",
        data={"csrf_token": token, "purpose": "call back"},
        headers={"HX-Request": "true"},
    )
    assert (EMAIL in shown.text) == (role in CONTACT), f"{role}: {shown.status_code}"
