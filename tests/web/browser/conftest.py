"""Browser tests: Debian's Chromium, driven by Playwright, against a real uvicorn server on
loopback with its own migrated database (SQLite, or PostgreSQL with
CIVICGRID_TEST_DATABASE_URL). Skipped, saying why, when Chromium or Playwright is missing
(`make install` provides both)."""

from __future__ import annotations

import json
import os
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg
import pytest
import uvicorn
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from civicgrid import migrate
from civicgrid.app import create_app
from civicgrid.db import make_engine, make_session_factory, transaction
from civicgrid.settings import Settings, normalize_database_url
from tests.web import seed

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[3]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "docs" / "screenshots"


@dataclass
class Live:
    """The running server, and a way to its database for arranging test data."""

    url: str
    factory: sessionmaker[Session]
    settings: Settings
    ids: dict[str, int]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def playwright_api() -> Any:
    """Playwright's sync API, or a skip saying what is missing."""
    if not CHROMIUM.exists():
        pytest.skip("Debian's chromium is not installed (make install adds it)")
    return pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")


@pytest.fixture(scope="session")
def live_database_url(
    playwright_api: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database of its own for the server (the other tests roll theirs back)."""
    base = os.environ.get("CIVICGRID_TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{tmp_path_factory.mktemp('live') / 'live.db'}"
        return
    url = make_url(normalize_database_url(base))
    name = f"civicgrid_live_{uuid.uuid4().hex[:10]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def live(live_database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Live]:
    """uvicorn serving the app in a thread, on a free loopback port, with no map tiles."""
    engine = make_engine(live_database_url)
    migrate.upgrade(engine)
    factory = make_session_factory(engine)
    with transaction(factory) as session:
        city = seed.build(session)
        ids = {name: user.id for name, user in city.users.items()}
        ids |= {"roads": city.roads.id, "parks": city.parks.id, "west": city.west.id}
    settings = Settings(
        data_dir=tmp_path_factory.mktemp("live-data"),
        database_url=live_database_url,
        embedded_worker=False,
        tile_url="",
        log_level="WARNING",
    )
    port = _free_port()
    config = uvicorn.Config(
        create_app(settings, session_factory=factory),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield Live(f"http://127.0.0.1:{port}", factory, settings, ids)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        engine.dispose()


# What the pages of the current test did wrong in the browser: a script, style, image or
# connection their Content-Security-Policy refused, or an uncaught script error.
BROWSER_PROBLEMS: list[str] = []


def _watch(context: Any) -> Any:
    def console(message: Any) -> None:
        if message.type == "error" and "Content Security Policy" in message.text:
            BROWSER_PROBLEMS.append(message.text)

    context.on("console", console)
    context.on("weberror", lambda error: BROWSER_PROBLEMS.append(f"script error: {error.error}"))
    return context


@pytest.fixture(scope="session")
def browser(playwright_api: Any) -> Iterator[Any]:
    """Headless Debian Chromium; every context it opens is watched (see ``no_browser_problems``)."""
    with playwright_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--headless"]
        )
        new_context = chromium.new_context
        chromium.new_context = lambda **kwargs: _watch(new_context(**kwargs))
        yield chromium
        chromium.close()


@pytest.fixture(autouse=True)
def no_browser_problems() -> Iterator[None]:
    """Every browser test fails when a page broke its CSP or raised a script error."""
    BROWSER_PROBLEMS.clear()
    yield
    assert not BROWSER_PROBLEMS, f"the pages broke their CSP or failed: {BROWSER_PROBLEMS[:5]}"


@pytest.fixture
def context(browser: Any, live: Live) -> Iterator[Any]:
    """A fresh browser profile (no cookies) in English, on a phone-or-laptop sized window."""
    ctx = browser.new_context(
        base_url=live.url, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    ctx.set_default_timeout(15_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    """A page of the fresh profile."""
    return context.new_page()


def login(page: Any, username: str) -> None:
    """Log in through the form, as a person does."""
    page.goto("/login")
    page.fill("#f-username", username)
    page.fill("#f-password", seed.PASSWORD)
    page.click("button:has-text('Log in')")
    page.wait_for_load_state("networkidle")


def click_map(page: Any, selector: str, lat: float, lon: float) -> None:
    """Click a Leaflet map with the mouse where the point (lat, lon) is drawn."""
    script = (
        "([s, lat, lon]) => document.querySelector(s).leafletMap.latLngToContainerPoint([lat, lon])"
    )
    point = page.evaluate(script, [selector, lat, lon])
    box = page.locator(selector).bounding_box()
    page.mouse.click(box["x"] + point["x"], box["y"] + point["y"])


def check_accessibility(page: Any) -> None:
    """axe-core on the page as it is now: no serious or critical violation."""
    assert AXE.exists(), f"{AXE} is missing: run `make install` (npm ci) first"
    page.evaluate(AXE.read_text(encoding="utf-8"))  # not a <script> tag: the CSP refuses inline
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    bad = [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"]][:3]}
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"accessibility problems on {page.url}: {json.dumps(bad, indent=1)}"


def screenshot(page: Any, name: str) -> None:
    """Save the page as docs/screenshots/NAME.png, only with CIVICGRID_SCREENSHOTS=1
    (`make screenshots`), so that ordinary test runs leave the committed images alone."""
    if os.environ.get("CIVICGRID_SCREENSHOTS") != "1":
        return
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
