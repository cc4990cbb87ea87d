"""POST requests in-process: the form, attributes of every datatype, locations, keys, photos,
idempotency, and a clear 400/403/404 for every kind of bad input."""

from __future__ import annotations

import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import event, func, select
from sqlalchemy.orm import Session

from civicgrid.cases.models import Case, ReporterContact
from civicgrid.open311 import apikeys
from civicgrid.open311.models import Open311Submission
from civicgrid.photos.models import Photo
from tests.open311.conftest import ROOT, City

LIGHT = {
    "service_code": "streetlight",
    "lat": "1.5",
    "long": "0.5",
    "description": "Light out",
    "attribute[pole]": "P-17",
    "attribute[height]": "6.5",
    "attribute[noticed]": "2026-06-01T21:00:00-04:00",
    "attribute[details]": "Out since\nMonday",
    "attribute[side]": "left",
}


def _post(
    client: TestClient, city: City, form: dict[str, Any], fmt: str = "json", **kwargs: Any
) -> Any:
    return client.post(f"{ROOT}requests.{fmt}", data={"api_key": city.api_key, **form}, **kwargs)


def _case(session: Session, srid: str) -> Case:
    case = session.scalar(select(Case).where(Case.tracking_id == srid))
    assert case is not None
    return case


def test_all_six_datatypes_are_taken(client: TestClient, city: City, session: Session) -> None:
    form = {**LIGHT, "attribute[issues][]": ["dark", "flicker"], "email": "ada@example.org"}
    response = _post(client, city, form)
    assert response.status_code == 201, response.text
    answer = response.json()
    assert list(answer[0]) == ["service_request_id", "service_notice", "account_id"]
    case = _case(session, answer[0]["service_request_id"])
    assert case.channel == "api"
    assert case.attributes == {
        "pole": "P-17",
        "height": 6.5,
        "noticed": "2026-06-01T21:00:00-04:00",
        "details": "Out since\nMonday",
        "side": "left",
        "issues": ["dark", "flicker"],
    }
    contact = session.scalar(select(ReporterContact).where(ReporterContact.case_id == case.id))
    assert contact is not None
    assert contact.email == "ada@example.org"
    listed = client.get(ROOT + "requests.json").text
    assert "ada@example.org" not in listed


def test_repeated_plain_attribute_fills_a_multivaluelist(
    client: TestClient, city: City, session: Session
) -> None:
    form = {**LIGHT, "attribute[issues]": ["dark", "day"], "attribute[unknown]": "x", "foo": "y"}
    response = _post(client, city, form)
    assert response.status_code == 201, response.text
    case = _case(session, response.json()[0]["service_request_id"])
    assert case.attributes["issues"] == ["dark", "day"]
    assert "unknown" not in case.attributes


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"attribute[issues][]": None}, 400, "'issues'"),
        ({"attribute[side]": "middle"}, 400, "must be one of"),
        ({"attribute[height]": "nan"}, 400, "must be a number"),
        ({"attribute[height]": "tall"}, 400, "must be a number"),
        ({"attribute[pole]": ["a", "b"]}, 400, "takes one value"),
        ({"attribute[issues][]": ["dark", "bright"]}, 400, "accepts only"),
        ({"attribute[noticed]": "last week"}, 400, "ISO 8601"),
        ({"lat": None, "long": None}, 400, "say where"),
        ({"long": None}, 400, "together"),
        ({"lat": "91"}, 400, "between -90 and 90"),
        ({"long": "east"}, 400, "must be a number"),
        ({"service_code": None}, 400, "service_code is required"),
        ({"service_code": "nope"}, 404, "not found"),
        ({"service_code": "retired"}, 400, "no longer takes reports"),
        ({"description": "x" * 4001}, 400, "4000"),
        ({"email": "not-an-address"}, 400, "email"),
        ({"media_url": "ftp://x/y.jpg"}, 400, "media_url"),
        ({"media_url": "http://x/a b.jpg"}, 400, "spaces"),
        ({"address_id": "9" * 101}, 400, "address_id"),
        ({"jurisdiction_id": "elsewhere.gov"}, 404, "elsewhere.gov"),
        ({"api_key": "wrong"}, 403, "unknown or revoked"),
        ({"api_key": "wrong", "description": "a\x00b"}, 403, "unknown or revoked"),
        ({"description": "a\x00b"}, 400, "NUL"),
        ({"api_key": None}, 403, "api_key is required"),
    ],
)
def test_bad_posts_get_the_spec_errors(
    client: TestClient,
    city: City,
    session: Session,
    change: dict[str, Any],
    status: int,
    message: str,
) -> None:
    form: dict[str, Any] = {"api_key": city.api_key, **LIGHT, "attribute[issues][]": ["dark"]}
    form.update(change)
    form = {k: v for k, v in form.items() if v is not None}
    before = session.scalar(select(func.count()).select_from(Case))
    for fmt in ("json", "xml"):
        response = client.post(f"{ROOT}requests.{fmt}", data=form)
        assert response.status_code == status, response.text
        assert message in response.text
    assert session.scalar(select(func.count()).select_from(Case)) == before
    assert session.scalar(select(func.count()).select_from(Open311Submission)) == 0


