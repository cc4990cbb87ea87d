from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from civicgrid.accounts import service as accounts
from civicgrid.settings import Settings
from civicgrid.triage import hook, registry
from civicgrid.triage.models import TriageModel
from tests.triage.conftest import City, file


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_model_cards_are_public(client: TestClient, trained: TriageModel) -> None:
    cards = client.get("/api/v1/models").json()
    assert [c["label"] for c in cards] == ["tiny@1"]
    assert cards[0]["status"] == "candidate"
    assert "macro_f1" in cards[0]["evaluation"]
    assert client.get("/api/v1/models/tiny").json()[0]["version"] == 1
    assert client.get("/api/v1/models/none").status_code == 404


def test_case_triage_accept_override_merge(
    client: TestClient, session: Session, settings: Settings, city: City, trained: TriageModel
) -> None:
    registry.approve(session, model=trained, by="a")
    registry.serve(session, model=trained, by="a")
    first, _ = file(session, settings, title="graffiti on the library wall")
    second, _ = file(session, settings, title="graffiti on the library wall", lat=1.5001)
    hook.on_case_filed(session, case=second, settings=settings)
    headers = _auth(city.tokens["caseworker"])
    assert client.get(f"/api/v1/cases/{second.tracking_id}/triage").status_code == 401
    body = client.get(f"/api/v1/cases/{second.tracking_id}/triage", headers=headers).json()
    assert body["suggestions"][0]["model_label"] == "tiny@1"
    assert body["duplicates"][0]["original"] == first.tracking_id
    sid = body["suggestions"][0]["id"]
    done = client.post(f"/api/v1/triage/suggestions/{sid}/accept", headers=headers)
    assert done.json()["outcome"] == "accepted"
    again = client.post(f"/api/v1/triage/suggestions/{sid}/override", json={}, headers=headers)
    assert again.status_code == 409
    assert (
        client.post(f"/api/v1/triage/suggestions/{sid}/revert", headers=headers).status_code == 409
    )
    merged = client.post(
        f"/api/v1/cases/{second.tracking_id}/merge",
        json={"original": first.tracking_id},
        headers=headers,
    )
    assert merged.status_code == 201
    assert merged.json()["original"] == first.tracking_id
    view = client.get(f"/api/v1/cases/{second.tracking_id}/triage", headers=headers).json()
    assert view["merged_into"] == first.tracking_id
    assert view["duplicates"][0]["status"] == "merged"
    undo = client.post(f"/api/v1/triage/merges/{merged.json()['id']}/undo", headers=headers)
    assert undo.json()["undone_by"] == "cw"


def test_override_and_dismiss(
    client: TestClient, session: Session, settings: Settings, city: City, trained: TriageModel
) -> None:
    registry.approve(session, model=trained, by="a")
    registry.serve(session, model=trained, by="a")
    file(session, settings, title="graffiti on the library wall")
    second, _ = file(session, settings, title="graffiti on the library wall", lat=1.5001)
    result = hook.on_case_filed(session, case=second, settings=settings)
    assert result.suggestion is not None
    headers = _auth(city.tokens["caseworker"])
    over = client.post(
        f"/api/v1/triage/suggestions/{result.suggestion.id}/override",
        json={"category": "pothole"},
        headers=headers,
    )
    assert over.json()["outcome"] == "overridden"
    did = result.duplicates[0].id
    gone = client.post(f"/api/v1/triage/duplicates/{did}/dismiss", headers=headers)
    assert gone.json()["status"] == "dismissed"
    assert (
        client.post("/api/v1/triage/suggestions/999999/accept", headers=headers).status_code == 404
    )


def test_only_administrators_set_thresholds(
    client: TestClient, session: Session, city: City
) -> None:
    headers = _auth(city.tokens["caseworker"])
    assert client.get("/api/v1/triage/categories/pothole", headers=headers).json() == {
        "auto_apply_threshold": None,
        "duplicate_rings": None,
        "duplicate_window_hours": None,
        "related_categories": [],
        "category": "pothole",
        "updated_by": None,
        "updated_at": None,
    }
    body = {"auto_apply_threshold": 0.9, "duplicate_rings": 1}
    denied = client.put("/api/v1/triage/categories/pothole", json=body, headers=headers)
    assert denied.status_code == 403
    admin = accounts.create(session, username="adm", display_name="A", role="administrator")
    token = accounts.issue_token(session, user=admin)
    ok = client.put("/api/v1/triage/categories/pothole", json=body, headers=_auth(token))
    assert ok.json()["auto_apply_threshold"] == 0.9
    assert ok.json()["updated_by"] == "adm"
