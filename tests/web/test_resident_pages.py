"""Resident pages through the in-process client: report, receipt, tracking, rating, me too."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.cases.models import Case, ReporterContact
from civicgrid.cases.supporters import CaseSupporter
from civicgrid.photos.models import Photo
from tests.web import seed
from tests.web.conftest import post


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (1200, 800), (200, 30, 30))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"  # Make
    gps = {1: "N", 2: (40.0, 43.0, 12.0), 3: "W", 4: (73.0, 59.0, 1.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


def _report(client: TestClient, **extra: object):  # type: ignore[no-untyped-def]
    data = {
        "category": "pothole",
        "attr.depth": "deep",
        "description": "Deep pothole by the bus stop",
        "lat": str(seed.WEST_POINT[0]),
        "lon": str(seed.WEST_POINT[1]),
        "address": "12 West Street",
        "name": "Ada Resident",
        "email": "ada@example.org",
        **extra,
    }
    files = [("photos", ("hole.jpg", _jpeg_with_gps(), "image/jpeg"))]
    return post(client, "/report", data, files=files)


def test_report_with_photo_gives_a_tracking_link(
    client: TestClient, session: Session, city: seed.WebCity
) -> None:
    form = client.get("/report")
    assert form.status_code == 200
    assert "Pothole" in form.text
    response = _report(client)
    assert response.status_code == 303, response.text
    target = response.headers["location"]
    assert re.match(r"^/track/[0-9A-Z]{4}-[0-9A-Z]{6}\?key=.+&new=1$", target)
    page = client.get(target)
    assert "Your receipt" in page.text
    case = session.scalars(select(Case).order_by(Case.id.desc())).first()
    assert case is not None
    assert case.channel == "web"
    assert case.department_id == city.roads.id
    photo = session.scalar(select(Photo).where(Photo.case_id == case.id))
    assert photo is not None
    assert photo.content_type == "image/jpeg"
    stored = client.get(f"/photos/{photo.name}")
    assert stored.status_code == 200
    with Image.open(io.BytesIO(stored.content)) as image:
        assert not image.getexif()
    assert client.get(f"/photos/{photo.name}/thumb").status_code == 200
    # The public page never shows the contact details.
    public = client.get(f"/track/{case.tracking_id}")
    assert "ada@example.org" not in public.text
    assert "Ada Resident" not in public.text
    assert session.scalar(select(ReporterContact).where(ReporterContact.case_id == case.id))


def test_bad_report_is_shown_again_with_the_problem(
    client: TestClient, session: Session, city: seed.WebCity
) -> None:
    response = post(client, "/report", {"category": "pothole", "description": "x", "address": "a"})
    assert response.status_code == 422
    assert "depth" in response.text
    assert session.scalar(select(Case.id)) is None


def test_me_too_counts_on_the_open_case(
    client: TestClient, session: Session, city: seed.WebCity
) -> None:
    _report(client)
    case = session.scalars(select(Case)).one()
    near = client.get(
        "/report/nearby",
        params={
            "category": "pothole",
            "lat": seed.WEST_POINT[0] + 0.0005,
            "lon": seed.WEST_POINT[1],
        },
    )
    assert case.tracking_id in near.text
    far = client.get("/report/nearby", params={"category": "pothole", "lat": 40.71, "lon": -73.97})
    assert case.tracking_id not in far.text
    response = post(client, f"/track/{case.tracking_id}/me-too")
    assert response.status_code == 303
    assert session.scalar(select(CaseSupporter.case_id)) == case.id
    assert "1 more residents" in client.get(f"/track/{case.tracking_id}").text


def test_questions_fragment(client: TestClient, city: seed.WebCity) -> None:
    fragment = client.get("/report/questions", params={"category": "pothole"})
    assert 'name="attr.depth"' in fragment.text
    assert client.get("/report/questions").text.strip() == ""


def test_tracking_form_redirects_to_the_case(client: TestClient, city: seed.WebCity) -> None:
    assert client.get("/track").status_code == 200
    response = client.get("/track", params={"id": "abcd efgh12"}, follow_redirects=False)
    assert response.headers["location"] == "/track/ABCD-EFGH12"
    missing = client.get("/track/ABCD-EFGH12")
    assert missing.status_code == 404
    assert "no case with tracking id" in missing.text
