"""The reply-check and flagged-replies routes over HTTP."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

from civicgrid.replyquality import scorer
from tests.cases.conftest import City
from tests.replyquality.conftest import EN_COMPLAINT, EN_GOOD, EN_WEAK


def _auth(city: City, who: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {city.tokens[who]}"}


def _file(client: TestClient) -> str:
    report = {"category": "graffiti", "description": EN_COMPLAINT, "lat": 1.5, "lon": 0.5}
    response = client.post("/api/v1/cases", json=report)
    assert response.status_code == 201, response.text
    tracking_id: str = response.json()["tracking_id"]
    return tracking_id


def _check(client: TestClient, city: City, tracking_id: str, body: str) -> Any:
    return client.post(
        f"/api/v1/cases/{tracking_id}/reply-check",
        json={"body": body},
        headers=_auth(city, "caseworker"),
    )


def test_check_a_draft(client: TestClient, city: City) -> None:
    tracking_id = _file(client)
    response = _check(client, city, tracking_id, EN_GOOD)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["tracking_id"] == tracking_id
    assert body["scorer_version"] == scorer.VERSION
    assert body["language"] == "en"
    assert body["flagged"] is False
    assert body["event_id"] is None
    assert body["assessed_by"] == "cw"
    assert 0 <= body["relevance"] <= 1
    assert body["timeliness"] == 1.0
    weak = _check(client, city, tracking_id, EN_WEAK).json()
    assert weak["flagged"] is True
    assert {"too_short", "no_action"} <= {r["code"] for r in weak["reasons"]}
    # Nothing was sent: the public timeline still holds the filing only.
    events = client.get(f"/api/v1/cases/{tracking_id}/events").json()
    assert [e["kind"] for e in events] == ["filed"]


def test_check_needs_staff_a_case_and_a_body(client: TestClient, city: City) -> None:
    tracking_id = _file(client)
    url = f"/api/v1/cases/{tracking_id}/reply-check"
    assert client.post(url, json={"body": EN_GOOD}).status_code == 401
    bad = client.post(url, json={"body": EN_GOOD}, headers={"Authorization": "Bearer nope"})
    assert bad.status_code in (401, 403)
    assert _check(client, city, "NOPE-NOPE", EN_GOOD).status_code == 404
    empty = _check(client, city, tracking_id, "")
    assert empty.status_code == 422
    assert empty.json()["error"]["details"]["problems"][0]["field"] == "body"
    blank = _check(client, city, tracking_id, "   ")
    assert blank.status_code == 422
    assert "empty" in blank.json()["error"]["message"]


def test_flagged_replies_for_supervisors(client: TestClient, city: City) -> None:
    tracking_id = _file(client)
    _check(client, city, tracking_id, EN_WEAK)
    response = client.get("/api/v1/reply-quality/flagged", headers=_auth(city, "supervisor"))
    assert response.status_code == 200, response.text
    page = response.json()
    assert page["total"] == 1
    assert page["items"][0]["tracking_id"] == tracking_id
    assert page["items"][0]["flagged"] is True
    drafts = client.get(
        "/api/v1/reply-quality/flagged",
        params={"sent": "true", "page_size": 5},
        headers=_auth(city, "supervisor"),
    ).json()
    assert drafts["total"] == 0
    assert drafts["page_size"] == 5
    refused = client.get("/api/v1/reply-quality/flagged", headers=_auth(city, "caseworker"))
    assert refused.status_code == 403
    assert client.get("/api/v1/reply-quality/flagged").status_code == 401
    unknown = client.get(
        "/api/v1/reply-quality/flagged",
        params={"department": "NOPE"},
        headers=_auth(city, "supervisor"),
    )
    assert unknown.status_code == 404
