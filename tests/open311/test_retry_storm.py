"""Retries never duplicate: 50 concurrent identical POSTs with one Idempotency-Key, fired at a
real server, file exactly one case (run on SQLite and, with CIVICGRID_TEST_DATABASE_URL, on
PostgreSQL)."""

from __future__ import annotations

import threading
import uuid
from concurrent.futures import ThreadPoolExecutor

import httpx
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicgrid.cases.models import Case
from civicgrid.open311.models import Open311Submission
from tests.open311.conftest import Live

STORM = 50


def test_fifty_concurrent_retries_file_one_case(live: Live) -> None:
    marker = f"storm {uuid.uuid4()}"
    form = {
        "api_key": live.city.api_key,
        "service_code": "graffiti",
        "lat": "1.5",
        "long": "0.5",
        "description": marker,
    }
    headers = {"Idempotency-Key": f"key-{marker}"}
    start = threading.Barrier(STORM)

    def post(_: int) -> httpx.Response:
        with httpx.Client(timeout=60) as client:
            start.wait()
            return client.post(live.base + "requests.json", data=form, headers=headers)

    with ThreadPoolExecutor(STORM) as pool:
        responses = list(pool.map(post, range(STORM)))

    assert [r.status_code for r in responses] == [201] * STORM, responses[0].text
    assert len({r.json()[0]["service_request_id"] for r in responses}) == 1
    replays = [r for r in responses if r.headers.get("idempotent-replayed") == "true"]
    assert len(replays) == STORM - 1
    with Session(live.engine) as session:
        cases = session.scalar(select(func.count()).where(Case.description == marker))
        rows = session.scalar(
            select(func.count())
            .select_from(Open311Submission)
            .join(Case, Case.id == Open311Submission.case_id)
            .where(Case.description == marker)
        )
    assert (cases, rows) == (1, 1)


def test_a_client_supplied_token_also_makes_retries_safe(live: Live) -> None:
    marker = f"token {uuid.uuid4()}"
    form = {
        "api_key": live.city.api_key,
        "service_code": "graffiti",
        "address_string": "2 Main St",
        "description": marker,
        "token": f"client-{marker}",
    }
    first = httpx.post(live.base + "requests.xml", data=form)
    again = httpx.post(live.base + "requests.xml", data=form)
    assert first.status_code == again.status_code == 201
    assert first.content == again.content
    with Session(live.engine) as session:
        assert session.scalar(select(func.count()).where(Case.description == marker)) == 1
