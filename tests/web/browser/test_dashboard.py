"""The public performance dashboard in a real browser: the trend chart drawn by Chart.js, the
choropleth of the rates by area on Leaflet, the equity view loaded by htmx, the downloads, in
English and Chinese; axe-core on the page, and screenshots for the docs."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from civicgrid.cases import service, workflow
from civicgrid.cases.schemas import CaseCreate
from civicgrid.db import transaction, utcnow
from civicgrid.sla.sweep import sweep_sla_deadlines
from tests.web import seed
from tests.web.browser.conftest import Live, check_accessibility, screenshot

SLOW_DAYS = 6  # the east district waits longer


def file_history(live: Live) -> None:
    """120 cases over the last forty days: the west answered within a day, the east slower,
    a few left open; every one moved through the real workflow."""
    now = utcnow()
    with transaction(live.factory) as session:
        for n in range(120):
            east = n % 2 == 1
            point = seed.EAST_POINT if east else seed.WEST_POINT
            category = "pothole" if n % 3 else "graffiti"
            data = CaseCreate(
                category=category,
                description=f"Dashboard case {n}",
                lat=point[0],
                lon=point[1],
                attributes={"depth": "deep"} if category == "pothole" else {},
                channel="phone" if n % 4 == 0 else "web",
            )
            filed = now - timedelta(days=40 - n / 3)
            case, _ = service.create(session, data=data, settings=live.settings, now=filed)
            if n % 10 == 9:
                continue  # still open
            answered = filed + timedelta(hours=30 if east else 3)
            workflow.transition(
                session, case=case, to_status="acknowledged", actor="cw",
                settings=live.settings, now=answered,
            )  # fmt: skip
            done = filed + timedelta(days=SLOW_DAYS if east else 1, hours=n % 5)
            workflow.transition(
                session, case=case, to_status="resolved", actor="cw",
                settings=live.settings, now=min(done, now),
            )  # fmt: skip
        sweep_sla_deadlines(session, live.settings, now=now)


def test_the_dashboard_draws_its_charts_map_and_equity(browser: Any, live: Live) -> None:
    file_history(live)
    for locale, name in (("en-US", "dashboard"), ("zh-CN", "dashboard-zh")):
        context = browser.new_context(
            base_url=live.url, locale=locale, viewport={"width": 1280, "height": 900}
        )
        context.set_default_timeout(15_000)
        page = context.new_page()
        page.goto("/performance")
        page.wait_for_function("() => document.getElementById('trend-chart').chart !== undefined")
        page.wait_for_selector("#rate-map[data-ready='1'] path.leaflet-interactive")
        page.wait_for_selector("[data-testid=equity] table.equity")
        assert page.locator("#rate-map path.leaflet-interactive").count() == 2  # two districts
        assert page.locator("[data-testid=downloads] a").count() == 6
        screenshot(page, name)
        if locale == "en-US":
            assert "Departments ranked for" in page.inner_text("main")
            assert page.locator("table.ranking .grade").count() >= 1
            page.select_option("#f-measure", "equity")
            page.wait_for_function(
                "() => document.querySelectorAll('#rate-legend li').length === 4"
            )
            check_accessibility(page)
        else:
            assert "城市如何回应居民" in page.inner_text("h1")
        context.close()
