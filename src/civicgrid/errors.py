"""Typed domain errors that carry their HTTP status, and the one error body for them."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel


class CivicgridError(Exception):
    """Base of every error a person can act on; ``message`` says what to fix."""

    status_code: ClassVar[int] = 400
    code: ClassVar[str] = "error"

    def __init__(self, message: str, *, field: str | None = None, **details: Any) -> None:
        super().__init__(message)
        self.message = message
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
    400: "Bad request",
    401: "Staff credentials needed",
    403: "Not allowed",
    404: "Not found",
    409: "Conflicts with the current state",
    422: "Invalid input",
}


def error_responses(*codes: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI ``responses`` entries documenting the error body for ``codes``."""
    return {code: {"description": _DESCRIPTIONS[code], "model": ErrorBody} for code in codes}
