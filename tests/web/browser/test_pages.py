"""The other pages in a real browser: operator console, 'me too', the Chinese UI, a refused
CSRF-less post, the map of open cases, and the administrator's pages; axe-core on each."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from civicgrid.cases import service
from civicgrid.cases.models import Case
from civicgrid.cases.schemas import CaseCreate
from civicgrid.cases.supporters import CaseSupporter
from civicgrid.db import transaction, utcnow
from tests.web import seed
from tests.web.browser.conftest import (
    BROWSER_PROBLEMS,
    Live,
    check_accessibility,
    login,
    screenshot,
)


def file_case(
    live: Live, description: str, point: tuple[float, float], *, due_in_hours: float | None = None
) -> str:
    """File a pothole case straight into the server's database; returns its tracking id."""
    data = CaseCreate(
        category="pothole",
        description=description,
        lat=point[0],
        lon=point[1],
        address="Main Street",
        attributes={"depth": "deep"},
        contact={"email": "someone@example.org"},
    )
    with transaction(live.factory) as session:
        case, _key = service.create(session, data=data, settings=live.settings)
        if due_in_hours is not None:
            case.resolution_due = utcnow() + timedelta(hours=due_in_hours)
            case.resolution_warn_at = utcnow() + timedelta(hours=due_in_hours - 4)
        return case.tracking_id


def test_operator_console_shows_similar_cases_while_typing(page: Any, live: Live) -> None:
    known = file_case(live, "Streetlight pole leaning over the playground", seed.EAST_POINT)
    login(page, "operator")
    assert page.url.endswith("/console")
    page.keyboard.type("leaning pole near the playground")  # the description has the focus
    page.wait_for_selector(f"#similar a:has-text('{known}')")
    check_accessibility(page)
    screenshot(page, "console")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # past the category select's own option list, as typed by hand
    page.select_option("#f-category", "graffiti")
    page.fill("#f-address", "Playground Road 3")
    page.fill("#f-name", "Caller")
    page.focus("#f-address")
    page.keyboard.press("Control+Enter")
    page.wait_for_selector("[data-testid=console-receipt]")
    tracking_id = page.inner_text("[data-testid=console-receipt] .tracking")
    with live.factory() as session:
        case = session.scalars(select(Case).where(Case.tracking_id == tracking_id)).one()
        assert case.channel == "phone"


def test_me_too_instead_of_a_new_report(page: Any, live: Live) -> None:
    known = file_case(live, "Pothole next to the fountain", seed.WEST_POINT)
    page.goto("/report")
    page.select_option("#f-category", "pothole")
    page.fill("#f-lat", str(seed.WEST_POINT[0] + 0.0004))
    page.fill("#f-lon", str(seed.WEST_POINT[1]))
    page.dispatch_event("#f-lon", "change")
    page.wait_for_selector(f"#nearby a:has-text('{known}')")
    check_accessibility(page)
    page.click(f"button[form='me-too-{known}']")
    page.wait_for_selector("text=Your report was added to this case")
    assert page.url.endswith(f"/track/{known}")
    assert "someone@example.org" not in page.content()
    with live.factory() as session:
        case_id = session.scalar(select(Case.id).where(Case.tracking_id == known))
        assert session.scalar(select(CaseSupporter.id).where(CaseSupporter.case_id == case_id))


def test_chinese_ui_on_a_phone(browser: Any, live: Live) -> None:
    phone = browser.new_context(base_url=live.url, viewport={"width": 390, "height": 844})
    page = phone.new_page()
    page.goto("/report")
    page.click("button[lang=zh-CN]")
    page.wait_for_selector("h1:has-text('我要反映')")
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert "在哪里？" in page.content()  # noqa: RUF001 - Chinese punctuation
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    check_accessibility(page)
    screenshot(page, "report-zh")
    page.goto("/login")
    assert page.inner_text("h1") == "工作人员登录"
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    phone.close()


def test_post_without_csrf_token_is_refused(page: Any, live: Live) -> None:
    page.goto("/report")
    status = page.evaluate(
        "async () => (await fetch('/report', {method: 'POST', body: new FormData()})).status"
    )
    assert status == 403
    refused = page.request.post(f"{live.url}/language", form={"lang": "zh_CN", "next": "/"})
    assert refused.status == 403
    assert "CSRF" in refused.text()


def test_map_of_open_cases_by_deadline(page: Any, live: Live) -> None:
    file_case(live, "Overdue pothole", (40.725, -74.010), due_in_hours=-2)
    file_case(live, "Nearly due pothole", (40.712, -74.004), due_in_hours=2)
    file_case(live, "Pothole on time", (40.731, -73.975), due_in_hours=30)
    file_case(live, "Another pothole", (40.708, -73.968), due_in_hours=40)
    login(page, "command")
    page.wait_for_function(
        "document.querySelectorAll('#supervisor-map path.leaflet-interactive').length >= 7"
    )
    check_accessibility(page)
    screenshot(page, "map")


def test_every_admin_page_is_accessible(page: Any) -> None:
    login(page, "administrator")
    for path, name in (
        ("/admin", "admin"),
        ("/admin/areas", "admin-areas"),
        ("/admin/departments", None),
        ("/admin/categories", None),
        ("/admin/categories/pothole", None),
        ("/admin/sla", None),
        ("/admin/routing", None),
        ("/admin/replies", None),
        ("/admin/users", "admin-users"),
        ("/admin/apikeys", None),
        ("/models", None),
    ):
        page.goto(path)
        assert page.locator("h1").count() == 1, path
        check_accessibility(page)
        if name:
            screenshot(page, name)
    page.goto("/")
    check_accessibility(page)
    screenshot(page, "home")
    page.click("button:has-text('Log out')")
    page.goto("/login")
    check_accessibility(page)


def test_the_browser_enforces_the_content_security_policy(page: Any, live: Live) -> None:
    response = page.goto("/report")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    page.evaluate(
        """() => {
            const script = document.createElement("script");
            script.textContent = "window.injected = true";
            document.body.appendChild(script);
            const styled = document.createElement("div");
            styled.innerHTML = '<p style="color: red">x</p>';
            document.body.appendChild(styled);
        }"""
    )
    page.wait_for_timeout(200)
    assert page.evaluate("window.injected") is None
    refused = list(BROWSER_PROBLEMS)
    BROWSER_PROBLEMS.clear()  # the refusals were the point of this test
    assert any("script-src" in p for p in refused), refused
    assert any("style-src" in p for p in refused), refused
