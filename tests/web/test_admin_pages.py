"""The administrator's pages change the configuration, and each change is in the audit ledger."""

from __future__ import annotations

import json

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.accounts.models import User
from civicgrid.accounts.password import verify_password
from civicgrid.audit.models import AuditEntry
from civicgrid.catalog.models import Category, Department, RoutingRule
from civicgrid.grid.models import Area
from civicgrid.replies.models import ReplyTemplate
from civicgrid.sla.models import Calendar, Holiday, SlaPolicy
from tests.web import seed
from tests.web.conftest import csrf, login, post


def _actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_users_and_roles(client: TestClient, session: Session, city: seed.WebCity) -> None:
    login(client, "administrator")
    created = post(
        client,
        "/admin/users",
        {
            "username": "dora",
            "role": "caseworker",
            "department": "PARKS",
            "password": "dora's long secret",
        },
    )
    assert created.status_code == 303
    dora = session.scalars(select(User).where(User.username == "dora")).one()
    assert dora.department_id == city.parks.id
    edited = post(
        client,
        f"/admin/users/{dora.id}",
        {
            "role": "supervisor",
            "display_name": "Dora",
            "active": "true",
            "password": "another long one",
        },
    )
    assert edited.status_code == 303
    session.refresh(dora)
    assert dora.role == "supervisor"
    assert verify_password(dora.password_hash, "another long one")
    assert client.get(f"/admin/users/{dora.id}").status_code == 200
    me = city.users["administrator"].id
    assert post(client, f"/admin/users/{me}", {"role": "operator"}).status_code == 409
    assert (
        post(
            client, "/admin/users", {"username": "x", "role": "mayor", "password": "long enough pw"}
        ).status_code
        == 422
    )
    assert _actions(session)[-2:] == ["accounts.user_created", "accounts.user_updated"]
    assert "dora" in client.get("/admin/users").text


def test_departments_categories_questions(
    client: TestClient, session: Session, city: seed.WebCity
) -> None:
    login(client, "administrator")
    post(
        client, "/admin/departments", {"code": "WATER", "name": "Water board", "is_default": "true"}
    )
    water = session.scalars(select(Department).where(Department.code == "WATER")).one()
    session.refresh(city.hotline)
    assert water.is_default
    assert not city.hotline.is_default
    post(client, "/admin/departments", {"code": "WATER", "name": "Water and sewers"})
    session.refresh(water)
    assert water.name == "Water and sewers"
    assert not water.is_default
    post(client, "/admin/categories", {"code": "leak", "name": "Water leak", "active": "true"})
    added = post(
        client,
        "/admin/categories/leak/questions",
        {
            "question_code": "size",
            "description": "How big?",
            "datatype": "singlevaluelist",
            "values": "s=Small\nl=Large",
            "required": "true",
        },
    )
    assert added.status_code == 303
    leak = session.scalars(select(Category).where(Category.code == "leak")).one()
    session.refresh(leak)
    assert [q.values for q in leak.questions] == [
        [{"key": "s", "name": "Small"}, {"key": "l", "name": "Large"}]
    ]
    assert "How big?" in client.get("/admin/categories/leak").text
    assert (
        post(
            client,
            "/admin/categories/leak/questions",
            {"question_code": "size", "description": "x", "datatype": "text"},
        ).status_code
        == 409
    )
    assert (
        post(
            client,
            "/admin/categories/leak/questions",
            {"question_code": "k", "description": "x", "datatype": "singlevaluelist"},
        ).status_code
        == 422
    )
    assert post(client, "/admin/categories/leak/questions/size/delete").status_code == 303
    assert post(client, "/admin/categories/leak/questions/size/delete").status_code == 404
    assert "Water leak" in client.get("/admin/categories").text
    assert {
        "catalog.department_created",
        "catalog.category_created",
        "catalog.question_added",
        "catalog.question_removed",
    } <= set(_actions(session))


def test_routing_rules(client: TestClient, session: Session, city: seed.WebCity) -> None:
    login(client, "administrator")
    data = {"department_id": city.parks.id, "category_id": city.pothole.id, "area_id": city.east.id}
    assert post(client, "/admin/routing", data).status_code == 303
    assert post(client, "/admin/routing", data).status_code == 409
    rule = session.scalars(select(RoutingRule).where(RoutingRule.area_id == city.east.id)).one()
    assert "East district" in client.get("/admin/routing").text
    assert post(client, f"/admin/routing/{rule.id}/delete").status_code == 303
    assert session.get(RoutingRule, rule.id) is None


