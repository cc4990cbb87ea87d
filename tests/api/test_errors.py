"""What fuzzing found, pinned down: odd input gets a declared error in the one error body.

Each case here once ended in a server error on PostgreSQL or in a response the OpenAPI did not
declare; test_fuzz.py finds such things, these tests keep them fixed on both databases.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from civicgrid.errors import document_framework_errors, http_error_body
from tests.api.conftest import TRACKING_IDS, World

REPORT = {"category": "graffiti", "description": "Tag on the wall", "lat": 40.72, "lon": -74.0}


def _error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error: dict[str, Any] = response.json()["error"]
    assert set(error) <= {"code", "message", "field", "details"}
    return error


def _staff(world: World) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.staff_token}"}


def test_a_body_that_is_not_utf8_is_a_400_in_the_error_body(
    client: TestClient, world: World
) -> None:
    response = client.post(
        "/api/v1/cases", content=b"\xff\xfe{", headers={"Content-Type": "application/json"}
    )
    assert _error(response, 400)["code"] == "bad_request"


def test_unknown_paths_and_methods_answer_in_the_error_body(client: TestClient) -> None:
    assert _error(client.get("/api/v1/nothing-here"), 404)["code"] == "not_found"
    wrong = client.delete("/api/v1/categories")
    assert _error(wrong, 405)["code"] == "method_not_allowed"
    assert wrong.headers["allow"] == "GET"


def test_other_framework_errors_get_a_generic_code() -> None:
    assert http_error_body(418, "teapot")["error"]["code"] == "client_error"
    assert http_error_body(503, "later")["error"] == {"code": "server_error", "message": "later"}


def test_validation_problems_name_the_field_and_say_what_to_fix(
    client: TestClient, world: World
) -> None:
    nowhere = _error(client.post("/api/v1/cases", json={"category": "graffiti", "title": "x"}), 422)
    problem = nowhere["details"]["problems"][0]
    assert problem == {
        "field": "body",
        "message": "say where the problem is: give lat and lon, or an address",
    }
    broken = client.post(
        "/api/v1/cases", content=b"{", headers={"Content-Type": "application/json"}
    )
    message = _error(broken, 422)["details"]["problems"][0]["message"]
    assert message.startswith("the body is not valid JSON")


@pytest.mark.parametrize(
    ("method", "path", "kwargs"),
    [
        ("get", "/api/v1/cases/FZ00%00", {}),
        ("get", "/api/v1/categories/pot%00hole", {}),
        ("get", "/api/v1/departments/D%00T", {}),
        ("get", "/api/v1/cases", {"params": {"category": "pot\x00hole"}}),
        ("get", "/api/v1/cases", {"params": {"department": "D\x00T"}}),
        ("post", "/api/v1/cases", {"json": {**REPORT, "description": "a\x00b"}}),
        ("post", "/api/v1/cases", {"json": {**REPORT, "contact": {"name": "A\x00"}}}),
    ],
)
def test_nul_characters_are_refused_not_sent_to_the_database(
    client: TestClient, world: World, method: str, path: str, kwargs: dict[str, Any]
) -> None:
    response = client.request(method, path, **kwargs)
    assert _error(response, 422)["code"] == "invalid"


def test_nul_characters_in_staff_input_are_refused(client: TestClient, world: World) -> None:
    case = f"/api/v1/cases/{TRACKING_IDS[0]}"
    note = client.post(f"{case}/notes", json={"body": "x\x00"}, headers=_staff(world))
    assert _error(note, 422)["details"]["problems"][0]["field"] == "body"
    contact = client.get(f"{case}/contact", params={"purpose": "ca\x00ll"}, headers=_staff(world))
    assert _error(contact, 422)["code"] == "invalid"


def test_a_lone_surrogate_in_the_body_is_a_422(client: TestClient, world: World) -> None:
    body = b'{"category": "graffiti", "title": "\\ud800", "address": "1 Broadway"}'
    response = client.post(
        "/api/v1/cases", content=body, headers={"Content-Type": "application/json"}
    )
    assert _error(response, 422)["details"]["problems"][0]["field"] == "title"


@pytest.mark.parametrize("answer", ["NaN", "inf", "-Infinity", "1e999"])
def test_number_answers_must_be_finite(client: TestClient, world: World, answer: str) -> None:
    report = {
        **REPORT,
        "category": "pothole",
        "attributes": {"depth": "deep", "width_cm": answer},
    }
    error = _error(client.post("/api/v1/cases", json=report), 422)
    assert error["field"] == "attributes.width_cm"
    assert "not NaN or infinity" in error["message"]


def test_non_finite_json_numbers_are_refused(client: TestClient, world: World) -> None:
    # Python's JSON parser reads NaN and 1e999 (infinity); neither may reach the database.
    for literal in (b"NaN", b"1e999"):
        body = (
            b'{"category": "pothole", "description": "x", "lat": 40.7, "lon": -74.0, '
            b'"attributes": {"depth": "deep", "width_cm": ' + literal + b"}}"
        )
        response = client.post(
            "/api/v1/cases", content=body, headers={"Content-Type": "application/json"}
        )
        assert _error(response, 422)["field"] == "attributes.width_cm"
        lat = body.replace(b'"lat": 40.7', b'"lat": ' + literal)
        response = client.post(
            "/api/v1/cases", content=lat, headers={"Content-Type": "application/json"}
        )
        assert _error(response, 422)["details"]["problems"][0]["field"] == "lat"


@pytest.mark.parametrize(
    "bbox",
    [
        "-200,40,-73,41",  # longitude out of range
        "-74,-95,-73,41",  # latitude out of range
        "-74,40,-73,100",
        "9" * 400 + ",0,1,1",  # would be infinity as a float
        "-74.0,40.0,-73.9",  # three numbers
        "\u0661,\u0662,\u0663,\u0664",  # Arabic-Indic digits, not ASCII ones
    ],
)
def test_bbox_must_be_four_coordinates_in_range(
    client: TestClient, world: World, bbox: str
) -> None:
    response = client.get("/api/v1/cases", params={"bbox": bbox})
    assert _error(response, 422)["code"] == "invalid"
    assert "bbox" in response.json()["error"]["message"]


def test_a_bbox_in_range_filters(client: TestClient, world: World) -> None:
    inside = client.get("/api/v1/cases", params={"bbox": "-74.05,40.70,-73.9,40.75"}).json()
    everywhere = client.get("/api/v1/cases", params={"bbox": "-180,-90,180,90"}).json()
    assert 0 < inside["total"] < everywhere["total"] == len(TRACKING_IDS)


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-05:00"])
def test_created_times_the_database_cannot_hold_are_a_422(
    client: TestClient, world: World, moment: str
) -> None:
    for name in ("created_from", "created_to"):
        error = _error(client.get("/api/v1/cases", params={name: moment}), 422)
        assert error["field"] == name
        assert "out of range" in error["message"]


def test_extreme_but_valid_times_are_fine(client: TestClient, world: World) -> None:
    params = {"created_from": "0001-01-01T00:00:00Z", "created_to": "9999-12-31T23:59:59Z"}
    assert client.get("/api/v1/cases", params=params).json()["total"] == len(TRACKING_IDS)


def test_long_ids_and_codes_are_a_422(client: TestClient, world: World) -> None:
    assert _error(client.get("/api/v1/cases/" + "X" * 33), 422)["code"] == "invalid"
    assert _error(client.get("/api/v1/categories/" + "c" * 65), 422)["code"] == "invalid"


def test_openapi_declares_the_error_body_it_sends(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    assert "HTTPValidationError" not in spec["components"]["schemas"]
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            responses = operation["responses"]
            if "422" in responses and path.startswith("/api/"):
                schema = responses["422"]["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/ErrorBody"}, (method, path)
            if "requestBody" in operation and path.startswith("/api/"):
                assert "400" in responses, (method, path)
            if operation.get("security") and path.startswith("/api/"):
                assert {"401", "403"} <= set(responses), (method, path)


def _fastapi_422() -> dict[str, Any]:
    ref = {"$ref": "#/components/schemas/HTTPValidationError"}
    return {"422": {"content": {"application/json": {"schema": ref}}}}


def test_the_openapi_rewrite_adds_the_error_body_when_no_route_named_it() -> None:
    json_body = {"content": {"application/json": {"schema": {}}}}
    spec: dict[str, Any] = {
        "paths": {
            "/x": {
                "get": {"responses": _fastapi_422()},
                "post": {"requestBody": json_body, "responses": _fastapi_422()},
                "put": {"requestBody": json_body, "responses": {"400": {"description": "own"}}},
            }
        },
        "components": {"schemas": {"HTTPValidationError": {}, "ValidationError": {}}},
    }
    document_framework_errors(spec)
    assert set(spec["components"]["schemas"]) == {"ErrorBody", "ErrorDetail"}
    x = spec["paths"]["/x"]
    ref = {"$ref": "#/components/schemas/ErrorBody"}
    assert x["get"]["responses"]["422"]["content"]["application/json"]["schema"] == ref
    assert x["post"]["responses"]["400"]["content"]["application/json"]["schema"] == ref
    assert "400" not in x["get"]["responses"]
    assert x["put"]["responses"]["400"] == {"description": "own"}


def test_the_openapi_rewrite_keeps_fastapi_schemas_still_referenced() -> None:
    kept = {"content": {"text/plain": {"schema": _fastapi_422()["422"]["content"]}}}
    spec: dict[str, Any] = {
        "paths": {"/y": {"get": {"responses": {"422": kept}}}},
        "components": {"schemas": {"HTTPValidationError": {}, "ErrorBody": {}}},
    }
    assert "HTTPValidationError" in document_framework_errors(spec)["components"]["schemas"]
