"""What the Open311 routes declare in the OpenAPI: parameters, bodies, every answer they give.

The routes read their parameters themselves (so that every bad one is the spec's 400 in the
requested format, never FastAPI's 422), so they are declared here by hand.
"""

from __future__ import annotations

from typing import Any

from civicgrid.open311.formats import Format
from civicgrid.open311.schemas import ErrorOut
from civicgrid.open311.updates import FMS_STATUSES

_ERRORS = {
    400: "Bad request: the errors body says what to fix",
    403: "Missing, unknown or revoked api_key",
    404: "Unknown jurisdiction_id, service_code, service_request_id or token",
}
_TEXT = {"type": "string"}
_REQUIRED_TEXT = {"type": "string", "minLength": 1}


def _or_empty(schema: dict[str, Any]) -> dict[str, Any]:
    """The spec treats an empty parameter as an absent one, so "" is accepted too."""
    return {"anyOf": [schema, {"type": "string", "maxLength": 0}]}


def _whole(high: int) -> dict[str, Any]:
    return {"type": "integer", "minimum": 1, "maximum": high}


_DATE_TIME = _or_empty({"type": "string", "format": "date-time"})
_STATUSES = {"type": "string", "pattern": "^ *(open|closed)? *(, *(open|closed)? *)*$"}


def param(
    name: str,
    description: str,
    schema: dict[str, Any] | None = None,
    *,
    where: str = "query",
    required: bool = False,
) -> dict[str, Any]:
    """One OpenAPI parameter."""
    return {
        "name": name,
        "in": where,
        "required": required or where == "path",
        "description": description,
        "schema": schema or _TEXT,
    }


JURISDICTION = param(
    "jurisdiction_id", "This city's jurisdiction_id (optional: it serves one jurisdiction)."
)
PAGING = [
    param("page", "Page of the results, from 1.", _or_empty(_whole(1_000_000))),
    param("page_size", "Results per page, at most 1000 (the default).", _or_empty(_whole(1000))),
]
DATES = [
    param(
        "start_date",
        "Earliest datetime to include (W3C, with a zone, years 1900 to 9000).",
        _DATE_TIME,
    ),
    param(
        "end_date",
        "Latest datetime to include; not before start_date and at most 90 days after it.",
        _DATE_TIME,
    ),
]
REQUEST_FILTERS = [
    param(
        "service_request_id",
        "Comma-separated service_request_ids; overrides every other filter.",
    ),
    param("service_code", "Comma-separated service_codes."),
    param("status", "open, closed, or both comma-separated.", _STATUSES),
    *DATES,
    *PAGING,
]
IDEMPOTENCY_KEY = param(
    "Idempotency-Key",
    "Retries with the same key (per API key) get the first answer and create nothing new.",
    {"type": "string", "maxLength": 200},
    where="header",
)

_POST_FIELDS: dict[str, Any] = {
    "api_key": _REQUIRED_TEXT,
    "jurisdiction_id": _TEXT,
    "service_code": _REQUIRED_TEXT,
    "lat": {"type": "number", "minimum": -90, "maximum": 90},
    "long": {"type": "number", "minimum": -180, "maximum": 180},
    "address_string": _TEXT,
    "address_id": _TEXT,
    "email": _TEXT,
    "device_id": _TEXT,
    "account_id": _TEXT,
    "first_name": _TEXT,
    "last_name": _TEXT,
    "phone": _TEXT,
    "description": {"type": "string", "maxLength": 4000},
    "media_url": _TEXT,
    "idempotency_key": _TEXT,
}
_ATTRIBUTES = {r"^attribute\[[^\[\]]+\](\[\])?$": _TEXT}


def _form_schema(fields: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": fields,
        "patternProperties": _ATTRIBUTES,
        "required": required,
    }


REQUEST_BODY = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": _form_schema(_POST_FIELDS, ["api_key", "service_code"])
        },
        "multipart/form-data": {
            "schema": _form_schema(
                {**_POST_FIELDS, "media": {"type": "string", "format": "binary"}},
                ["api_key", "service_code"],
            )
        },
    },
}
_UPDATE_FIELDS = {
    "api_key": _REQUIRED_TEXT,
    "jurisdiction_id": _TEXT,
    "service_request_id": _REQUIRED_TEXT,
    "update_id": {"type": "string", "minLength": 1, "maxLength": 200},
    "status": {
        "type": "string",
        "description": "FixMyStreet's upper-case status (lower case is accepted too)",
        "enum": [*FMS_STATUSES, *(s.lower() for s in FMS_STATUSES)],
    },
    "updated_datetime": {"type": "string", "format": "date-time"},
    "description": _TEXT,
    "media_url": _TEXT,
    "email": _TEXT,
    "first_name": _TEXT,
    "last_name": _TEXT,
}
UPDATE_BODY = {
    "required": True,
    "content": {
        "application/x-www-form-urlencoded": {
            "schema": {
                "type": "object",
                "properties": _UPDATE_FIELDS,
                "required": [
                    "api_key",
                    "service_request_id",
                    "update_id",
                    "status",
                    "updated_datetime",
                ],
            }
        }
    },
}


def responses(
    fmt: Format, ok: dict[int, tuple[str, Any]], errors: tuple[int, ...]
) -> dict[int | str, dict[str, Any]]:
    """The ``responses`` of a route in ``fmt``: its successes (status -> description, model)
    and its errors, each with the media type it really has."""
    found: dict[int | str, dict[str, Any]] = {}
    for status, (description, model) in ok.items():
        found[status] = _answer(fmt, description, model)
    for status in errors:
        found[status] = _answer(fmt, _ERRORS[status], list[ErrorOut])
    return found


def _answer(fmt: Format, description: str, model: Any) -> dict[str, Any]:
    if fmt == "json":
        return {"description": description, "model": model}
    return {"description": description, "content": {"text/xml": {"schema": _TEXT}}}
