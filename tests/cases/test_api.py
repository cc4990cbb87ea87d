"""The case API over HTTP: filing, reading, listing, working, rating, contacts, errors."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicgrid.cases.models import ContactAccess
from tests.cases.conftest import City

REPORT = {"category": "graffiti", "description": "Tag on the bridge", "lat": 1.5, "lon": 0.5}


def _auth(city: City, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {city.tokens[who]}"}


def _file(client: TestClient, **extra: Any) -> dict[str, Any]:
    response = client.post("/api/v1/cases", json={**REPORT, **extra})
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def test_healthz(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"


def test_file_and_follow(client: TestClient, city: City) -> None:
    receipt = _file(client, contact={"email": "ada@example.org"})
    assert receipt["status"] == "new"
    assert receipt["department"] == "DPR"
    assert receipt["area_name"] == city.north.name
    assert receipt["resident_key"]
    case = client.get(f"/api/v1/cases/{receipt['tracking_id']}").json()
    assert "resident_key" not in case
    assert "ada@example.org" not in str(case)
    events = client.get(f"/api/v1/cases/{receipt['tracking_id']}/events").json()
    assert [e["kind"] for e in events] == ["filed"]


def test_bad_input_gets_a_clear_error(client: TestClient, city: City) -> None:
    response = client.post("/api/v1/cases", json={"category": "graffiti", "description": "x"})
    assert response.status_code == 422
    assert "say where" in response.json()["error"]["message"]
    response = client.post("/api/v1/cases", json={**REPORT, "lat": 123})
    assert response.status_code == 422
    assert response.json()["error"]["details"]["problems"][0]["field"] == "lat"
    response = client.post("/api/v1/cases", json={**REPORT, "category": "nope"})
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_list_filters_and_pages(client: TestClient, city: City) -> None:
    for _ in range(3):
        _file(client)
    _file(client, lat=0.5, category="pothole", attributes={"depth": "shallow"})
    body = client.get("/api/v1/cases", params={"page_size": 2}).json()
    assert (body["total"], len(body["items"]), body["page_size"]) == (4, 2, 2)
    assert client.get("/api/v1/cases", params={"category": "pothole"}).json()["total"] == 1
    assert client.get("/api/v1/cases", params={"department": "DPR"}).json()["total"] == 3
    assert client.get("/api/v1/cases", params={"area_id": city.south.id}).json()["total"] == 1
    assert client.get("/api/v1/cases", params={"bbox": "0,1,2,2"}).json()["total"] == 3
    assert client.get("/api/v1/cases", params={"status": ["new", "closed"]}).json()["total"] == 4
    assert (
        client.get("/api/v1/cases", params={"created_from": "2100-01-01T00:00:00Z"}).json()["total"]
        == 0
    )
    assert (
        client.get("/api/v1/cases", params={"created_to": "2100-01-01T00:00:00Z"}).json()["total"]
        == 4
    )


def test_list_refuses_bad_filters(client: TestClient, city: City) -> None:
    assert client.get("/api/v1/cases", params={"bbox": "2,2,0,0"}).status_code == 422
    assert client.get("/api/v1/cases", params={"bbox": "a,b"}).status_code == 422
    naive = client.get("/api/v1/cases", params={"created_from": "2026-01-01T00:00:00"})
    assert naive.status_code == 422
    assert "time zone" in naive.json()["error"]["message"]
    assert client.get("/api/v1/cases", params={"status": "lost"}).status_code == 422
    assert client.get("/api/v1/cases", params={"department": "NOPE"}).status_code == 404


def test_list_caps_the_page_size(client: TestClient, city: City) -> None:
    _file(client)
    assert client.get("/api/v1/cases", params={"page_size": 99999}).json()["page_size"] == 1000


def test_staff_endpoints_need_a_token(client: TestClient, city: City) -> None:
    tid = _file(client)["tracking_id"]
    response = client.post(f"/api/v1/cases/{tid}/transitions", json={"status": "acknowledged"})
    assert response.status_code == 401
    assert "Bearer" in response.json()["error"]["message"]
    bad = {"Authorization": "Bearer nonsense"}
    assert (
        client.post(f"/api/v1/cases/{tid}/notes", json={"body": "x"}, headers=bad).status_code
        == 403
    )


def test_work_a_case_end_to_end(client: TestClient, city: City) -> None:
    receipt = _file(client)
    tid, key = receipt["tracking_id"], receipt["resident_key"]
    cw = _auth(city, "parks_worker")
    post = lambda path, body: client.post(f"/api/v1/cases/{tid}/{path}", json=body, headers=cw)  # noqa: E731
    assert post("transitions", {"status": "acknowledged"}).json()["status"] == "acknowledged"
    assert post("notes", {"body": "crew booked"}).status_code == 201
    assert post("replies", {"body": "Cleaning Friday"}).status_code == 201
    assert post("co-handlers", {"department": "DOT", "reason": "on a bridge"}).json()[
        "co_handlers"
    ] == ["DOT"]
    refused = post("transitions", {"status": "new"})
    assert refused.status_code == 409
    assert "can become" in refused.json()["error"]["message"]
    assert post("transitions", {"status": "resolved"}).json()["status"] == "resolved"
    public = client.get(f"/api/v1/cases/{tid}/events").json()
    assert "crew booked" not in str(public)
    assert "Cleaning Friday" in str(public)
    internal = client.get(f"/api/v1/cases/{tid}/timeline", headers=cw).json()
    assert "crew booked" in str(internal)
    wrong = client.post(f"/api/v1/cases/{tid}/rating", json={"rating": 1, "resident_key": "x"})
    assert wrong.status_code == 403
    rated = client.post(f"/api/v1/cases/{tid}/rating", json={"rating": 1, "resident_key": key})
    assert rated.json()["status"] == "reopened"
    moved = post("transfer", {"department": "DOT", "reason": "bridge belongs to DOT"})
    assert moved.json()["department"] == "DOT"


def test_a_sent_reply_is_assessed(client: TestClient, city: City, session: Session) -> None:
    from civicgrid.replyquality.models import ReplyAssessment  # noqa: PLC0415

    tid = _file(client)["tracking_id"]
    sent = client.post(
        f"/api/v1/cases/{tid}/replies", json={"body": "ok"}, headers=_auth(city, "parks_worker")
    )
    assert sent.status_code == 201
    assessment = session.scalar(
        select(ReplyAssessment).where(ReplyAssessment.event_id == sent.json()["id"])
    )
    assert assessment is not None
    assert assessment.flagged  # "ok" answers nothing: a weak reply, flagged as a suggestion


def test_contact_endpoint_logs_each_view(client: TestClient, city: City, session: Session) -> None:
    tid = _file(client, contact={"phone": "555 0100"})["tracking_id"]
    url = f"/api/v1/cases/{tid}/contact"
    assert client.get(url, params={"purpose": "call back"}).status_code == 401
    assert (
        client.get(
            url, params={"purpose": "call back"}, headers=_auth(city, "caseworker")
        ).status_code
        == 403
    )
    assert (
        client.get(url, params={"purpose": "call back"}, headers=_auth(city, "command")).status_code
        == 403
    )
    ok = client.get(url, params={"purpose": "call back"}, headers=_auth(city, "supervisor"))
    assert ok.json()["phone"] == "555 0100"
    assert session.scalar(select(func.count(ContactAccess.id))) == 1


def test_unknown_case_is_404_with_the_error_body(client: TestClient, city: City) -> None:
    response = client.get("/api/v1/cases/ZZZZ-ZZZZZZ")
    assert response.status_code == 404
    assert "tracking id" in response.json()["error"]["message"]


def test_catalogue(client: TestClient, city: City) -> None:
    categories = client.get("/api/v1/categories").json()
    pothole = next(c for c in categories if c["code"] == "pothole")
    assert pothole["questions"][0]["values"][1] == {"key": "deep", "name": "Deep"}
    assert client.get("/api/v1/categories/pothole").json()["name"] == "Pothole"
    assert client.get("/api/v1/categories/nope").status_code == 404
    codes = {d["code"] for d in client.get("/api/v1/departments").json()}
    assert {"311", "DOT", "DPR"} <= codes
    assert client.get("/api/v1/departments/311").json()["is_default"] is True
    assert client.get("/api/v1/departments/NOPE").status_code == 404


def test_openapi_is_served(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "/api/v1/cases" in spec["paths"]
    assert "ErrorBody" in spec["components"]["schemas"]
