"""Request and response bodies of the reply-quality API (Pydantic only)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ReplyCheckIn(BaseModel):
    """A draft public reply to check before it is sent."""

    body: str = Field(min_length=1, max_length=20_000, description="The draft reply's text")


class ReasonRead(BaseModel):
    """One thing the reply lacks, and which component it lowers."""

    code: str
    component: str
    message: str


class AssessmentRead(BaseModel):
    """The scorer's verdict on a reply: a suggestion for the caseworker and the supervisor."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    tracking_id: str
    event_id: int | None = Field(description="The sent reply's timeline event; null: a draft")
    draft_sha256: str
    language: str
    relevance: float
    completeness: float
    explanation: float
    timeliness: float | None = Field(description="Null when the case has no deadline")
    overall: float
    threshold: float
    flagged: bool = Field(description="Overall below the threshold: a supervisor may look")
    reasons: list[ReasonRead]
    scorer_version: str
    assessed_by: str
    assessed_at: datetime


class FlaggedPage(BaseModel):
    """One page of flagged assessments, newest first."""

    items: list[AssessmentRead]
    total: int
    page: int
    page_size: int
