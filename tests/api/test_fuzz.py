"""Schemathesis fuzzes every operation of create_app's /openapi.json against a seeded city.

Each operation is one test: generated requests (the OpenAPI's examples, boundary values and
wrong types from the coverage phase, random ones from the fuzzing phase) are sent in-process to
an app over a city seeded once in a database of its own; each operation's requests run in a
transaction rolled back after it, so operations do not see each other's writes and nothing
leaks into other tests.
A fixed seed and deterministic generation make every run send the same requests;
FUZZ_MAX_EXAMPLES bounds the random phase. See docs/api.md.
"""

from __future__ import annotations

import os
import random
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, settings
from schemathesis.checks import (  # type: ignore[attr-defined]
    content_type_conformance,
    not_a_server_error,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from civicgrid import migrate
from civicgrid.app import create_app
from civicgrid.db import make_engine
from civicgrid.deps import get_session
from civicgrid.settings import Settings
from tests.api.conftest import (
    CATEGORY_CODES,
    DEPARTMENT_CODES,
    QUESTION_CODES,
    TRACKING_IDS,
    World,
    seed_city,
)
from tests.conftest import SHARED_DATA, own_database

SEED = int(os.environ.get("FUZZ_SEED", "20261123"))
MAX_EXAMPLES = int(os.environ.get("FUZZ_MAX_EXAMPLES", "10"))
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    response_headers_conformance,
]
# The coverage phase (boundary values, wrong types, missing fields: the odd input) is the most
# thorough and the slowest; FUZZ_COVERAGE=0 leaves it out for a quick run.
COVERAGE = os.environ.get("FUZZ_COVERAGE", "1") != "0"
CONFIG = schemathesis.Config.from_dict(
    {
        "seed": SEED,
        "generation": {"max-examples": MAX_EXAMPLES, "deterministic": True, "database": "none"},
        "phases": {
            "coverage": {
                "enabled": COVERAGE,
                "unexpected-methods": ["PATCH"],
                "generate-duplicate-query-parameters": False,
            },
        },
    }
)

# Only the schema is read from this app (at collection, so it touches no database and writes
# no files); requests go to the app over the seeded city (see fuzz_city below).
_schema_app = create_app(
    Settings(
        embedded_worker=False,
        secret_key="only-for-reading-the-openapi",
        data_dir=Path(tempfile.gettempdir()) / "civicgrid-openapi",
    ),
    session_factory=sessionmaker(),
)
schema = schemathesis.openapi.from_asgi("/openapi.json", _schema_app, config=CONFIG)


# Parameters that name real data, by name (Open311's names too), and the values that exist.
PATH_VALUES: dict[str, tuple[str, ...]] = {
    "tracking_id": TRACKING_IDS,
    "service_request_id": TRACKING_IDS,
    "code": CATEGORY_CODES + DEPARTMENT_CODES,
    "service_code": CATEGORY_CODES,
}
QUERY_VALUES: dict[str, tuple[str, ...]] = {
    "category": CATEGORY_CODES,
    "department": DEPARTMENT_CODES,
    "service_code": CATEGORY_CODES,
    "service_request_id": TRACKING_IDS,
}
# Body fields that name real data: a realistic request keeps the valid value for them.
STEERED_FIELDS = {"category", "department", "resident_key"}
# Valid bodies by the last part of the path; a realistic request overlays some generated fields.
VALID_BODIES: dict[str, list[dict[str, Any]]] = {
    "/cases": [
        {
            "category": "pothole",
            "title": "Deep pothole",
            "description": "In the bike lane",
            "lat": 40.72,
            "lon": -74.0,
            "address": "1 Broadway",
            "attributes": {"depth": "deep", "hazards": ["bikes"], "width_cm": 40},
            "contact": {"name": "Ada", "email": "ada@example.org", "phone": "+1 555 0100"},
        },
        {"category": "graffiti", "description": "Tag on the wall", "address": "9 Pearl St"},
    ],
    "/transitions": [{"status": s, "reason": "Crew sent"} for s in ("in_progress", "resolved")],
    "/transfer": [{"department": d, "reason": "Theirs to fix"} for d in DEPARTMENT_CODES],
    "/co-handlers": [{"department": d, "reason": "Needs both"} for d in DEPARTMENT_CODES],
    "/notes": [{"body": "Crew booked for Tuesday"}],
    "/replies": [{"body": "Thank you, we are on it"}],
    "/rating": [{"rating": 4, "resident_key": "", "comment": "Quick work"}],
}