def test_sla_policies_and_holidays(
    client: TestClient, session: Session, city: seed.WebCity
) -> None:
    login(client, "administrator")
    calendar = session.scalars(select(Calendar)).first()
    assert calendar is not None
    saved = post(
        client,
        "/admin/sla/policies",
        {
            "category_id": city.pothole.id,
            "calendar_id": calendar.id,
            "unit": "working_days",
            "first_response": 1,
            "resolution": 5,
        },
    )
    assert saved.status_code == 303
    policy = session.scalars(
        select(SlaPolicy).where(SlaPolicy.category_id == city.pothole.id)
    ).one()
    assert (policy.unit, policy.resolution) == ("working_days", 5)
    bad = post(
        client,
        "/admin/sla/policies",
        {"calendar_id": calendar.id, "unit": "working_days", "first_response": 9, "resolution": 5},
    )
    assert bad.status_code == 422
    post(
        client,
        f"/admin/sla/calendars/{calendar.id}/holidays",
        {"day": "2026-12-24", "name": "Christmas Eve"},
    )
    assert (
        post(
            client, f"/admin/sla/calendars/{calendar.id}/holidays", {"day": "2026-12-24"}
        ).status_code
        == 409
    )
    loaded = post(
        client,
        f"/admin/sla/calendars/{calendar.id}/public-holidays",
        {"country": "us", "year": 2026},
    )
    assert loaded.status_code == 303
    days = session.scalars(select(Holiday).where(Holiday.calendar_id == calendar.id)).all()
    assert len(days) > 5
    eve = next(d for d in days if d.name == "Christmas Eve")
    assert post(client, f"/admin/sla/holidays/{eve.id}/delete").status_code == 303
    assert "Christmas Day" in client.get("/admin/sla").text
    assert {
        "sla.policy_saved",
        "sla.holiday_added",
        "sla.public_holidays_loaded",
        "sla.holiday_removed",
    } <= set(_actions(session))


def test_reply_templates(client: TestClient, session: Session, city: seed.WebCity) -> None:
    login(client, "administrator")
    saved = post(
        client,
        "/admin/replies",
        {"name": "Thanks", "body": "Thank you for {tracking_id}.", "active": "true"},
    )
    assert saved.status_code == 303
    template = session.scalars(select(ReplyTemplate).where(ReplyTemplate.name == "Thanks")).one()
    assert template.category_id is None
    bad = post(client, "/admin/replies", {"name": "Bad", "body": "Hello {resident_name}"})
    assert bad.status_code == 422
    assert "resident_name" in bad.text
    stray = post(client, "/admin/replies", {"name": "Bad", "body": "Hello {"})
    assert stray.status_code == 422
    post(
        client,
        "/admin/replies",
        {"template_id": template.id, "name": "Thanks", "body": "Merci {tracking_id}"},
    )
    session.refresh(template)
    assert template.body == "Merci {tracking_id}"
    assert not template.active
    assert "Merci" in client.get(f"/admin/replies?edit={template.id}").text
    entry = session.scalars(
        select(AuditEntry).where(AuditEntry.action == "replies.template_saved")
    ).first()
    assert entry is not None
    assert "body_sha256" in json.loads(entry.details)


def test_areas_upload_and_responsibility(
    client: TestClient, session: Session, city: seed.WebCity
) -> None:
    login(client, "administrator")
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "properties": {"code": "W1", "name": "West block"},
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [
                            [-74.02, 40.70],
                            [-74.0, 40.70],
                            [-74.0, 40.72],
                            [-74.02, 40.72],
                            [-74.02, 40.70],
                        ]
                    ],
                },
            }
        ],
    }
    uploaded = client.post(
        "/admin/areas/upload",
        data={
            "csrf_token": client.cookies and _token(client),
            "level": "block",
            "name_property": "name",
            "code_property": "code",
            "parent_level": "district",
        },
        files={"file": ("blocks.geojson", json.dumps(collection).encode(), "application/geo+json")},
        follow_redirects=False,
    )
    assert uploaded.status_code == 303, uploaded.text
    block = session.scalars(select(Area).where(Area.code == "W1")).one()
    assert block.parent_id == city.west.id
    page = client.get("/admin/areas")
    assert "1 areas added" in page.text
    assert "West block" in page.text
    post(
        client,
        f"/admin/areas/{block.id}",
        {"department_id": city.roads.id, "supervisor_id": city.users["supervisor"].id},
    )
    session.refresh(block)
    assert block.department_id == city.roads.id
    broken = client.post(
        "/admin/areas/upload",
        data={
            "csrf_token": _token(client),
            "level": "block",
            "name_property": "name",
            "code_property": "code",
        },
        files={"file": ("x.geojson", b"{not json", "application/json")},
    )
    assert broken.status_code == 422
    assert {"grid.areas_loaded", "grid.area_responsible_set"} <= set(_actions(session))


def test_api_keys(client: TestClient, session: Session, city: seed.WebCity) -> None:
    login(client, "administrator")
    issued = post(client, "/admin/apikeys", {"name": "FixMyStreet", "contact": "dev@example.org"})
    assert issued.status_code == 201
    assert 'data-testid="api-key"' in issued.text
    assert post(client, "/admin/apikeys/revoke", {"name": "FixMyStreet"}).status_code == 303
    assert "revoked" in client.get("/admin/apikeys").text
    assert post(client, "/admin/apikeys/revoke", {"name": "FixMyStreet"}).status_code == 409


def _token(client: TestClient) -> str:
    return csrf(client, "/")
