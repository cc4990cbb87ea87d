"""Browser tests: Debian's Chromium, driven by Playwright, against a real uvicorn server on
loopback with its own migrated database (SQLite, or PostgreSQL with
CIVICGRID_TEST_DATABASE_URL). Skipped, saying why, when Chromium or Playwright is missing
(`make install` provides both)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker

from civicgrid import migrate
from civicgrid.app import create_app
from civicgrid.db import make_engine, make_session_factory, transaction
from civicgrid.settings import Settings
from tests.conftest import own_database, served
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


@pytest.fixture(scope="session")
def playwright_api() -> Any:
    """Playwright's sync API, or a skip saying what is missing."""
    if not CHROMIUM.exists():
        missing = "Debian's chromium is not installed (make install adds it)"
        if os.environ.get("CI"):  # CI must run the browser tests, never pass without them
            pytest.fail(missing)
        pytest.skip(missing)
    return pytest.importorskip("playwright.sync_api", reason="playwright is in the dev extra")


@pytest.fixture(scope="session")
def live_database_url(
    playwright_api: Any, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """A database of its own for the server (the other tests roll theirs back)."""
    with own_database(tmp_path_factory.mktemp("live"), "live") as url:
        yield url


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
    try:
        with served(create_app(settings, session_factory=factory)) as base:
            yield Live(base, factory, settings, ids)
    finally:
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
