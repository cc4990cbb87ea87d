"""Real Open311 clients from PyPI against civicgrid on a loopback port: georeport (JSON and XML),
three (JSON, multipart media), civicbot (client-side validation), and FixMyStreet's way of
reading XML. Every JSON body is checked against the official GeoReport v2 JSON Schemas."""

from __future__ import annotations

import io
import itertools
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import xmltodict
from civicbot import Endpoint, Open311Client, ValidationError
from civicbot.http import HttpTransport, RateLimiter
from georeport import GeoReport
from PIL import Image

from tests.open311.conftest import FORCE_LIST, Live

itertools.ifilter = filter  # type: ignore[attr-defined]  # three was written for Python 2
import three  # noqa: E402

Check = Callable[[str, Any], None]
LIGHT = {
    "pole": "P-17",
    "height": "6.5",
    "noticed": "2026-06-01T21:00:00-04:00",
    "details": "Out since\nMonday",
    "side": "left",
}


def _georeport(live: Live, fmt: str) -> GeoReport:
    return GeoReport(
        live.base, jurisdiction="civicgrid", api_key=live.city.api_key, output_format=fmt
    )


def _file(live: Live, **extra: str) -> str:
    form = {
        "api_key": live.city.api_key,
        "service_code": "pothole",
        "lat": "1.5",
        "long": "0.5",
        "description": "Deep hole by the school",
        "attribute[depth]": "deep",
        **extra,
    }
    response = httpx.post(live.base + "requests.json", data=form)
    assert response.status_code == 201, response.text
    return str(response.json()[0]["service_request_id"])


def test_georeport_json_getters(live: Live, spec_check: Check) -> None:
    srid = _file(live)
    client = _georeport(live, "json")
    services = client.get_service_list()
    spec_check("services.json", services)
    assert {s["service_code"] for s in services} >= {"pothole", "streetlight", "graffiti"}
    for code in ("pothole", "streetlight", "graffiti"):
        spec_check("service-definition.json", client.get_service_definition(code))
    requests = client.get_service_requests(service_code="pothole", status="open")
    spec_check("requests.json", requests)
    assert srid in {r["service_request_id"] for r in requests}
    one = client.get_service_request(srid)
    spec_check("request.json", one)
    assert one["service_code"] == "pothole"
    assert one["status"] == "open"
    assert client.get_service_requests(service_request_id=srid)[0]["description"] == (
        "Deep hole by the school"
    )


def test_georeport_xml_getters(live: Live) -> None:
    srid = _file(live)
    client = _georeport(live, "xml")
    services = client.get_service_list()
    assert {s["service_code"] for s in services} >= {"pothole", "streetlight"}
    definition = client.get_service_definition("streetlight")
    assert definition["service_code"] == "streetlight"
    datatypes = [a["datatype"] for a in definition["attributes"]["attribute"]]
    assert datatypes == [
        "string",
        "number",
        "datetime",
        "text",
        "singlevaluelist",
        "multivaluelist",
    ]
    one = client.get_service_request(srid)
    assert one["service_request_id"] == srid
    assert one["status"] == "open"
    found = client.get_service_requests(service_request_id=srid)
    assert found["service_request_id"] == srid  # xmltodict gives one request as a dict


def test_three_json_with_multipart_media(live: Live, spec_check: Check) -> None:
    client = three.Three(live.base, api_key=live.city.api_key, jurisdiction="civicgrid")
    discovery = client.discovery()
    assert discovery["endpoints"][0]["formats"] == ["text/xml", "application/json"]
    spec_check("services.json", client.services())
    spec_check("service-definition.json", client.services("pothole"))
    photo = io.BytesIO()
    Image.new("RGB", (40, 30), "red").save(photo, format="JPEG")
    photo.seek(0)
    photo.name = "hole.jpg"
    answer = client.post(
        "pothole",
        lat="1.5",
        long="0.5",
        address="1 Main St",
        name="Ada Lovelace",
        email="ada@example.org",
        description="Hole with a photo",
        media=photo,
        **{"attribute[depth]": "shallow"},
    )
    assert client.post_response.status_code == 201, answer
    srid = answer[0]["service_request_id"]
    found = client.request(srid)
    spec_check("requests.json", found)
    assert found[0]["media_url"].startswith("http://127.0.0.1")
    assert "ada@example.org" not in str(found)
    assert "Lovelace" not in str(found)
    image = httpx.get(found[0]["media_url"])
    assert image.status_code == 200
    assert image.headers["content-type"] == "image/jpeg"
    listed = client.requests("pothole", status="open", count=5)
    spec_check("requests.json", listed)
    assert len(listed) <= 5