def test_places_keys_and_text_from_anywhere(
    client: TestClient, city: City, session: Session
) -> None:
    by_address = client.post(
        ROOT + "requests.json",
        params={"api_key": city.api_key, "jurisdiction_id": "civicgrid"},
        data={"service_code": "graffiti", "address_string": "1 Main St"},
    )
    assert by_address.status_code == 201, by_address.text
    case = _case(session, by_address.json()[0]["service_request_id"])
    assert (case.address, case.lat, case.title) == ("1 Main St", None, "Graffiti")
    by_id = _post(client, city, {"service_code": "graffiti", "address_id": "545483"})
    srid = by_id.json()[0]["service_request_id"]
    request = client.get(f"{ROOT}requests/{srid}.json").json()[0]
    assert (request["address"], request["address_id"]) == ("Address ID 545483", "545483")
    with_url = _post(
        client,
        city,
        {"service_code": "graffiti", "lat": "1", "long": "1", "media_url": "https://x.org/a.jpg"},
    )
    srid = with_url.json()[0]["service_request_id"]
    assert client.get(f"{ROOT}requests/{srid}.json").json()[0]["media_url"] == (
        "https://x.org/a.jpg"
    )


def test_an_unknown_service_is_404_without_answers_too(client: TestClient, city: City) -> None:
    form = {"service_code": "nope", "lat": "1", "long": "1", "description": "Something"}
    response = _post(client, city, form, fmt="xml")
    assert response.status_code == 404
    assert "service_code 'nope' not found" in response.text


def test_a_revoked_key_is_refused(client: TestClient, city: City, session: Session) -> None:
    apikeys.revoke(session, name="Other app")
    form = {"api_key": city.other_key, "service_code": "graffiti", "lat": "1", "long": "1"}
    assert client.post(ROOT + "requests.json", data=form).status_code == 403


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (60, 40), "blue")
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    exif[0x8825] = {1: "N", 2: (40.0, 44.0, 0.0)}  # GPSInfo
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def test_multipart_media_is_stored_without_metadata(
    client: TestClient, city: City, session: Session, settings: Any
) -> None:
    raw = _jpeg_with_gps()
    assert b"SpyCam" in raw
    files = {"media": ("hole.jpg", raw, "image/jpeg")}
    form = {"service_code": "graffiti", "lat": "1", "long": "1", "description": "Tag"}
    response = _post(client, city, form, files=files)
    assert response.status_code == 201, response.text
    srid = response.json()[0]["service_request_id"]
    photo = session.scalar(select(Photo).join(Case).where(Case.tracking_id == srid))
    assert photo is not None
    media_url = client.get(f"{ROOT}requests/{srid}.json").json()[0]["media_url"]
    assert media_url == f"http://testserver/photos/{photo.name}"
    stored = (settings.data_dir / "photos" / f"{photo.name}.jpg").read_bytes()
    assert b"SpyCam" not in stored
    elsewhere = _post(client, city, form, files={"photo": ("hole.jpg", raw, "image/jpeg")})
    assert elsewhere.status_code == 201  # only the spec's `media` field is read
    assert session.scalar(select(func.count()).select_from(Photo)) == 1
    bad = _post(client, city, form, files={"media": ("x.txt", b"hello", "text/plain")})
    assert bad.status_code == 400
    assert "not a readable image" in bad.json()[0]["description"]


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        (b"--nope\r\nbroken", "multipart/form-data; boundary=other", "Invalid multipart"),
        (b"x", "multipart/form-data", "Missing boundary"),
        (
            b'--b\r\nContent-Disposition: form-data; name="media"; filename="a"\r\n\r\nx\r\n'
            b'--b\r\nContent-Disposition: form-data; name="media"; filename="b"\r\n\r\ny\r\n'
            b"--b--\r\n",
            "multipart/form-data; boundary=b",
            "Too many files",
        ),
    ],
)
def test_an_unreadable_body_is_400(
    client: TestClient, city: City, body: bytes, content_type: str, message: str
) -> None:
    response = client.post(
        ROOT + "requests.xml", content=body, headers={"Content-Type": content_type}
    )
    assert response.status_code == 400
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    assert message in response.text