def _body(case: schemathesis.Case, rng: random.Random, world: World, tracking_id: Any) -> None:
    """A valid body for the operation with a random subset of the generated fields on top.

    Codes and keys that must name real data keep the valid value; generated answers are
    sometimes given to the category's real questions, so odd values reach answer checking.
    """
    bases = VALID_BODIES.get("/" + case.operation.path.rsplit("/", 1)[-1])
    generated = case.body
    if not bases or not isinstance(generated, dict):
        return
    base = dict(rng.choice(bases))
    if "resident_key" in base:
        base["resident_key"] = world.resident_keys.get(tracking_id, "not-a-key")
    keep = [key for key in sorted(generated) if key not in STEERED_FIELDS and rng.random() < 0.5]
    body = {**base, **{key: generated[key] for key in keep}}
    answers = body.get("attributes")
    if isinstance(answers, dict) and "attributes" in keep and rng.random() < 0.5:
        codes = rng.sample(QUESTION_CODES, len(QUESTION_CODES))
        body["attributes"] = dict(zip(codes, answers.values(), strict=False))
    case.body = body


def _steer(case: schemathesis.Case, world: World) -> None:
    """Make about two requests in three realistic: a staff token, real ids, a mostly valid body.

    The rest go out as generated, so odd input still reaches every route. The choices are drawn
    from a generator seeded with the generated request, so a run repeats exactly.
    """
    rng = random.Random(repr((case.operation.label, case.path_parameters, case.query, case.body)))
    if rng.random() < 1 / 3:
        return
    path = case.path_parameters or {}
    for name, values in PATH_VALUES.items():
        if name in path:
            path[name] = rng.choice(values)
    if "area_id" in path:
        path["area_id"] = rng.choice(world.area_ids)
    query = case.query or {}
    for name, values in QUERY_VALUES.items():
        if name in query and rng.random() < 0.5:
            query[name] = rng.choice(values)
    if "area_id" in query and rng.random() < 0.5:
        query["area_id"] = rng.choice(world.area_ids)
    _body(case, rng, world, path.get("tracking_id"))
    if case.operation.definition.raw.get("security"):
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {world.staff_token}"}


@dataclass
class FuzzCity:
    """The app under fuzzing, the seeded city, and the session of the operation being fuzzed."""

    app: FastAPI
    engine: Engine
    world: World
    session: Session | None = None


@pytest.fixture(scope="module")
def fuzz_city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FuzzCity]:
    """The city in a database of its own, seeded and committed once for every operation.

    Fuzzing never touches the suite's database, and a request that breaks its connection
    (a server error) breaks only the operation that sent it.
    """
    tmp_path = tmp_path_factory.mktemp("fuzz")
    with own_database(tmp_path, "fuzz") as database_url:
        engine = make_engine(database_url)
        migrate.upgrade(engine)
        settings = Settings(
            data_dir=tmp_path,
            database_url=database_url,
            embedded_worker=False,
            shared_dir=SHARED_DATA.parent,
        )
        factory = sessionmaker(bind=engine, expire_on_commit=False)
        with factory.begin() as session:
            world = seed_city(session, settings)
        city = FuzzCity(create_app(settings, session_factory=factory), engine, world)

        def _session() -> Iterator[Session]:
            # A savepoint per request, so a failed request leaves nothing behind, as in
            # production; the operation's transaction is rolled back after it (below).
            assert city.session is not None
            nested = city.session.begin_nested()
            try:
                yield city.session
            except BaseException:
                nested.rollback()
                raise
            nested.commit()

        city.app.dependency_overrides[get_session] = _session
        try:
            yield city
        finally:
            engine.dispose()


@pytest.fixture
def city(fuzz_city: FuzzCity) -> Iterator[FuzzCity]:
    """The seeded city for one operation: what its requests write is rolled back after it."""
    connection = fuzz_city.engine.connect()
    outer = connection.begin()
    fuzz_city.session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    # Code that opens sessions of its own writes inside the operation's transaction too.
    fuzz_city.app.state.session_factory = sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint"
    )
    try:
        yield fuzz_city
    finally:
        fuzz_city.session.close()
        fuzz_city.session = None
        outer.rollback()
        connection.close()


@schema.parametrize()
@settings(suppress_health_check=list(HealthCheck), deadline=None)
def test_openapi_holds(case: schemathesis.Case, city: FuzzCity) -> None:
    """No server error and no response outside what the OpenAPI declares."""
    _steer(case, city.world)
    case.call_and_validate(app=city.app, checks=CHECKS)
