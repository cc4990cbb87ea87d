"""The official GeoReport v2 JSON Schemas are there, and date-times are really checked."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jsonschema
import pytest

from tests.open311.conftest import SCHEMAS


def test_the_schemas_check_types_and_date_times(spec_check: Callable[[str, Any], None]) -> None:
    if not SCHEMAS.exists():
        pytest.skip(f"{SCHEMAS} is absent (../shared is not beside the checkout)")
    good = {
        "service_request_id": "A",
        "status": "open",
        "service_code": "x",
        "requested_datetime": "2026-06-01T10:00:00-04:00",
    }
    spec_check("requests.json", [good])
    with pytest.raises(jsonschema.ValidationError):
        spec_check("requests.json", [{**good, "service_request_id": 7}])
    # rfc3339-validator is installed, so a date-time without a zone is refused.
    with pytest.raises(jsonschema.ValidationError):
        spec_check("request.json", {**good, "requested_datetime": "2026-06-01T10:00:00"})
