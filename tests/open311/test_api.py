"""The GET routes in-process: discovery, services, definitions, requests and their filters,
the status mapping, both formats and the spec's errors."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import xmltodict
from fastapi.testclient import TestClient
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from civicgrid.app import create_app
from civicgrid.cases import service as cases
from civicgrid.cases import workflow
from civicgrid.cases.schemas import CaseCreate
from civicgrid.catalog.models import Department
from civicgrid.settings import Settings
from civicgrid.sla.models import SlaPolicy
from tests.open311.conftest import FORCE_LIST, ROOT, City

Check = Callable[[str, Any], None]
W3C = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d([+-]\d\d:\d\d|Z)$")


def _xml(text: str) -> dict[str, Any]:
    parsed: dict[str, Any] = xmltodict.parse(text, force_list=FORCE_LIST)
    return parsed


def _case(session: Session, settings: Settings, **extra: Any) -> str:
    data = CaseCreate.model_validate(
        {"category": "graffiti", "description": "Tag", "lat": 1.5, "lon": 0.5, **extra}
    )
    case, _ = cases.create(session, data=data, settings=settings)
    return case.tracking_id


def _get(client: TestClient, path: str, **params: Any) -> Any:
    response = client.get(ROOT + path, params=params)
    assert response.status_code == 200, response.text
    return response.json() if path.endswith(".json") else _xml(response.text)


def test_discovery_in_both_formats(client: TestClient, city: City) -> None:
    doc = _get(client, "discovery.json")
    endpoint = doc["endpoints"][0]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
    assert endpoint["url"] == "http://testserver/open311/v2"
    xml = _get(client, "discovery.xml")["discovery"]
    assert xml["endpoints"]["endpoint"]["formats"]["format"] == ["text/xml", "application/json"]


def test_services_list_active_categories(client: TestClient, city: City, spec_check: Check) -> None:
    services = _get(client, "services.json")
    spec_check("services.json", services)
    by_code = {s["service_code"]: s for s in services}
    assert "retired" not in by_code
    assert by_code["pothole"]["metadata"] is True
    assert by_code["graffiti"]["metadata"] is False
    assert by_code["pothole"]["group"] == "streets"
    assert by_code["graffiti"]["group"] is None
    assert {s["type"] for s in services} == {"realtime"}
    xml = _get(client, "services.xml")["services"]["service"]
    assert [s["service_code"] for s in xml] == [s["service_code"] for s in services]
    assert xml[0]["metadata"] in ("true", "false")


def test_definition_carries_all_six_datatypes(
    client: TestClient, city: City, spec_check: Check
) -> None:
    definition = _get(client, "services/streetlight.json")
    spec_check("service-definition.json", definition)
    attributes = definition["attributes"]
    assert [a["datatype"] for a in attributes] == [
        "string",
        "number",
        "datetime",
        "text",
        "singlevaluelist",
        "multivaluelist",
    ]
    assert attributes[5]["values"][0] == {"key": "dark", "name": "Dark"}
    assert attributes[5]["required"] is True
    assert attributes[1]["required"] is False
    xml = _get(client, "services/streetlight.xml")["service_definition"]
    assert xml["attributes"]["attribute"][5]["values"]["value"][2]["key"] == "day"


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("code", ["nope", "retired"])
def test_unknown_service_is_404_in_the_asked_format(
    client: TestClient, city: City, fmt: str, code: str
) -> None:
    response = client.get(f"{ROOT}services/{code}.{fmt}")
    assert response.status_code == 404
    if fmt == "json":
        assert response.json()[0]["code"] == 404
    else:
        assert _xml(response.text)["errors"]["error"][0]["code"] == "404"


def test_jurisdiction_is_checked(client: TestClient, city: City) -> None:
    assert client.get(ROOT + "services.json", params={"jurisdiction_id": "civicgrid"}).is_success
    assert client.get(ROOT + "services.json", params={"jurisdiction_id": ""}).is_success
    wrong = client.get(ROOT + "services.xml", params={"jurisdiction_id": "elsewhere.gov"})
    assert wrong.status_code == 404
    assert "elsewhere.gov" in _xml(wrong.text)["errors"]["error"][0]["description"]
    nul = client.get(ROOT + "requests.json", params={"service_code": "a\x00b"})
    assert nul.status_code == 400
    assert "NUL" in nul.json()[0]["description"]
    assert client.get(ROOT + "services/a%00b.xml").status_code == 400
    elsewhere_nul = client.get(ROOT + "services.json", params={"jurisdiction_id": "x\x00"})
    assert elsewhere_nul.status_code == 404


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_other_methods_name_both_get_and_post(client: TestClient, fmt: str) -> None:
    for path in ("requests", "servicerequestupdates"):
        response = client.put(f"{ROOT}{path}.{fmt}")
        assert response.status_code == 405
        assert response.headers["allow"] == "GET, HEAD, POST"
        assert "GET and POST only" in response.text
    assert client.options(ROOT + "services.json").status_code == 405


@pytest.mark.parametrize(
    "params",
    [
        {"start_date": "0001-01-01T00:00:00+01:00"},
        {"end_date": "0001-01-02T00:00:00Z"},
        {"start_date": "9999-12-31T23:00:00-05:00"},
        {"start_date": "9999-12-30T00:00:00Z", "end_date": "9999-12-31T23:00:00-05:00"},
    ],
)
def test_dates_at_the_ends_of_time_find_nothing(
    client: TestClient, city: City, params: dict[str, str]
) -> None:
    for path in ("requests.json", "servicerequestupdates.json"):
        response = client.get(ROOT + path, params=params)
        assert response.status_code == 200, response.text
        assert response.json() == []


def test_requests_filters(
    client: TestClient, city: City, session: Session, settings: Settings, spec_check: Check
) -> None:
    a = _case(session, settings)
    b = _case(session, settings, category="pothole", attributes={"depth": "deep"})
    workflow.transition(
        session,
        case=cases.get_or_raise(session, b),
        to_status="resolved",
        actor="x",
        settings=settings,
        reason="Filled",
    )
    everything = _get(client, "requests.json")
    spec_check("requests.json", everything)
    assert [r["service_request_id"] for r in everything][:2] == [b, a]
    assert [r["service_request_id"] for r in _get(client, "requests.json", status="open")] == [a]
    assert [r["service_request_id"] for r in _get(client, "requests.json", status="closed")] == [b]
    assert len(_get(client, "requests.json", status="open,closed")) == 2
    assert [
        r["service_request_id"] for r in _get(client, "requests.json", service_code="pothole,x")
    ] == [b]
    ids = _get(client, "requests.json", service_request_id=f"{a.lower()},{b},NOPE", status="closed")
    assert [r["service_request_id"] for r in ids] == [a, b]
    long_ago = {"start_date": "2001-01-01T00:00:00Z", "end_date": "2001-02-01T00:00:00Z"}
    assert _get(client, "requests.json", **long_ago) == []
    assert _get(client, "requests.json", start_date="2001-01-01T00:00:00Z") == []
    now = datetime.now(UTC)
    window = {"end_date": (now + timedelta(minutes=1)).isoformat()}
    assert len(_get(client, "requests.json", **window)) == 2
    assert len(_get(client, "requests.json", page_size=1, page=2)) == 1
    assert (
        _get(client, "requests.xml", status="closed")["service_requests"]["request"][0][
            "service_request_id"
        ]
        == b
    )


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"status": "pending"}, "status may be open or closed"),
        ({"start_date": "2026-01-01T00:00:00"}, "needs a time zone"),
        ({"end_date": "yesterday"}, "must be a date-time"),
        ({"start_date": "2026-01-01T00:00:00Z", "end_date": "2026-06-01T00:00:00Z"}, "90 days"),
        ({"start_date": "2026-02-01T00:00:00Z", "end_date": "2026-01-01T00:00:00Z"}, "swap"),
        ({"page": "0"}, "page must be from 1"),
        ({"page_size": "abc"}, "whole number"),
        ({"page_size": "1001"}, "page_size must be from 1 to 1000"),
        ({"service_request_id": ",".join(["X"] * 1001)}, "at most 1000"),
    ],
)
def test_bad_filters_are_400(
    client: TestClient, city: City, params: dict[str, str], message: str
) -> None:
    response = client.get(ROOT + "requests.json", params=params)
    assert response.status_code == 400
    assert message in response.json()[0]["description"]


def test_status_mapping_and_notes(
    client: TestClient, city: City, session: Session, settings: Settings, spec_check: Check
) -> None:
    srid = _case(session, settings, category="pothole", attributes={"depth": "deep"})
    case = cases.get_or_raise(session, srid)
    request = _get(client, f"requests/{srid}.json")[0]
    spec_check("request.json", request)
    assert request["status"] == "open"
    assert request["status_notes"] is None
    roads = session.scalar(select(Department.name).where(Department.code == "DOT"))
    assert request["agency_responsible"] == roads
    assert W3C.match(request["requested_datetime"])
    assert W3C.match(request["expected_datetime"])
    assert request["service_notice"].startswith("Expected to be resolved by ")
    assert isinstance(request["service_request_id"], str)
    workflow.add_message(session, case=case, body="We will fill it", actor="x", public=True)
    workflow.transition(
        session, case=case, to_status="waiting", actor="x", settings=settings, reason="Asphalt"
    )
    workflow.add_message(session, case=case, body="Internal", actor="x", public=False)
    waiting = _get(client, f"requests/{srid}.json")[0]
    assert waiting["status"] == "open"
    assert waiting["status_notes"] == "Asphalt"
    assert "paused" in waiting["service_notice"]
    workflow.transition(session, case=case, to_status="in_progress", actor="x", settings=settings)
    workflow.transition(session, case=case, to_status="resolved", actor="x", settings=settings)
    workflow.add_message(session, case=case, body="Done, thanks", actor="x", public=True)
    closed = _get(client, f"requests/{srid}.xml")["service_requests"]["request"][0]
    assert closed["status"] == "closed"
    assert closed["status_notes"] == "Done, thanks"
    assert closed["expected_datetime"] is None
    assert closed["service_notice"] is None
    assert W3C.match(closed["updated_datetime"])


def test_without_a_deadline_nothing_is_promised(
    client: TestClient, city: City, session: Session, settings: Settings
) -> None:
    session.execute(delete(SlaPolicy))
    srid = _case(session, settings)
    request = _get(client, f"requests/{srid}.json")[0]
    assert request["expected_datetime"] is None
    assert request["service_notice"] is None


def test_sensitive_cases_are_listed_without_text_or_place(
    client: TestClient, city: City, session: Session, settings: Settings, spec_check: Check
) -> None:
    srid = _case(session, settings, category="shelter", address="Under the bridge")
    request = _get(client, f"requests/{srid}.json")[0]
    spec_check("request.json", request)
    assert (request["description"], request["address"], request["lat"]) == (None, None, None)


def test_long_text_is_cut_to_the_spec_limit_and_xml_safe(
    client: TestClient, city: City, session: Session, settings: Settings, spec_check: Check
) -> None:
    srid = _case(session, settings, title="Bell \x07 rings", description="x" * 5000)
    request = _get(client, f"requests/{srid}.json")[0]
    spec_check("request.json", request)
    assert len(request["description"]) == 4000
    assert request["description"].endswith("\u2026")
    xml = client.get(f"{ROOT}requests/{srid}.xml").text
    assert "Bell \ufffd rings" in _xml(xml)["service_requests"]["request"][0]["description"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_unknown_request_and_token_are_404(client: TestClient, city: City, fmt: str) -> None:
    for path in (f"requests/NOPE.{fmt}", f"tokens/nope.{fmt}"):
        response = client.get(ROOT + path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith(
            "application/json" if fmt == "json" else "text/xml"
        )


def test_the_root_is_configurable(settings: Settings) -> None:
    settings.open311_root = "/georeport/v2/"
    with TestClient(create_app(settings)) as other:
        assert other.get("/georeport/v2/discovery.json").status_code == 200
        assert other.get("/open311/v2/discovery.json").status_code == 404
