"""Queued POSTs (batch services): a token first, the case filed by the worker job, the token
then naming it; and idempotency keys forgotten after their retention."""

from __future__ import annotations

import io
from datetime import timedelta

from fastapi.testclient import TestClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.catalog.models import Category
from civicgrid.db import utcnow
from civicgrid.jobs import registered_jobs
from civicgrid.open311 import queue
from civicgrid.open311.models import Open311Submission
from civicgrid.photos.models import Photo
from civicgrid.settings import Settings
from tests.open311.conftest import ROOT, City


def _queue_one(client: TestClient, city: City, **files: tuple[str, bytes, str]) -> str:
    form = {"api_key": city.api_key, "service_code": "graffiti", "lat": "1", "long": "1"}
    response = client.post(ROOT + "requests.json", data=form, files=files or None)
    assert response.status_code == 202, response.text
    answer = response.json()[0]
    assert "service_request_id" not in answer
    return str(answer["token"])


def test_queued_requests_get_a_token_then_an_id(
    client: TestClient, city: City, session: Session, settings: Settings
) -> None:
    settings.open311_queue_requests = True
    assert {s["type"] for s in client.get(ROOT + "services.json").json()} == {"batch"}
    photo = io.BytesIO()
    Image.new("RGB", (8, 8), "green").save(photo, format="PNG")
    token = _queue_one(client, city, media=("a.png", photo.getvalue(), "image/png"))
    assert client.get(f"{ROOT}tokens/{token}.json").json() == [{"token": token}]
    refused = client.post(
        ROOT + "requests.json",
        data={"api_key": city.api_key, "service_code": "pothole", "lat": "1", "long": "1"},
    )
    assert refused.status_code == 400
    plain = _queue_one(client, city)
    assert queue.file_queued_requests(session, settings) == "2 filed, 0 failed"
    assert "service_request_id" in client.get(f"{ROOT}tokens/{plain}.json").json()[0]
    answer = client.get(f"{ROOT}tokens/{token}.xml")
    assert "<service_request_id>" in answer.text
    srid = client.get(f"{ROOT}tokens/{token}.json").json()[0]["service_request_id"]
    request = client.get(f"{ROOT}requests/{srid}.json").json()[0]
    assert request["media_url"].startswith("http://testserver/photos/")
    row = session.scalar(select(Open311Submission).where(Open311Submission.token == token))
    assert row is not None
    assert row.params is None
    assert session.scalar(select(Photo.case_id).where(Photo.case_id == row.case_id))


def test_a_queued_request_that_cannot_be_filed_is_kept(
    client: TestClient, city: City, session: Session, settings: Settings
) -> None:
    settings.open311_queue_requests = True
    token = _queue_one(client, city)
    graffiti = session.scalar(select(Category).where(Category.code == "graffiti"))
    assert graffiti is not None
    graffiti.active = False
    session.flush()
    assert queue.file_queued_requests(session, settings) == "0 filed, 1 failed"
    response = client.get(f"{ROOT}tokens/{token}.json")
    assert response.status_code == 400
    assert "no longer takes reports" in response.json()[0]["description"]
    row = session.scalar(select(Open311Submission).where(Open311Submission.token == token))
    assert row is not None
    assert row.params is not None


def test_old_idempotency_keys_are_forgotten(
    client: TestClient, city: City, session: Session, settings: Settings
) -> None:
    form = {"api_key": city.api_key, "service_code": "graffiti", "lat": "1", "long": "1"}
    first = client.post(ROOT + "requests.json", data=form, headers={"Idempotency-Key": "old"})
    row = session.scalar(select(Open311Submission))
    assert row is not None
    row.created_at = utcnow() - timedelta(days=settings.open311_idempotency_days + 1)
    session.flush()
    assert queue.forget_idempotency_keys(session, settings) == "1 idempotency keys forgotten"
    again = client.post(ROOT + "requests.json", data=form, headers={"Idempotency-Key": "old"})
    assert again.json()[0]["service_request_id"] != first.json()[0]["service_request_id"]


def test_the_jobs_are_registered() -> None:
    names = {job.name for job in registered_jobs()}
    assert {"file_queued_open311_requests", "forget_open311_idempotency_keys"} <= names
    assert all(job.interval(Settings()) > 0 for job in queue.JOBS)
