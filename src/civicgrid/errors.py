"""Typed domain errors that carry their HTTP status, and the one error body for them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from pydantic import BaseModel


class CivicgridError(Exception):
    """Base of every error a person can act on; ``message`` says what to fix.

    ``message`` is a message id: a literal string (never an f-string) with ``%(name)s``
    placeholders filled from ``params``. ``make messages`` extracts the first argument of
    every error class (MESSAGE_KEYWORDS in the Makefile). ``.message`` is the English text (the
    JSON API and the command line show it); the web pages translate ``message_id`` and fill in
    the same ``params`` (``civicgrid.web.messages.error_text``). A list or tuple parameter is
    written as its items joined by commas.

        raise Conflict("the case is already with %(department)s", params={"department": name})
    """

    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "error"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        params: Mapping[str, Any] | None = None,
        **details: Any,
    ) -> None:
        self.message_id = message
        self.params: dict[str, Any] = dict(params or {})
        self.message = format_message(message, self.params)
        super().__init__(self.message)
        self.field = field
        self.details = details

    def body(self) -> dict[str, Any]:
        """The JSON error body shared by every endpoint."""
        error: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.field:
            error["field"] = self.field
        if self.details:
            error["details"] = self.details
        return {"error": error}


def N_(message: str) -> str:  # noqa: N802 - the conventional name of gettext's no-op marker
    """Mark a message id for extraction (``make messages``); it is translated where shown."""
    return message


def format_message(template: str, params: Mapping[str, Any]) -> str:
    """``template`` with its ``%(name)s`` placeholders filled (sequences joined by commas)."""
    if not params:
        return template
    values = {
        k: ", ".join(str(v) for v in value) if isinstance(value, list | tuple) else value
        for k, value in params.items()
    }
    return template % values


class Invalid(CivicgridError):
    """The input is wrong; the message says how to correct it."""

    status_code = 422
    code = "invalid"


class NotFound(CivicgridError):
    """The thing asked for does not exist."""

    status_code = 404
    code = "not_found"


class Conflict(CivicgridError):
    """The request clashes with the current state (e.g. an illegal transition)."""

    status_code = 409
    code = "conflict"


class Forbidden(CivicgridError):
    """The caller may not do this."""

    status_code = 403
    code = "forbidden"


class ErrorDetail(BaseModel):
    """What went wrong, in words a person can act on."""

    code: str
    message: str
    field: str | None = None
    details: dict[str, Any] | None = None


class ErrorBody(BaseModel):
    """The one JSON error shape of every endpoint."""

    error: ErrorDetail


_DESCRIPTIONS = {
    400: "Bad request: the body could not be read (e.g. JSON that is not UTF-8)",
    401: "Staff credentials needed",
    403: "Not allowed",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflicts with the current state",
    413: "Request too large",
    422: "Invalid input",
}
# Codes of the error body for HTTP errors raised by the framework rather than by civicgrid.
_HTTP_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    413: "too_large",
    422: "invalid",
}


def http_error_body(status_code: int, message: str) -> dict[str, Any]:
    """The error body for an HTTP error the framework raised (unknown path, unreadable body)."""
    code = _HTTP_CODES.get(status_code, "client_error" if status_code < 500 else "server_error")
    return {"error": {"code": code, "message": message}}


def _problem(err: Mapping[str, Any]) -> dict[str, str]:
    """One validation error as a field and a message a person can act on."""
    if err.get("type") == "json_invalid":
        reason = (err.get("ctx") or {}).get("error", "not JSON")
        position = err["loc"][-1]
        return {"field": "body", "message": f"the body is not valid JSON ({reason} at {position})"}
    field = ".".join(str(p) for p in err["loc"] if p != "body") or "body"
    message = str(err["msg"]).removeprefix("Value error, ")
    return {"field": field, "message": message}


def validation_error_body(errors: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The 422 error body for request validation errors: one problem per wrong field."""
    problems = [_problem(err) for err in errors]
    summary = "; ".join(f"{p['field']}: {p['message']}" for p in problems)
    return {
        "error": {
            "code": "invalid",
            "message": f"Invalid request: {summary}",
            "details": {"problems": problems},
        }
    }


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries documenting the error body for ``codes``."""
    return {code: {"description": _DESCRIPTIONS[code], "model": ErrorBody} for code in codes}


_FASTAPI_422 = "#/components/schemas/HTTPValidationError"
_ERROR_BODY = "#/components/schemas/ErrorBody"


def _json_schema(response: dict[str, Any] | None) -> dict[str, Any]:
    media: dict[str, Any] = (response or {}).get("content", {}).get("application/json", {})
    return media


def _error_response(status_code: int) -> dict[str, Any]:
    return {
        "description": _DESCRIPTIONS[status_code],
        "content": {"application/json": {"schema": {"$ref": _ERROR_BODY}}},
    }


def document_framework_errors(openapi: dict[str, Any]) -> dict[str, Any]:
    """Make the OpenAPI say which errors the framework itself answers, in the body it uses.

    FastAPI documents its own ``{"detail": [...]}`` 422 for every route with parameters, and
    nothing for a JSON body it cannot decode (400); civicgrid's handlers answer both with
    ``ErrorBody``, so every operation says so. Routes that declare their own 400 keep it.
    """
    for operations in openapi.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            schema = _json_schema(responses.get("422"))
            if schema.get("schema", {}).get("$ref") == _FASTAPI_422:
                responses["422"] = _error_response(422)
            if "application/json" in operation.get("requestBody", {}).get("content", {}):
                responses.setdefault("400", _error_response(400))
    schemas = openapi.setdefault("components", {}).setdefault("schemas", {})
    if _FASTAPI_422 not in json.dumps(openapi["paths"]):
        schemas.pop("HTTPValidationError", None)
        schemas.pop("ValidationError", None)
    if "ErrorBody" not in schemas:
        generated = ErrorBody.model_json_schema(ref_template="#/components/schemas/{model}")
        schemas.update(generated.pop("$defs", {}))
        schemas["ErrorBody"] = generated
    return openapi
