"""Pydantic shapes of the Open311 answers (JSON); the XML is the same data by the Spark rules.

Codes and ids are strings, datetimes are W3C date-times with a zone and no fraction of a
second, optional fields are present and null, as the spec's JSON examples show.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

W3CDateTime = Annotated[str, Field(json_schema_extra={"format": "date-time"})]


class _Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ServiceOut(_Out):
    """A kind of problem the city takes reports of (a civicgrid category)."""

    service_code: str
    service_name: str
    description: str | None
    metadata: bool = Field(description="true when the service definition has attributes")
    type: Literal["realtime", "batch", "blackbox"]
    keywords: str | None
    group: str | None


class ValueOut(_Out):
    """One choice of a list attribute."""

    key: str
    name: str


class AttributeOut(_Out):
    """One question asked when reporting this kind of problem."""

    variable: bool
    code: str
    datatype: Literal["string", "number", "datetime", "text", "singlevaluelist", "multivaluelist"]
    required: bool
    datatype_description: str | None
    order: int
    description: str
    values: list[ValueOut]


class ServiceDefinitionOut(_Out):
    """A service's attributes."""

    service_code: str
    attributes: list[AttributeOut]


class RequestOut(_Out):
    """A service request (a civicgrid case) as the public sees it: never contact details."""

    service_request_id: str
    status: Literal["open", "closed"]
    status_notes: str | None
    service_name: str | None
    service_code: str
    description: str | None = Field(max_length=4000)
    agency_responsible: str | None
    service_notice: str | None
    requested_datetime: W3CDateTime
    updated_datetime: W3CDateTime | None
    expected_datetime: W3CDateTime | None
    address: str | None
    address_id: str | None
    zipcode: str | None
    lat: float | None
    long: float | None
    media_url: str | None


class PostedRequest(_Out):
    """The answer to a POST filed at once: its service_request_id (the tracking id)."""

    service_request_id: str
    service_notice: str | None
    account_id: str | None


class QueuedRequest(_Out):
    """The answer to a POST that was queued: a token to exchange later at tokens/{token}."""

    token: str
    service_notice: str | None
    account_id: str | None


class TokenOut(_Out):
    """A token and, once its case is filed, the service_request_id."""

    service_request_id: str | SkipJsonSchema[None] = None
    token: str


class UpdateOut(_Out):
    """One public update of a request (FixMyStreet's servicerequestupdates extension)."""

    update_id: str
    service_request_id: str
    status: Literal[
        "open",
        "closed",
        "fixed",
        "in_progress",
        "action_scheduled",
        "investigating",
        "duplicate",
        "not_councils_responsibility",
        "no_further_action",
        "internal_referral",
        "reopen",
        "for_triage",
    ]
    updated_datetime: W3CDateTime
    description: str
    media_url: str
    external_status_code: str = Field(description="civicgrid's own status of the case")


class UpdatePosted(_Out):
    """The answer to a posted update: civicgrid's id of the update."""

    update_id: str


class ErrorOut(_Out):
    """One error; ``code`` is the HTTP status."""

    code: int
    description: str


class EndpointOut(_Out):
    """One API endpoint of the discovery document."""

    specification: str
    url: str
    changeset: str
    type: Literal["production", "test"]
    formats: list[str]


class DiscoveryOut(_Out):
    """The service discovery document."""

    changeset: str
    contact: str
    key_service: str
    endpoints: list[EndpointOut]
