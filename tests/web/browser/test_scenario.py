"""The main story in a real browser: a resident reports with a photo, a caseworker answers
with a template and resolves, the resident rates 2 so the case reopens, a supervisor
reassigns it. Every page on the way passes axe-core and is saved as a screenshot."""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from PIL import Image
from sqlalchemy import select

from civicgrid.cases.models import Case
from tests.web import seed
from tests.web.browser.conftest import Live, check_accessibility, click_map, login, screenshot


def _photo(folder: Path) -> Path:
    path = folder / "pothole.jpg"
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (40.0, 43.0, 12.0), 3: "W", 4: (73.0, 59.0, 1.0)}
    out = io.BytesIO()
    Image.new("RGB", (640, 480), (90, 90, 90)).save(out, format="JPEG", exif=exif)
    path.write_bytes(out.getvalue())
    return path


def _report(page: Any, photo: Path) -> str:
    page.goto("/report")
    page.wait_for_selector("#report-map path.leaflet-interactive")  # the boundaries are drawn
    click_map(page, "#report-map", *seed.WEST_POINT)
    assert abs(float(page.input_value("#f-lat")) - seed.WEST_POINT[0]) < 0.001
    page.select_option("#f-category", "pothole")
    page.wait_for_selector("#q-depth")
    page.select_option("#q-depth", "deep")
    page.fill("#f-description", "A deep pothole in front of the bakery")
    page.fill("#f-address", "5 Bakery Lane")
    page.set_input_files("#f-photos", str(photo))
    check_accessibility(page)
    screenshot(page, "report")
    page.click("button:has-text('Send report')")
    page.wait_for_selector("[data-testid=tracking-link]")
    check_accessibility(page)
    screenshot(page, "receipt")
    return str(page.get_attribute("[data-testid=tracking-link]", "href"))


def _answer_and_resolve(page: Any, tracking_id: str) -> None:
    login(page, "caseworker")
    assert tracking_id in page.content()  # the queue is the caseworker's start page
    check_accessibility(page)
    screenshot(page, "queue")
    page.click(f"a:has-text('{tracking_id}')")
    page.select_option("#f-template", label="Pothole filled")
    page.wait_for_function(
        "() => document.querySelector('#f-reply').value.includes('has been filled')"
    )
    assert tracking_id in page.input_value("#f-reply")
    check_accessibility(page)
    screenshot(page, "case")
    page.click("button:has-text('Send reply')")
    page.wait_for_selector("text=Reply sent.")
    page.select_option("#f-status", "resolved")
    page.click("button:has-text('Change status')")
    page.wait_for_selector("text=Status changed.")


def test_report_answer_rate_reopen_reassign(browser: Any, live: Live, tmp_path: Path) -> None:
    resident = browser.new_context(base_url=live.url, locale="en-US")
    page = resident.new_page()
    link = _report(page, _photo(tmp_path))
    tracking_id = re.search(r"/track/([0-9A-Z-]+)\?key=", link).group(1)  # type: ignore[union-attr]
    assert page.locator(".photos img").count() == 1

    staff = browser.new_context(base_url=live.url, locale="en-US")
    _answer_and_resolve(staff.new_page(), tracking_id)
    staff.close()

    page.goto(link)
    assert "has been filled" in page.content()
    page.check("#rating-2")
    page.fill("#f-comment", "Still a hole")
    check_accessibility(page)
    screenshot(page, "track")
    page.click("button:has-text('Send rating')")
    page.wait_for_selector("text=the case is open again")
    assert "Reopened" in page.inner_text("h1")
    resident.close()

    boss = browser.new_context(
        base_url=live.url, locale="en-US", viewport={"width": 1280, "height": 900}
    )
    page = boss.new_page()
    login(page, "supervisor")
    page.wait_for_selector("#supervisor-map path.leaflet-interactive")  # markers drawn, no tiles
    assert tracking_id in page.content()
    check_accessibility(page)
    screenshot(page, "supervisor-map")
    page.click(f"a:has-text('{tracking_id}')")
    page.select_option("#f-transfer-dept", "PARKS")
    page.fill("#f-transfer-reason", "The hole is on park land")
    page.click("button:has-text('Reassign')")
    page.wait_for_selector("text=Case transferred.")
    boss.close()
    with live.factory() as session:
        case = session.scalars(select(Case).where(Case.tracking_id == tracking_id)).one()
        assert (case.status, case.department_id, case.rating) == ("reopened", live.ids["parks"], 2)
