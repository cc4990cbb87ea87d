"""Bad input on the configuration services and pages gets a clear error, and nothing half-done."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from civicgrid.accounts.models import User
from civicgrid.cases import access, supporters
from civicgrid.catalog import config as catalog_config
from civicgrid.errors import Conflict, Invalid, NotFound
from civicgrid.photos import service as photos
from civicgrid.replies import service as replies
from civicgrid.settings import Settings
from civicgrid.sla import config as sla_config
from tests.web import seed
from tests.web.conftest import login, post
from tests.web.test_photos import png_bytes
from tests.web.test_staff_pages import file_case

ACTOR = "user:test"


def test_catalogue_changes_are_checked(session: Session, city: seed.WebCity) -> None:
    with pytest.raises(Invalid, match="name"):
        catalog_config.save_department(session, actor=ACTOR, code="X", name=" ")
    with pytest.raises(Invalid, match="name"):
        catalog_config.save_category(session, actor=ACTOR, code="x", name="")
    for kwargs, match in (
        ({"datatype": "colour"}, "datatype"),
        ({"datatype": "text", "description": " "}, "write the question"),
    ):
        with pytest.raises(Invalid, match=match):
            catalog_config.add_question(
                session,
                actor=ACTOR,
                category=city.graffiti,
                code="q",
                **({"description": "What?"} | kwargs),  # type: ignore[arg-type]
            )
    for kwargs in ({"department_id": 999999}, {"category_id": 999999}, {"area_id": 999999}):
        args = {"department_id": city.roads.id, "category_id": None, "area_id": None} | kwargs
        with pytest.raises(Invalid):
            catalog_config.add_rule(session, actor=ACTOR, **args)
    with pytest.raises(NotFound):
        catalog_config.remove_rule(session, actor=ACTOR, rule_id=999999)


def test_deadline_changes_are_checked(session: Session, city: seed.WebCity) -> None:
    with pytest.raises(NotFound):
        sla_config.get_calendar_or_raise(session, 999999)
    calendar = sla_config.list_calendars(session)[0]
    good = {"category_id": None, "calendar_id": calendar.id, "unit": "working_hours"}
    for change in ({"unit": "fortnights"}, {"calendar_id": 999999}, {"category_id": 999999}):
        with pytest.raises(Invalid):
            sla_config.save_policy(
                session, actor=ACTOR, first_response=1, resolution=2, **(good | change)
            )
    with pytest.raises(NotFound):
        sla_config.remove_holiday(session, actor=ACTOR, holiday_id=999999)


def test_reply_templates_are_checked(
    session: Session, settings: Settings, city: seed.WebCity
) -> None:
    for name, body, category_id in (("", "x", None), ("n", " ", None), ("n", "x", 999999)):
        with pytest.raises(Invalid):
            replies.save(session, template=None, name=name, body=body, category_id=category_id)
    with pytest.raises(NotFound):
        replies.get_or_raise(session, 999999)
    hidden = replies.save(
        session, template=None, name="Old", body="x", category_id=None, active=False
    )
    assert hidden in replies.list_(session)
    assert hidden not in replies.list_(session, include_inactive=False)
    case = file_case(session, settings)
    assert hidden not in replies.for_case(session, case=case)


def test_me_too_needs_an_open_case(
    session: Session, settings: Settings, city: seed.WebCity
) -> None:
    case = file_case(session, settings)
    case.status = "closed"
    with pytest.raises(Conflict, match="new report"):
        supporters.add(session, case=case)


def test_unknown_role_sees_no_case(
    session: Session, settings: Settings, city: seed.WebCity
) -> None:
    case = file_case(session, settings)
    stranger = User(username="x", display_name="x", role="visitor", active=True)
    assert not access.can_view(session, stranger, case)


def test_missing_photo_files(
    client: TestClient, session: Session, settings: Settings, city: seed.WebCity
) -> None:
    case = file_case(session, settings)
    photo = photos.store(
        session,
        case_id=case.id,
        photo=photos.clean(png_bytes(), settings=settings),
        settings=settings,
    )
    (photos.photo_dir(settings) / f"{photo.name}.png").unlink()
    assert client.get(f"/photos/{photo.name}").status_code == 404
    assert client.get(f"/photos/{'0' * 32}").status_code == 404


def test_report_form_problems(client: TestClient, city: seed.WebCity) -> None:
    base = {"category": "graffiti", "description": "Paint", "address": "1 Main St"}
    bad_point = post(client, "/report", base | {"lat": "north", "lon": "1"})
    assert bad_point.status_code == 422
    assert "not a coordinate" in bad_point.text
    half_point = post(client, "/report", base | {"lat": "40.7"})
    assert half_point.status_code == 422
    assert "both lat and lon" in half_point.text
    four = [("photos", (f"p{i}.png", png_bytes(), "image/png")) for i in range(4)]
    too_many = post(client, "/report", base, files=four)
    assert "at most 3 photos" in too_many.text
    near = client.get("/report/nearby", params={"category": "pothole", "lat": "x", "lon": "1"})
    assert "No open report" in near.text
    assert client.get("/report?category=pothole").status_code == 200


def test_staff_forms_problems(
    client: TestClient, session: Session, settings: Settings, city: seed.WebCity
) -> None:
    case = file_case(session, settings, contact=False)
    login(client, "caseworker")
    for path in ("note", "reply"):
        post(client, f"/staff/cases/{case.tracking_id}/{path}", {"body": "  "})
        assert "first" in client.get(f"/staff/cases/{case.tracking_id}").text
    post(
        client,
        f"/staff/cases/{case.tracking_id}/co-handling",
        {"department": "PARKS", "reason": ""},
    )
    assert "say why" in client.get(f"/staff/cases/{case.tracking_id}").text
    page = post(client, f"/staff/cases/{case.tracking_id}/contact", {"purpose": "call"})
    assert page.status_code == 200
    assert "left no contact details" in page.text
    assert "<html" in page.text


def test_rating_needs_a_number(
    client: TestClient, session: Session, settings: Settings, city: seed.WebCity
) -> None:
    case = file_case(session, settings)
    response = post(client, f"/track/{case.tracking_id}/rating", {"rating": "good", "key": "x"})
    assert response.status_code == 422
    refused = post(client, f"/track/{case.tracking_id}/rating", {"rating": "4", "key": "wrong"})
    assert refused.status_code == 403
