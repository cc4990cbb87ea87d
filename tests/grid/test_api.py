"""The grid's JSON API: areas as GeoJSON, filters, levels, errors and the OpenAPI contract."""

from __future__ import annotations

import pytest
import shapely
from fastapi.testclient import TestClient
from shapely.geometry import shape
from sqlalchemy.orm import Session

from civicgrid.grid.models import Area
from tests import factories


@pytest.fixture
def areas(session: Session) -> dict[str, Area]:
    city = factories.area(session, level_name="city", rank=0, bounds=(0, 0, 2, 2), code="C")
    north = factories.area(
        session, level_name="district", rank=1, bounds=(0, 1, 2, 2), parent=city, code="N"
    )
    south = factories.area(
        session, level_name="district", rank=1, bounds=(0, 0, 2, 1), parent=city, code="S"
    )
    return {"city": city, "north": north, "south": south}


def test_areas_are_a_valid_feature_collection(client: TestClient, areas: dict[str, Area]) -> None:
    response = client.get("/api/v1/areas")
    assert response.status_code == 200
    body = response.json()
    assert body["type"] == "FeatureCollection"
    assert [f["properties"]["code"] for f in body["features"]] == ["C", "N", "S"]
    north = body["features"][1]
    assert north["type"] == "Feature"
    assert north["id"] == areas["north"].id
    assert north["bbox"] == [0, 1, 2, 2]
    assert north["properties"] == {
        "id": areas["north"].id,
        "code": "N",
        "name": areas["north"].name,
        "level": "district",
        "level_id": areas["north"].level_id,
        "parent_id": areas["city"].id,
        "department_id": None,
    }
    geometry = shape(north["geometry"])
    assert geometry.is_valid
    assert geometry.equals(shapely.box(0, 1, 2, 2))


def test_areas_filtered_by_level_and_parent(client: TestClient, areas: dict[str, Area]) -> None:
    by_level = client.get("/api/v1/areas", params={"level": "city"}).json()
    assert [f["id"] for f in by_level["features"]] == [areas["city"].id]
    children = client.get("/api/v1/areas", params={"parent_id": areas["city"].id}).json()
    assert [f["properties"]["code"] for f in children["features"]] == ["N", "S"]
    none = client.get("/api/v1/areas", params={"level": "city", "parent_id": areas["city"].id})
    assert none.json() == {"type": "FeatureCollection", "features": []}


def test_areas_without_geometry(client: TestClient, areas: dict[str, Area]) -> None:
    body = client.get("/api/v1/areas", params={"geometry": "false"}).json()
    assert len(body["features"]) == 3
    assert all(f["geometry"] is None for f in body["features"])


def test_unknown_level_is_a_422_with_the_levels(client: TestClient, areas: dict[str, Area]) -> None:
    response = client.get("/api/v1/areas", params={"level": "ward"})
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["field"] == "level"
    assert "city, district" in error["message"]


def test_one_area_and_404(client: TestClient, areas: dict[str, Area]) -> None:
    one = client.get(f"/api/v1/areas/{areas['south'].id}")
    assert one.status_code == 200
    assert one.json()["type"] == "Feature"
    assert one.json()["geometry"]["type"] == "Polygon"
    bare = client.get(f"/api/v1/areas/{areas['south'].id}", params={"geometry": False})
    assert bare.json()["geometry"] is None
    missing = client.get("/api/v1/areas/999999")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert "area 999999 does not exist" in missing.json()["error"]["message"]
    assert client.get("/api/v1/areas/not-a-number").status_code == 422
    assert client.get("/api/v1/areas/99999999999").status_code == 422


def test_odd_filters_are_client_errors(client: TestClient, areas: dict[str, Area]) -> None:
    assert client.get("/api/v1/areas", params={"level": "a\x00b"}).status_code == 422
    assert client.get("/api/v1/areas", params={"parent_id": 2**40}).status_code == 422
    assert client.get("/api/v1/areas", params={"parent_id": 999_999}).json()["features"] == []


def test_area_levels(client: TestClient, areas: dict[str, Area]) -> None:
    levels = client.get("/api/v1/area-levels").json()
    assert [(lvl["name"], lvl["rank"], lvl["area_count"]) for lvl in levels] == [
        ("city", 0, 1),
        ("district", 1, 2),
    ]


def test_openapi_documents_the_grid_routes(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    one = paths["/api/v1/areas/{area_id}"]["get"]
    assert one["tags"] == ["grid"]
    assert one["responses"]["404"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/ErrorBody"
    )
    assert paths["/api/v1/areas"]["get"]["responses"]["422"]["content"]["application/json"][
        "schema"
    ]["$ref"].endswith("/ErrorBody")
    assert "/api/v1/area-levels" in paths
