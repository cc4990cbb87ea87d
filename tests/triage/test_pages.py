"""The public page of model cards: status, figures, approval and the monthly record."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from civicgrid.settings import Settings
from civicgrid.triage import hook, registry, service
from civicgrid.triage.models import TriageModel
from civicgrid.web.i18n import LANGUAGE_COOKIE
from tests.triage.conftest import City, file


def _cards(html: str) -> list[str]:
    return re.findall(
        r'<section class="card"[^>]*data-testid="model-card">(.*?)</section>', html, re.S
    )


def test_no_model_yet_says_how_to_train_one(client: TestClient) -> None:
    page = client.get("/models")
    assert page.status_code == 200
    assert "civicgrid model train" in page.text
    assert _cards(page.text) == []


def test_the_card_shows_figures_approval_and_monthly_use(
    client: TestClient, session: Session, settings: Settings, city: City, trained: TriageModel
) -> None:
    before = _cards(client.get("/models").text)
    assert len(before) == 1
    assert "not approved: it cannot serve" in before[0]
    assert "candidate" in before[0]
    registry.approve(session, model=trained, by="user:admin")
    registry.serve(session, model=trained, by="user:admin")
    cases = [file(session, settings, title=t)[0] for t in ("graffiti on the wall", "big pothole")]
    for case in cases:
        hook.on_case_filed(session, case=case, settings=settings)
    first, second = (service.suggestions_for(session, c)[0] for c in cases)
    service.accept(session, suggestion=first, by="cw")
    service.override(session, suggestion=second, by="cw")
    card = _cards(client.get("/models").text)[0]
    assert "tiny@1" in card
    assert "serving" in card
    assert "user:admin" in card
    assert f"macro-F1 {trained.evaluation['macro_f1']:.3f}" in card
    assert all(label in card for label in ("graffiti", "pothole"))
    month = cases[0].created_at.strftime("%Y-%m")
    row = re.search(rf"<tr><td>{month}</td>(.*?)</tr>", card, re.S)
    assert row is not None
    cells = re.findall(r'<td class="num">([^<]*)</td>', row.group(1))
    minutes = settings.triage_minutes_saved_per_case
    # pre-triaged, auto-applied, accepted, overridden, pending, override rate, minutes saved
    assert cells == ["2", "0", "1", "1", "0", "50.0%", f"{minutes:.0f}"]


def test_the_page_is_in_chinese_too(client: TestClient, trained: TriageModel) -> None:
    client.cookies.set(LANGUAGE_COOKIE, "zh_CN")
    page = client.get("/models")
    assert page.status_code == 200
    assert "<h1>AI 模型</h1>" in page.text
    assert "候选" in _cards(page.text)[0]
