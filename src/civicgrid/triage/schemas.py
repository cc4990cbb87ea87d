"""Triage request and response bodies (Pydantic only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ModelCard(BaseModel):
    """A model's card: purpose, training data, figures, approval, status and monthly use."""

    name: str
    version: int
    label: str
    purpose: str
    status: str
    training_data: str
    training_rows: int
    labels: list[str]
    parameters: dict[str, Any]
    trained_at: datetime
    trained_by: str
    approved_by: str | None
    approved_at: datetime | None
    serving_since: datetime | None
    retired_at: datetime | None
    evaluation: dict[str, Any]
    confusion: list[list[int]] | None
    monthly: list[dict[str, Any]]


class SuggestionRead(BaseModel):
    """A routing suggestion with the model version that made it and its outcome."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    model_label: str
    predicted_label: str
    category: str | None = None
    department: str | None = None
    confidence: float
    alternatives: list[dict[str, Any]]
    outcome: str
    decided_by: str | None
    decided_at: datetime | None
    created_at: datetime


class DuplicateRead(BaseModel):
    """A probable duplicate: the open case it may repeat, a score and the reasons."""

    id: int
    original: str = Field(description="Tracking id of the open case")
    score: float
    reasons: dict[str, Any]
    method: str
    status: str
    created_at: datetime


class CaseTriage(BaseModel):
    """Everything triage knows about one case."""

    suggestions: list[SuggestionRead]
    duplicates: list[DuplicateRead]
    merged_into: str | None = None


class OverrideIn(BaseModel):
    """A person's own choice instead of the model's (both optional)."""

    category: str | None = Field(default=None, max_length=64)
    department: str | None = Field(default=None, max_length=64)


class MergeIn(BaseModel):
    """Merge the case into an original given by tracking id."""

    original: str = Field(min_length=1, max_length=32)


class MergeRead(BaseModel):
    """A merge (undone ones keep their record)."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    duplicate: str
    original: str
    merged_by: str
    merged_at: datetime
    undone_by: str | None
    undone_at: datetime | None


class CategoryTriageIn(BaseModel):
    """An administrator's triage settings for a category."""

    auto_apply_threshold: float | None = Field(default=None, ge=0.5, le=1)
    duplicate_rings: int | None = Field(default=None, ge=0, le=20)
    duplicate_window_hours: float | None = Field(default=None, gt=0, le=24 * 366)
    related_categories: list[str] = Field(default_factory=list, max_length=50)


class CategoryTriageRead(CategoryTriageIn):
    """A category's triage settings and who set them."""

    category: str
    updated_by: str | None = None
    updated_at: datetime | None = None
