"""Pydantic schemas of the case API: CaseCreate, CaseRead, transitions, replies, ratings."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, EmailStr, Field, model_validator

from civicgrid.errors import N_
from civicgrid.schemas import Text


class Status(StrEnum):
    """Where a case stands in its lifecycle."""

    NEW = "new"
    ACKNOWLEDGED = "acknowledged"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REOPENED = "reopened"


class Channel(StrEnum):
    """How the report reached the city."""

    WEB = "web"
    API = "api"
    PHONE = "phone"
    IMPORT = "import"
    SENSOR = "sensor"


class ContactIn(BaseModel):
    """How the reporter may be reached; every field optional."""

    model_config = ConfigDict(extra="forbid")

    name: Text | None = Field(default=None, max_length=200)
    email: EmailStr | None = None
    phone: str | None = Field(default=None, max_length=50, pattern=r"^[0-9+()\-. ]{3,50}$")


class CaseCreate(BaseModel):
    """A new report. Give a point (lat and lon), an address, or both."""

    model_config = ConfigDict(extra="forbid")

    category: Text = Field(min_length=1, max_length=64, description="Category code.")
    title: Text = Field(default="", max_length=200)
    description: Text = Field(default="", max_length=10_000)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    address: Text = Field(default="", max_length=300)
    channel: Channel = Channel.API
    attributes: dict[str, str | float | list[str]] = Field(
        default_factory=dict, description="Answers to the category's questions, by code."
    )
    contact: ContactIn | None = None

    @model_validator(mode="after")
    def _needs_a_place(self) -> CaseCreate:
        # N_: the pages show these in the reader's language (web.messages.validation_text).
        if (self.lat is None) != (self.lon is None):
            raise ValueError(N_("give both lat and lon, or neither"))
        if self.lat is None and not self.address.strip():
            raise ValueError(N_("say where the problem is: give lat and lon, or an address"))
        if not (self.title.strip() or self.description.strip()):
            raise ValueError(N_("describe the problem: give a title or a description"))
        return self


class CaseRead(BaseModel):
    """A case as the public sees it: never any contact details."""

    model_config = ConfigDict(from_attributes=True)

    tracking_id: str
    category: str
    category_name: str
    title: str
    description: str
    lat: float | None
    lon: float | None
    address: str
    channel: str
    status: Status
    department: str
    department_name: str
    area_id: int | None
    area_name: str | None
    h3_cell: str | None
    outside_grid: bool
    attributes: dict[str, Any]
    created_at: datetime
    updated_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None
    first_response_due: datetime | None
    resolution_due: datetime | None
    first_response_breached: bool
    resolution_breached: bool
    paused: bool
    escalation_level: int
    rating: int | None
    reopen_count: int
    co_handlers: list[str]


class CaseReceipt(CaseRead):
    """The answer to a new report: the case plus the key that lets its reporter rate it."""

    resident_key: str = Field(
        description="Secret for the reporter's tracking link; shown once, never again."
    )


class CasePage(BaseModel):
    """One page of a case list."""

    items: list[CaseRead]
    total: int
    page: int
    page_size: int


class EventRead(BaseModel):
    """One timeline entry."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    from_status: str | None
    to_status: str | None
    public: bool
    body: str
    actor: str
    data: dict[str, Any]
    created_at: datetime


class TransitionIn(BaseModel):
    """Move a case to another status; some moves need a reason (the error says which)."""

    model_config = ConfigDict(extra="forbid")

    status: Status
    reason: Text = Field(default="", max_length=5_000)


class TransferIn(BaseModel):
    """Hand the case to another department; the reason is required and shown in the timeline."""

    model_config = ConfigDict(extra="forbid")

    department: Text = Field(min_length=1, max_length=64)
    reason: Text = Field(min_length=3, max_length=5_000)


class CoHandlingIn(BaseModel):
    """Ask a second department to work the case too."""

    model_config = ConfigDict(extra="forbid")

    department: Text = Field(min_length=1, max_length=64)
    reason: Text = Field(min_length=3, max_length=5_000)


class MessageIn(BaseModel):
    """An internal note (staff only) or a public reply (the resident sees it)."""

    model_config = ConfigDict(extra="forbid")

    body: Text = Field(min_length=1, max_length=10_000)


class RatingIn(BaseModel):
    """The resident's rating of a resolved case; 1-2 reopens it."""

    model_config = ConfigDict(extra="forbid")

    rating: int = Field(ge=1, le=5)
    resident_key: str = Field(min_length=1, max_length=100, description="From the receipt.")
    comment: Text = Field(default="", max_length=5_000)


class ContactRead(BaseModel):
    """A reporter's contact details; every read is logged."""

    model_config = ConfigDict(from_attributes=True)

    name: str | None
    email: str | None
    phone: str | None
