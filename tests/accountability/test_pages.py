"""The public dashboard: rankings, trends, map data, equity fragment and downloads, in English
and Chinese, for anyone (no login)."""

from __future__ import annotations

import json
import re

import geojson_validator
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from civicgrid.accountability import aggregate
from civicgrid.settings import Settings
from tests.accountability.conftest import Town, at
from tests.accountability.histories import build


@pytest.fixture
def june(session: Session, settings: Settings, town: Town) -> Town:
    build(session, settings)
    return town


def test_the_dashboard_shows_the_month_to_anyone(client: TestClient, june: Town) -> None:
    page = client.get("/performance")
    assert page.status_code == 200, page.text
    html = page.text
    assert "The whole city in 2026-06" in html
    assert "Department " in html  # the departments' names
    assert html.count("not graded") >= 2  # 30 cases are needed for a grade
    assert "/api/v1/open-data/cases.parquet?from=2026-06-01&amp;to=2026-06-30" in html
    assert 'hx-get="/performance/equity?month=2026-06&amp;level=district"' in html
    assert "/static/vendor/chartjs/chart.umd.min.js" in html
    trend = re.search(r'data-trend="([^"]+)"', html)
    assert trend is not None
    data = json.loads(trend.group(1).replace("&#34;", '"'))
    assert data["labels"][-1] == "2026-06"
    assert data["cases"][-1] == 8
    assert data["series"]["response"][-1] == pytest.approx(71.4)


def test_the_dashboard_uses_the_monthly_figures_once_refreshed(
    client: TestClient, session: Session, settings: Settings, june: Town
) -> None:
    aggregate.refresh(session, settings=settings, now=at(10, month=8))
    html = client.get("/performance", params={"month": "2026-06", "level": "city"}).text
    assert "Figures refreshed" in html
    assert "Areas (city) ranked for 2026-06" in html


def test_the_dashboard_in_chinese(client: TestClient, june: Town) -> None:
    html = client.get("/performance", headers={"Accept-Language": "zh-CN"}).text
    assert "城市绩效" in html
    assert "响应率" in html


def test_the_equity_fragment(client: TestClient, june: Town) -> None:
    html = client.get("/performance/equity", params={"month": "2026-06"}).text
    assert 'data-testid="equity"' in html
    assert "Time to resolution by area" in html
    assert "Too few cases to test" in html
    assert "<html" not in html


def test_the_map_data_is_valid_geojson_with_rates(client: TestClient, june: Town) -> None:
    response = client.get("/performance/areas.geojson", params={"month": "2026-06"})
    collection = response.json()
    assert geojson_validator.validate_structure(collection) == {}
    assert geojson_validator.validate_geometries(collection)["invalid"] == {}
    by_code = {f["properties"]["code"]: f["properties"] for f in collection["features"]}
    assert set(by_code) == {"N", "S"}
    assert by_code["N"]["cases"] == 7
    assert by_code["S"]["rates"]["resolution"] == 1.0
    assert by_code["S"]["n"]["resolution"] == 1


def test_a_city_without_grid_or_cases_still_has_a_dashboard(client: TestClient) -> None:
    page = client.get("/performance", params={"month": "", "level": ""})
    assert page.status_code == 200, page.text
    assert "Rates by area" not in page.text
    assert client.get("/performance/areas.geojson").json()["features"] == []
    assert "Time to resolution by channel" in client.get("/performance/equity").text


def test_a_bad_month_gets_a_page_saying_so(client: TestClient, june: Town) -> None:
    page = client.get("/performance", params={"month": "June"})
    assert page.status_code == 422
    assert "month" in page.text
