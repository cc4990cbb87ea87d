"""FixMyStreet's servicerequestupdates: its upper-case statuses mapped onto the case lifecycle,
replays of an update_id, and the public updates listed in a time window."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import xmltodict
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicgrid.cases import service as cases
from civicgrid.cases import workflow
from civicgrid.cases.models import CaseEvent
from civicgrid.cases.schemas import CaseCreate
from civicgrid.open311.updates import moves
from civicgrid.settings import Settings
from tests.open311.conftest import FORCE_LIST, ROOT, City


def _file(client: TestClient, city: City, code: str = "graffiti") -> str:
    form = {"api_key": city.api_key, "service_code": code, "lat": "1", "long": "1"}
    response = client.post(ROOT + "requests.json", data=form)
    assert response.status_code == 201, response.text
    return str(response.json()[0]["service_request_id"])


def _update(client: TestClient, key: str, srid: str, status: str, **extra: str) -> Any:
    form = {
        "api_key": key,
        "service_request_id": srid,
        "update_id": extra.pop("update_id", f"u-{srid}-{status}"),
        "status": status,
        "updated_datetime": "2026-06-02T10:00:00+01:00",
        "description": extra.pop("description", f"{status} says FixMyStreet"),
        **extra,
    }
    return client.post(ROOT + "servicerequestupdates.xml", data=form)


def _update_id(response: Any) -> str:
    assert response.status_code == 200, response.text
    parsed = xmltodict.parse(response.text, force_list=FORCE_LIST)
    return str(parsed["service_request_updates"]["request_update"][0]["update_id"])


def _status(session: Session, srid: str) -> str:
    session.expire_all()
    return cases.get_or_raise(session, srid).status


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("FIXED", "resolved"),
        ("fixed", "resolved"),
        ("CLOSED", "closed"),
        ("DUPLICATE", "closed"),
        ("NOT_COUNCILS_RESPONSIBILITY", "closed"),
        ("NOT_RESPONSIBLE", "closed"),
        ("NO_FURTHER_ACTION", "closed"),
        ("INVESTIGATING", "acknowledged"),
        ("IN_PROGRESS", "in_progress"),
        ("ACTION_SCHEDULED", "in_progress"),
        ("OPEN", "new"),
        ("REOPEN", "new"),
        ("FOR_TRIAGE", "new"),
        ("INTERNAL_REFERRAL", "new"),
    ],
)
def test_statuses_map_to_ours(
    client: TestClient, city: City, session: Session, status: str, expected: str
) -> None:
    srid = _file(client, city)
    event_id = _update_id(_update(client, city.api_key, srid, status))
    assert _status(session, srid) == expected
    event = session.get(CaseEvent, int(event_id))
    assert event is not None
    assert event.body == f"{status} says FixMyStreet"
    assert event.public


def test_a_repeated_update_id_changes_nothing(
    client: TestClient, city: City, session: Session
) -> None:
    srid = _file(client, city)
    first = _update_id(_update(client, city.api_key, srid, "IN_PROGRESS", update_id="42"))
    events = session.scalar(select(func.count()).select_from(CaseEvent))
    again = _update_id(_update(client, city.api_key, srid, "IN_PROGRESS", update_id="42"))
    assert first == again
    assert session.scalar(select(func.count()).select_from(CaseEvent)) == events
    changed = _update(client, city.api_key, srid, "FIXED", update_id="42")
    assert changed.status_code == 400


def test_closing_without_text_gets_a_reason_and_reopening_goes_back_to_work(
    client: TestClient, city: City, session: Session
) -> None:
    srid = _file(client, city)
    _update_id(_update(client, city.api_key, srid, "CLOSED", description=""))
    assert _status(session, srid) == "closed"
    case = cases.get_or_raise(session, srid)
    closing = session.scalar(
        select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.to_status == "closed")
    )
    assert closing is not None
    assert closing.body == "CLOSED from FixMyStreet"
    update_id = _update_id(_update(client, city.api_key, srid, "IN_PROGRESS"))
    assert _status(session, srid) == "in_progress"
    reopened = session.get(CaseEvent, int(update_id))
    assert reopened is not None
    assert reopened.to_status == "reopened"


def test_a_move_the_lifecycle_forbids_is_kept_as_a_comment(
    client: TestClient, city: City, session: Session
) -> None:
    srid = _file(client, city)
    _update_id(_update(client, city.api_key, srid, "IN_PROGRESS"))
    update_id = _update_id(_update(client, city.api_key, srid, "INVESTIGATING"))
    assert _status(session, srid) == "in_progress"
    comment = session.get(CaseEvent, int(update_id))
    assert comment is not None
    assert (comment.kind, comment.actor) == ("client_update", "apikey:FixMyStreet")
    assert comment.data["status"] == "INVESTIGATING"


def test_only_the_filing_client_moves_a_case(
    client: TestClient, city: City, session: Session
) -> None:
    srid = _file(client, city)
    update_id = _update_id(_update(client, city.other_key, srid, "FIXED"))
    assert _status(session, srid) == "new"
    comment = session.get(CaseEvent, int(update_id))
    assert comment is not None
    assert comment.kind == "client_update"


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"status": "SOLVED"}, 400, "status must be one of"),
        ({"update_id": ""}, 400, "missing update_id"),
        ({"status": ""}, 400, "missing status"),
        ({"updated_datetime": "2026-06-02 10:00"}, 400, "needs a time zone"),
        ({"updated_datetime": "soon"}, 400, "must be a date-time"),
        ({"service_request_id": "NOPE"}, 404, "NOPE"),
        ({"api_key": ""}, 403, "api_key is required"),
        ({"api_key": "bad"}, 403, "unknown or revoked"),
        ({"description": "x" * 10_001}, 400, "10000"),
        ({"update_id": "u" * 201}, 400, "update_id is longer"),
        ({"description": "a\x00b"}, 400, "NUL"),
        ({"description": "a\x00b", "api_key": "bad"}, 403, "unknown or revoked"),
    ],
)
def test_bad_updates_get_the_spec_errors(
    client: TestClient, city: City, change: dict[str, str], status: int, message: str
) -> None:
    srid = _file(client, city)
    form = {
        "api_key": city.api_key,
        "service_request_id": srid,
        "update_id": "7",
        "status": "FIXED",
        "updated_datetime": "2026-06-02T10:00:00Z",
        **change,
    }
    response = client.post(ROOT + "servicerequestupdates.json", data=form)
    assert response.status_code == status, response.text
    assert message in response.json()[0]["description"]


def test_updates_are_listed_in_their_window(
    client: TestClient, city: City, session: Session, settings: Settings
) -> None:
    srid = _file(client, city)
    case = cases.get_or_raise(session, srid)
    workflow.add_message(session, case=case, body="Seen it", actor="x", public=True)
    workflow.add_message(session, case=case, body="Secret", actor="x", public=False)
    workflow.transition(
        session, case=case, to_status="waiting", actor="x", settings=settings, reason="Parts"
    )
    hidden = cases.create(
        session,
        data=CaseCreate(category="shelter", description="Tent", lat=1, lon=1),
        settings=settings,
    )[0]
    workflow.add_message(session, case=hidden, body="Visited", actor="x", public=True)
    listed = client.get(ROOT + "servicerequestupdates.json").json()
    assert [(u["description"], u["status"], u["external_status_code"]) for u in listed] == [
        ("Seen it", "open", "new"),
        ("Parts", "action_scheduled", "waiting"),
    ]
    assert {u["service_request_id"] for u in listed} == {srid}
    assert all(u["media_url"] == "" for u in listed)
    now = datetime.now(UTC)
    later = {
        "start_date": (now + timedelta(hours=1)).isoformat(),
        "end_date": (now + timedelta(hours=2)).isoformat(),
    }
    assert client.get(ROOT + "servicerequestupdates.json", params=later).json() == []
    paged = client.get(ROOT + "servicerequestupdates.json", params={"page_size": 1, "page": 2})
    assert [u["description"] for u in paged.json()] == ["Parts"]


@pytest.mark.parametrize(
    ("current", "target", "steps"),
    [
        ("new", None, []),
        ("new", "new", []),
        ("in_progress", "open", []),
        ("resolved", "open", ["reopened"]),
        ("closed", "acknowledged", ["reopened", "acknowledged"]),
        ("resolved", "closed", ["closed"]),
        ("closed", "resolved", []),
        ("in_progress", "acknowledged", []),
    ],
)
def test_moves(current: str, target: str | None, steps: list[str]) -> None:
    assert moves(current, target) == steps
