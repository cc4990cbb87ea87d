"""Test fixtures: a migrated real database (SQLite or PostgreSQL) and a rolled-back session.

Set CIVICGRID_TEST_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test to run the suite on
PostgreSQL: a fresh database is created beside the named one for the run and dropped after.
"""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from civicgrid import migrate
from civicgrid.accountability import equity
from civicgrid.app import create_app
from civicgrid.db import make_engine
from civicgrid.deps import get_session
from civicgrid.scratch import scratch_database
from civicgrid.settings import Settings

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_file(*parts: str) -> Path:
    """A file of ../shared/data, or skip the test cleanly when it is absent."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent (../shared is not beside the checkout)")
    return path


@pytest.fixture(autouse=True)
def _fresh_equity_cache() -> None:
    """Tests share one database and roll back, so ids and refresh states repeat between them:
    an equity report kept for one test must not answer another."""
    equity.clear_cache()


@contextmanager
def own_database(tmp: Path, prefix: str) -> Iterator[str]:
    """A new, empty database: SQLite in ``tmp``, or a PostgreSQL one beside
    CIVICGRID_TEST_DATABASE_URL when it is set (dropped afterwards)."""
    base = os.environ.get("CIVICGRID_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp / f'{prefix}.db'}"
        return
    with scratch_database(base, f"civicgrid_{prefix}") as url:
        yield url


@contextmanager
def served(app: FastAPI, *, timeout: float = 30) -> Iterator[str]:
    """``app`` served by uvicorn in a thread on a free loopback port; yields its base URL."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started and thread.is_alive() and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert server.started, "uvicorn did not start"
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        sock.close()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A new, empty database for this run: SQLite in a temp dir, or a new PostgreSQL DB."""
    with own_database(tmp_path_factory.mktemp("db"), "test") as url:
        yield url


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """The migrated database (the migrations run here, so they are tested too)."""
    eng = make_engine(database_url)
    migrate.upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    """A session whose work, commits included, is rolled back after the test."""
    connection = engine.connect()
    outer = connection.begin()
    db = Session(bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False)
    try:
        yield db
    finally:
        db.close()
        outer.rollback()
        connection.close()


@pytest.fixture
def settings(tmp_path: Path, database_url: str) -> Settings:
    """Settings for an instance under test; jobs do not run in the background."""
    return Settings(
        data_dir=tmp_path,
        database_url=database_url,
        embedded_worker=False,
        shared_dir=SHARED_DATA.parent,
    )


@pytest.fixture
def app(settings: Settings, session: Session) -> FastAPI:
    """The application, its requests sharing the test's rolled-back session."""
    application = create_app(settings, session_factory=sessionmaker(bind=session.get_bind()))

    def _session() -> Iterator[Session]:
        # A savepoint per request, so a failed request leaves nothing behind, as in production.
        nested = session.begin_nested()
        try:
            yield session
        except BaseException:
            nested.rollback()
            raise
        nested.commit()

    application.dependency_overrides[get_session] = _session
    return application


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    """An in-process HTTP client for the application."""
    with TestClient(app) as test_client:
        yield test_client
