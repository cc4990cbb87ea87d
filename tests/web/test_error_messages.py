# ruff: noqa: RUF001 - the expected Chinese texts use Chinese punctuation
"""Service errors in the reader's language: every message a service raises is a message id with
parameters, extracted by `make messages` and translated into Chinese; the pages show it in
Chinese, the JSON API keeps English."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.cases.models import Case
from civicgrid.errors import Conflict, Invalid
from civicgrid.settings import Settings
from civicgrid.web.i18n import LANGUAGE_COOKIE, LOCALE_DIR, translations
from civicgrid.web.messages import error_text, validation_text
from tests.web import seed
from tests.web.conftest import login, post
from tests.web.test_i18n import MESSAGE_KEYWORDS
from tests.web.test_staff_pages import file_case

SRC = Path(__file__).resolve().parents[2] / "src" / "civicgrid"
# Modules whose messages are still built as f-strings, so they stay English in every language.
ENGLISH_ONLY = (
    "cli/",  # the command line speaks English
    "migrate.py",  # command line
    "intake/",  # the command-line importer of 311 exports
    "audit/",  # the command-line ledger tools
    "triage/",  # its errors reach only the JSON API and `civicgrid model`
    "open311/",  # Open311 clients read the spec's English `errors` bodies
)


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(SRC.rglob("*.py")):
        yield path.relative_to(SRC).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def _error_classes() -> set[str]:
    """The names of CivicgridError and every class defined from it in civicgrid."""
    classes = {"CivicgridError"}
    defined = [
        (node.name, {b.id for b in node.bases if isinstance(b, ast.Name)})
        for _, module in _modules()
        for node in ast.walk(module)
        if isinstance(node, ast.ClassDef)
    ]
    grew = True
    while grew:
        found = {name for name, bases in defined if bases & classes}
        grew = not found <= classes
        classes |= found
    return classes


def _messages() -> Iterator[tuple[str, int, ast.expr]]:
    """Every first argument given to an error class: (module, line, expression)."""
    classes = _error_classes()
    for name, module in _modules():
        for node in ast.walk(module):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in classes - {"FormInvalid"}
                and node.args
            ):
                yield name, node.lineno, node.args[0]


def _chinese() -> dict[str, str]:
    with (LOCALE_DIR / "zh_CN" / "LC_MESSAGES" / "messages.po").open("rb") as f:
        return {m.id: m.string for m in read_po(f, locale="zh_CN") if m.id}


def test_every_error_class_is_extracted_by_make_messages() -> None:
    # FormInvalid carries pydantic's errors, translated by their type (web.messages.VALIDATION).
    missing = _error_classes() - set(MESSAGE_KEYWORDS) - {"FormInvalid"}
    assert not missing, f"add {sorted(missing)} to MESSAGE_KEYWORDS in the Makefile"


def test_every_message_id_raised_by_services_has_chinese() -> None:
    chinese = _chinese()
    literal = [
        (where, line, arg.value)
        for where, line, arg in _messages()
        if isinstance(arg, ast.Constant) and isinstance(arg.value, str)
    ]
    assert len(literal) > 100
    untranslated = [f"{w}:{n} {m!r}" for w, n, m in literal if not chinese.get(m)]
    assert not untranslated, f"run `make messages` and translate: {untranslated[:5]}"


def test_messages_are_message_ids_not_formatted_text() -> None:
    built = [
        f"{where}:{line}"
        for where, line, arg in _messages()
        if not isinstance(arg, ast.Constant) and not where.startswith(ENGLISH_ONLY)
    ]
    assert not built, (
        "give errors a literal message with %(name)s placeholders and params={...}, "
        f"not an f-string or a variable: {built}"
    )


def test_error_text_translates_the_id_and_the_status_codes() -> None:
    error = Conflict(
        "a case that is %(status)s cannot become %(to_status)s; it can become: %(allowed)s",
        params={"status": "resolved", "to_status": "waiting", "allowed": ["closed", "reopened"]},
    )
    assert error.message == (
        "a case that is resolved cannot become waiting; it can become: closed, reopened"
    )
    zh = translations("zh_CN")
    assert error_text("zh_CN", error) == (
        f"状态为“{zh.gettext('Resolved')}”的案件不能改为“{zh.gettext('Waiting')}”；"
        f"可以改为：{zh.gettext('Closed')}、{zh.gettext('Reopened')}"
    )
    assert error_text("en", error) == error.message


def test_a_message_missing_from_the_catalogue_stays_english() -> None:
    assert error_text("zh_CN", Invalid("not in any catalogue")) == "not in any catalogue"
    assert error_text("zh_CN", Invalid("write the note first")) == "请先写备注"


def test_validation_problems_by_type_with_the_field_label() -> None:
    problems = [
        {"type": "missing", "loc": ("body", "reason"), "msg": "Field required"},
        {"type": "less_than_equal", "loc": ("lat",), "msg": "x", "ctx": {"le": 90}},
        {"type": "greater_than_equal", "loc": ("n",), "msg": "Input should be >= 1", "ctx": {}},
        {"type": "an_unknown_type", "loc": ("contact", "email"), "msg": "not an e-mail"},
    ]
    zh = translations("zh_CN")
    assert validation_text("zh_CN", problems) == (
        f"{zh.gettext('Reason')}: 此项必填; {zh.gettext('Latitude')}: 不能大于 90; "
        f"n: Input should be >= 1; {zh.gettext('E-mail')}: not an e-mail"
    )
    assert (
        validation_text("en", problems[:2])
        == "Reason: this field is required; Latitude: must be at most 90"
    )


@pytest.fixture
def chinese(client: TestClient) -> TestClient:
    client.cookies.set(LANGUAGE_COOKIE, "zh_CN")
    return client


def test_chinese_page_shows_an_illegal_transition_in_chinese(
    chinese: TestClient, session: Session, settings: Settings, city: seed.WebCity
) -> None:
    case = file_case(session, settings)
    login(chinese, "caseworker")
    path = f"/staff/cases/{case.tracking_id}"
    assert post(chinese, f"{path}/status", {"status": "resolved"}).status_code == 303
    post(chinese, f"{path}/status", {"status": "waiting"})
    page = chinese.get(path).text
    zh = translations("zh_CN")
    assert f"状态为“{zh.gettext('Resolved')}”的案件不能改为“{zh.gettext('Waiting')}”" in page
    assert "cannot become" not in page


def test_chinese_page_shows_a_transfer_without_reason_in_chinese(
    chinese: TestClient, session: Session, settings: Settings, city: seed.WebCity
) -> None:
    case = file_case(session, settings)
    login(chinese, "caseworker")
    path = f"/staff/cases/{case.tracking_id}"
    post(chinese, f"{path}/transfer", {"department": "PARKS", "reason": " "})
    page = chinese.get(path).text
    assert "转办需要说明理由" in page
    assert "needs a reason" not in page


def test_chinese_report_form_shows_validation_errors_in_chinese(
    chinese: TestClient, session: Session, city: seed.WebCity
) -> None:
    form = {
        "category": "pothole",
        "attr.depth": "deep",
        "description": "Deep pothole",
        "lat": "100",
        "lon": str(seed.WEST_POINT[1]),
    }
    response = post(chinese, "/report", form)
    assert response.status_code == 422
    assert "纬度: 不能大于 90" in response.text
    assert "less than or equal" not in response.text
    bad_number = post(chinese, "/report", form | {"lat": "north"})
    assert bad_number.status_code == 422
    assert "“north”不是坐标" in bad_number.text
    nowhere = post(chinese, "/report", form | {"lat": "", "lon": "", "address": ""})
    assert nowhere.status_code == 422
    assert "请说明问题在哪里：给出经纬度或地址" in nowhere.text
    assert session.scalar(select(Case.id)) is None


def test_chinese_error_page_for_a_request_validation_error(chinese: TestClient) -> None:
    response = post(chinese, "/language", {})
    assert response.status_code == 422
    assert "此项必填" in response.text
    assert "Field required" not in response.text


def test_json_api_keeps_english(client: TestClient, city: seed.WebCity) -> None:
    response = client.get("/api/v1/areas/999999", headers={"Accept-Language": "zh-CN"})
    assert response.status_code == 404
    assert response.json()["error"]["message"] == (
        "area 999999 does not exist; GET /api/v1/areas lists the areas"
    )


def test_chinese_tracking_page_for_an_unknown_case(chinese: TestClient) -> None:
    response = chinese.get("/track/NOPE-0000")
    assert response.status_code == 404
    assert "没有查询编号为“NOPE-0000”的事项" in response.text
    assert "no case with tracking id" not in response.text
