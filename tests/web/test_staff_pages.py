"""Staff pages through the in-process client: queue, case page actions, console, supervisor."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.cases import service
from civicgrid.cases.models import Case, CaseEvent, ContactAccess
from civicgrid.cases.schemas import CaseCreate
from civicgrid.db import utcnow
from civicgrid.replies.models import ReplyTemplate
from civicgrid.settings import Settings
from tests.web import seed
from tests.web.conftest import login, post


def file_case(
    session: Session,
    settings: Settings,
    *,
    category: str = "pothole",
    point: tuple[float, float] = seed.WEST_POINT,
    description: str = "Deep pothole on West Street",
    contact: bool = True,
) -> Case:
    data = CaseCreate.model_validate(
        {
            "category": category,
            "description": description,
            "lat": point[0],
            "lon": point[1],
            "address": "12 West Street",
            "attributes": {"depth": "deep"} if category == "pothole" else {},
            "contact": {"name": "Ada", "email": "ada@example.org"} if contact else None,
        }
    )
    case, _key = service.create(session, data=data, settings=settings)
    return case


def test_queue_lists_the_department_overdue_first(
    client: TestClient, session: Session, settings: Settings, city: seed.WebCity
) -> None:
    later = file_case(session, settings)
    overdue = file_case(session, settings, description="Older pothole")
    overdue.resolution_due = utcnow() - timedelta(hours=1)
    parks_case = file_case(session, settings, category="graffiti", description="Paint")
    session.flush()
    login(client, "caseworker")
    page = client.get("/staff/queue")
    assert page.status_code == 200
    assert page.text.index(overdue.tracking_id) < page.text.index(later.tracking_id)
    assert parks_case.tracking_id not in page.text
    assert "Overdue" in page.text
    assert "ada@example.org" not in page.text
    only_overdue = client.get("/staff/queue", params={"deadline": "breached"})
    assert overdue.tracking_id in only_overdue.text
    assert later.tracking_id not in only_overdue.text
    searched = client.get(
        "/staff/queue", params={"q": "older", "status": "all", "category": "pothole"}
    )
    assert overdue.tracking_id in searched.text
    assert later.tracking_id not in searched.text


def test_bulk_acknowledge(
    client: TestClient, session: Session, settings: Settings, city: seed.WebCity
) -> None:
    one, two = file_case(session, settings), file_case(session, settings)
    parks_case = file_case(session, settings, category="graffiti")
    login(client, "caseworker")
    response = post(
        client,
        "/staff/queue/bulk",
        {
            "action": "acknowledged",
            "tracking_ids": [one.tracking_id, two.tracking_id, parks_case.tracking_id],
        },
    )
    assert response.status_code == 303
    session.refresh(one)
    session.refresh(parks_case)
    assert one.status == "acknowledged"
    assert parks_case.status == "new"
    page = client.get("/staff/queue")
    assert "2 cases updated" in page.text
    assert parks_case.tracking_id in page.text
    bad = post(client, "/staff/queue/bulk", {"action": "closed", "tracking_ids": [one.tracking_id]})
    assert bad.status_code == 422


def test_case_page_reply_with_template_then_resolve(
    client: TestClient, session: Session, settings: Settings, city: seed.WebCity
) -> None:
    case = file_case(session, settings)
    login(client, "caseworker")
    page = client.get(f"/staff/cases/{case.tracking_id}")
    assert page.status_code == 200
    assert "Pothole filled" in page.text
    assert "ada@example.org" not in page.text  # only after asking, with a purpose
    template = session.scalars(select(ReplyTemplate)).one()
    filled = client.get(
        f"/staff/cases/{case.tracking_id}/reply-text", params={"template_id": template.id}
    )
    assert f"Case {case.tracking_id}: the Pothole at 12 West Street" in filled.text
    body = f"Case {case.tracking_id}: filled."
    assert post(client, f"/staff/cases/{case.tracking_id}/reply", {"body": body}).status_code == 303
    assert (
        post(client, f"/staff/cases/{case.tracking_id}/note", {"body": "crew 7"}).status_code == 303
    )
    assert (
        post(client, f"/staff/cases/{case.tracking_id}/status", {"status": "resolved"}).status_code
        == 303
    )
    session.refresh(case)
    assert case.status == "resolved"
    assert case.first_response_at is not None
    public = client.get(f"/track/{case.tracking_id}").text
    assert body in public
    assert "crew 7" not in public
    # An impossible move comes back as a message, not an error page.
    post(client, f"/staff/cases/{case.tracking_id}/status", {"status": "waiting"})
    assert "cannot become waiting" in client.get(f"/staff/cases/{case.tracking_id}").text


def test_contact_view_is_logged(
    client: TestClient, session: Session, settings: Settings, city: seed.WebCity
) -> None:
    case = file_case(session, settings)
    login(client, "caseworker")
    shown = post(
        client,
        f"/staff/cases/{case.tracking_id}/contact",
        {"purpose": "call back about access"},
        headers={"HX-Request": "true"},
    )
    assert "ada@example.org" in shown.text
    access = session.scalars(select(ContactAccess)).one()
    assert access.actor == "caseworker"
    assert access.purpose == "call back about access"
    no_purpose = post(client, f"/staff/cases/{case.tracking_id}/contact", {"purpose": ""})
    assert "ada@example.org" not in no_purpose.text
    assert "purpose" in no_purpose.text


def test_transfer_and_co_handling(
    client: TestClient, session: Session, settings: Settings, city: seed.WebCity
) -> None:
    case = file_case(session, settings)
    login(client, "caseworker")
    post(
        client,
        f"/staff/cases/{case.tracking_id}/co-handling",
        {"department": "PARKS", "reason": "trees"},
    )
    post(
        client,
        f"/staff/cases/{case.tracking_id}/transfer",
        {"department": "HOTLINE", "reason": "not ours"},
    )
    session.refresh(case)
    assert case.department_id == city.hotline.id
    kinds = session.scalars(select(CaseEvent.kind).where(CaseEvent.case_id == case.id)).all()
    assert "co_handling" in kinds
    assert "transferred" in kinds
    # The case has left the department: the caseworker can no longer open it.
    assert client.get(f"/staff/cases/{case.tracking_id}").status_code == 403


def test_console_files_a_phone_case_and_shows_similar_ones(
    client: TestClient, session: Session, settings: Settings, city: seed.WebCity
) -> None:
    known = file_case(session, settings, description="Huge pothole near the school gate")
    login(client, "operator")
    assert client.get("/console").status_code == 200
    similar = client.get("/console/similar", params={"description": "pothole school gate"})
    assert known.tracking_id in similar.text
    nothing = client.get("/console/similar", params={"description": "zzz", "category": "graffiti"})
    assert known.tracking_id not in nothing.text
    filed = post(
        client,
        "/console",
        {
            "description": "Caller says: pothole at the school",
            "category": "pothole",
            "attr.depth": "shallow",
            "address": "School Road 1",
            "name": "Bo Caller",
            "phone": "555-0100",
        },
    )
    assert filed.status_code == 201
    case = session.scalars(select(Case).where(Case.channel == "phone")).one()
    assert case.tracking_id in filed.text
    bad = post(client, "/console", {"description": "x", "category": "pothole", "address": "y"})
    assert bad.status_code == 422
    assert "depth" in bad.text


def test_supervisor_sees_their_area_escalations_first_and_reassigns(
    client: TestClient, session: Session, settings: Settings, city: seed.WebCity
) -> None:
    west = file_case(session, settings)
    escalated = file_case(session, settings, description="Escalated pothole")
    escalated.escalation_level = 1
    east = file_case(session, settings, point=seed.EAST_POINT)
    session.flush()
    login(client, "supervisor")
    page = client.get("/supervisor")
    assert page.status_code == 200
    assert page.text.index(escalated.tracking_id) < page.text.index(west.tracking_id)
    assert east.tracking_id not in page.text
    points = client.get("/supervisor/map.geojson").json()
    ids = {f["properties"]["label"].split(" ")[0] for f in points["features"]}
    assert ids == {west.tracking_id, escalated.tracking_id}
    assert client.get(f"/staff/cases/{east.tracking_id}").status_code == 403
    moved = post(
        client,
        f"/staff/cases/{west.tracking_id}/transfer",
        {"department": "PARKS", "reason": "park land"},
    )
    assert moved.status_code == 303
    session.refresh(west)
    assert west.department_id == city.parks.id


def test_command_sees_the_whole_city_but_cannot_work_cases(
    client: TestClient, session: Session, settings: Settings, city: seed.WebCity
) -> None:
    east = file_case(session, settings, point=seed.EAST_POINT)
    login(client, "command")
    assert east.tracking_id in client.get("/supervisor").text
    page = client.get(f"/staff/cases/{east.tracking_id}")
    assert page.status_code == 200
    assert "Send reply" not in page.text
    refused = post(client, f"/staff/cases/{east.tracking_id}/note", {"body": "hello"})
    assert refused.status_code == 403