def _civicbot(live: Live) -> Open311Client:
    endpoint = Endpoint(id="civicgrid", name="civicgrid", base_url=live.base, write=True)
    transport = HttpTransport(rate_limiter=RateLimiter(min_interval=0))
    return Open311Client(endpoint, transport=transport, jurisdiction_id="civicgrid")


def test_civicbot_validates_remotely_and_files(live: Live, spec_check: Check) -> None:
    client = _civicbot(live)
    prepared = client.create_request(
        "streetlight",
        validate_remote=True,
        dry_run=False,
        confirm="SEND",
        api_key=live.city.api_key,
        lat=1.5,
        lng=0.5,
        description="Light out",
        attributes={**LIGHT, "issues": ["dark", "flicker"]},
    )
    srid = prepared.response[0]["service_request_id"]
    spec_check("request.json", client.get_request(srid))
    listed = client.list_requests(service_request_ids=[srid])
    spec_check("requests.json", listed)
    assert listed[0]["service_code"] == "streetlight"


def test_civicbot_refuses_a_missing_required_attribute_itself(live: Live) -> None:
    client = _civicbot(live)
    before = len(client.list_requests(service_code="streetlight"))
    with pytest.raises(ValidationError, match="issues"):
        client.create_request(
            "streetlight",
            validate_remote=True,
            dry_run=False,
            confirm="SEND",
            api_key=live.city.api_key,
            lat=1.5,
            lng=0.5,
            attributes=LIGHT,
        )
    assert len(client.list_requests(service_code="streetlight")) == before


def _xml(response: httpx.Response) -> dict[str, Any]:
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert response.text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    parsed: dict[str, Any] = xmltodict.parse(response.content, force_list=FORCE_LIST)
    return parsed


def test_xml_reads_as_fixmystreet_reads_it(live: Live) -> None:
    """FixMyStreet's Open311.pm: ForceArray on the repeated elements, request[0] of a POST."""
    services = _xml(httpx.get(live.base + "services.xml"))["services"]["service"]
    pothole = next(s for s in services if s["service_code"] == "pothole")
    assert (pothole["metadata"], pothole["type"], pothole["group"]) == (
        "true",
        "realtime",
        "streets",
    )
    definition = _xml(httpx.get(live.base + "services/pothole.xml"))["service_definition"]
    attribute = definition["attributes"]["attribute"][0]
    assert [v["key"] for v in attribute["values"]["value"]] == ["shallow", "deep"]
    form = {
        "api_key": live.city.api_key,
        "jurisdiction_id": "civicgrid",
        "service_code": "pothole",
        "lat": "1.5",
        "long": "0.5",
        "description": "title: Hole\n\ndetail: deep\n\nSubmitted via FixMyStreet",
        "first_name": "Fix",
        "last_name": "MyStreet",
        "attribute[depth]": "deep",
        "attribute[fixmystreet_id]": "1001",
    }
    posted = _xml(httpx.post(live.base + "requests.xml", data=form))
    srid = posted["service_requests"]["request"][0]["service_request_id"]
    got = _xml(httpx.get(live.base + "requests.xml", params={"service_request_id": srid}))
    request = got["service_requests"]["request"][0]
    assert request["status"] == "open"
    assert request["service_code"] == "pothole"
    errors = _xml(httpx.post(live.base + "requests.xml", data={**form, "api_key": "nope"}))
    assert errors["errors"]["error"][0]["code"] == "403"
    update = {
        "api_key": live.city.api_key,
        "service_request_id": srid,
        "update_id": f"fms-{srid}",
        "status": "FIXED",
        "updated_datetime": "2026-06-02T10:00:00+01:00",
        "description": "Filled in, thanks",
        "first_name": "Ada",
        "last_name": "L",
    }
    posted_update = _xml(httpx.post(live.base + "servicerequestupdates.xml", data=update))
    update_id = posted_update["service_request_updates"]["request_update"][0]["update_id"]
    listed = _xml(httpx.get(live.base + "servicerequestupdates.xml"))
    mine = [
        u
        for u in listed["service_request_updates"]["request_update"]
        if u["update_id"] == update_id
    ]
    assert mine[0]["status"] == "fixed"
    assert mine[0]["service_request_id"] == srid
    assert mine[0]["description"] == "Filled in, thanks"