def test_retries_with_one_key_get_the_first_answer(
    client: TestClient, city: City, session: Session
) -> None:
    form = {"service_code": "graffiti", "lat": "1", "long": "1", "description": "Once"}
    first = _post(client, city, form, headers={"Idempotency-Key": "abc"})
    again = _post(client, city, form, fmt="xml", headers={"Idempotency-Key": "abc"})
    by_field = _post(client, city, {**form, "idempotency_key": "abc"})
    assert first.status_code == again.status_code == by_field.status_code == 201
    assert "idempotent-replayed" not in first.headers
    assert again.headers["idempotent-replayed"] == "true"
    srid = first.json()[0]["service_request_id"]
    assert srid in again.text
    assert by_field.json() == first.json()
    assert session.scalar(select(func.count()).where(Case.description == "Once")) == 1
    other = _post(
        client, city, {**form, "api_key": city.other_key}, headers={"Idempotency-Key": "abc"}
    )
    assert other.json()[0]["service_request_id"] != srid
    changed = _post(
        client, city, {**form, "description": "Twice"}, headers={"Idempotency-Key": "abc"}
    )
    assert changed.status_code == 400
    assert "different request" in changed.json()[0]["description"]
    too_long = _post(client, city, form, headers={"Idempotency-Key": "k" * 201})
    assert too_long.status_code == 400


def test_a_failed_first_try_does_not_block_the_retry(
    client: TestClient, city: City, session: Session
) -> None:
    form = {"service_code": "pothole", "lat": "1", "long": "1"}
    failed = _post(client, city, form, headers={"Idempotency-Key": "retry-me"})
    assert failed.status_code == 400
    fixed = _post(
        client, city, {**form, "attribute[depth]": "deep"}, headers={"Idempotency-Key": "retry-me"}
    )
    assert fixed.status_code == 201, fixed.text


def test_a_filing_takes_two_reads_and_on_postgresql_one_write(
    client: TestClient, city: City, session: Session
) -> None:
    form = {"service_code": "graffiti", "lat": "1.5", "long": "0.5", "description": "Paint"}
    assert _post(client, city, form).status_code == 201  # warms the reference data cache
    seen: list[str] = []

    def record(_c: Any, _cur: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", record)
    try:
        assert _post(client, city, form).status_code == 201  # the same again: a duplicate
    finally:
        event.remove(connection, "before_cursor_execute", record)
    reads = [s for s in seen if s.startswith("SELECT")]
    assert len(reads) == 2, reads  # the key with the stamp, then the duplicate search
    assert "FROM open311_api_keys JOIN (SELECT" in reads[0]
    assert "reference_version" in reads[0]
    writes = [s for s in seen if s.split()[0] in {"INSERT", "UPDATE", "WITH"}]
    # The case, its areas, its filed event, a duplicate suggestion (the first POST was one),
    # and the submission row.
    tables = ["cases", "case_areas", "case_events", "triage_duplicate_suggestions"]
    if session.get_bind().dialect.name == "postgresql":  # all in one statement
        assert len(writes) == 1, writes
        assert writes[0].startswith("WITH p AS (INSERT INTO cases")
        for table in [*tables, "open311_submissions"]:
            assert f"INSERT INTO {table} (" in writes[0]
    else:  # one INSERT per table; the submission row claimed first, then updated
        heads = [s.split(" (")[0].split(" SET")[0] for s in writes]
        assert heads == [
            "INSERT INTO open311_submissions",
            *(f"INSERT INTO {table}" for table in tables),
            "UPDATE open311_submissions",
        ]
