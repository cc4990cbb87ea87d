"""The JSON routes (rates, rankings, equity, trend) and the streamed open-data downloads."""

from __future__ import annotations

import csv
import io
import json

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from civicgrid.settings import Settings
from tests.accountability.conftest import Town
from tests.accountability.histories import build

API = "/api/v1/accountability"


@pytest.fixture
def june(session: Session, settings: Settings, town: Town) -> Town:
    build(session, settings)
    return town


def test_rates_by_department_for_a_month(client: TestClient, june: Town) -> None:
    response = client.get(f"{API}/rates", params={"group": "department", "month": "2026-06"})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["period"]["label"] == "2026-06"
    assert body["period"]["start"] == "2026-06-01T04:00:00Z"  # midnight in New York
    roads = next(u for u in body["units"] if u["unit"]["code"] == "ROADS")
    assert roads["figures"]["cases"] == 7
    response_rate = roads["figures"]["rates"]["response"]
    assert (response_rate["k"], response_rate["n"]) == (4, 6)
    assert response_rate["low"] < response_rate["value"] < response_rate["high"]


def test_rates_for_a_date_range_and_filters(client: TestClient, june: Town) -> None:
    params = {"from": "2026-06-01", "to": "2026-06-30", "department": "ROADS", "channel": "phone"}
    body = client.get(f"{API}/rates", params=params).json()
    [city] = body["units"]
    assert city["unit"]["code"] == "city"
    assert city["figures"]["cases"] == 1
    areas = client.get(f"{API}/rates", params={"group": "area", "level": "district"}).json()
    assert [u["unit"]["code"] for u in areas["units"]] == ["N", "S"]  # latest month: June
    assert areas["units"][0]["unit"]["level"] == "district"


@pytest.mark.parametrize(
    ("params", "status", "message"),
    [
        ({"month": "2026-06", "from": "2026-06-01", "to": "2026-06-02"}, 422, "not both"),
        ({"from": "2026-06-01"}, 422, "both from and to"),
        ({"month": "2026-13"}, 422, "YYYY-MM"),
        ({"month": "0000-01"}, 422, "YYYY-MM"),
        ({"from": "1000-01-01", "to": "1000-01-02"}, 422, "out of range"),
        ({"department": "NOPE"}, 404, "no department"),
        ({"category": "nope"}, 404, "no category"),
        ({"group": "department", "level": "district"}, 422, "level only applies"),
        ({"group": "area", "level": "ward"}, 404, "no grid level"),
    ],
)
def test_bad_rate_requests_say_what_to_fix(
    client: TestClient, town: Town, params: dict[str, str], status: int, message: str
) -> None:
    response = client.get(f"{API}/rates", params=params)
    assert response.status_code == status, response.text
    assert message in response.json()["error"]["message"]


def test_rankings_of_departments_and_areas(client: TestClient, june: Town) -> None:
    body = client.get(f"{API}/rankings").json()
    assert body["month"] == "2026-06"
    assert body["source"] == "live"
    assert body["min_sample"] == 30
    assert {u["unit"]["code"] for u in body["units"]} == {"ROADS", "PARKS"}
    assert all(u["grade"] is None for u in body["units"])  # 30 cases needed
    assert body["city"]["cases"] == 8
    areas = client.get(f"{API}/rankings", params={"unit": "area", "level": "district"}).json()
    assert areas["level"] == "district"
    assert client.get(f"{API}/rankings", params={"unit": "resident"}).status_code == 422


def test_equity_by_area_and_by_channel(client: TestClient, june: Town) -> None:
    body = client.get(f"{API}/equity", params={"month": "2026-06"}).json()
    assert body["level"] == "district"
    assert body["city_resolved"] == 5
    assert "Mann-Whitney" in body["test"]
    assert {g["unit"]["code"]: g["verdict"] for g in body["groups"]} == {
        "N": "too_few",
        "S": "too_few",
    }
    channels = client.get(f"{API}/equity", params={"by": "channel"}).json()
    assert {g["unit"]["key"] for g in channels["groups"]} == {"api", "phone"}


def test_trend_month_by_month(client: TestClient, june: Town) -> None:
    body = client.get(f"{API}/trend", params={"months": 3, "month": "2026-07"}).json()
    assert [p["month"] for p in body["points"]] == ["2026-05", "2026-06", "2026-07"]
    assert [p["figures"]["cases"] for p in body["points"]] == [0, 8, 0]
    by_channel = client.get(f"{API}/trend", params={"group": "channel", "unit": "phone"}).json()
    assert by_channel["points"][-1]["figures"]["cases"] == 1
    assert client.get(f"{API}/trend", params={"months": 61}).status_code == 422


def test_downloads_stream_each_format(client: TestClient, june: Town) -> None:
    response = client.get("/api/v1/open-data/cases.csv")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "text/csv; charset=utf-8"
    assert 'filename="civicgrid-cases.csv"' in response.headers["content-disposition"]
    assert len(list(csv.DictReader(io.StringIO(response.text)))) == 8
    geo = client.get("/api/v1/open-data/cases.geojson")
    assert geo.headers["content-type"] == "application/geo+json"
    assert len(json.loads(geo.content)["features"]) == 8
    parquet = client.get("/api/v1/open-data/cases.parquet")
    assert parquet.headers["content-type"] == "application/vnd.apache.parquet"
    assert pq.read_table(io.BytesIO(parquet.content)).num_rows == 8


def test_download_filters(client: TestClient, june: Town) -> None:
    def count(**params: object) -> int:
        response = client.get("/api/v1/open-data/cases.csv", params=params)
        assert response.status_code == 200, response.text
        return len(list(csv.DictReader(io.StringIO(response.text))))

    assert count(status=["resolved", "closed"]) == 6
    assert count(department="PARKS") == 1
    assert count(category="graffiti") == 1
    assert count(channel="phone") == 1
    assert count(area=june.south.id) == 1
    assert count(**{"from": "2026-06-08", "to": "2026-06-08"}) == 1  # the fresh case
    assert count(**{"to": "2026-05-31"}) == 0
    missing = client.get("/api/v1/open-data/cases.csv", params={"department": "NOPE"})
    assert missing.status_code == 404
