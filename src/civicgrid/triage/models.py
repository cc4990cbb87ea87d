"""The model registry, routing suggestions, duplicate suggestions, merges (SQLAlchemy only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from civicgrid.db import Base, UtcDateTime, utcnow

MODEL_STATUSES = ("candidate", "serving", "retired")
SUGGESTION_OUTCOMES = ("pending", "accepted", "overridden", "auto_applied", "reverted")
DUPLICATE_STATUSES = ("open", "merged", "dismissed", "unmerged")


class TriageModel(Base):
    """One trained model version: its card (purpose, data, figures), approval and status."""

    __tablename__ = "triage_models"
    __table_args__ = (UniqueConstraint("name", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), index=True)
    version: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(Text)
    training_data: Mapped[str] = mapped_column(Text, comment="Where the training rows came from")
    training_rows: Mapped[int] = mapped_column(Integer, default=0)
    labels: Mapped[list[str]] = mapped_column(JSON, default=list)
    parameters: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    evaluation: Mapped[dict[str, Any]] = mapped_column(
        JSON, default=dict, comment="Cross-validated figures: macro-F1, per-class F1, folds"
    )
    artifact_path: Mapped[str] = mapped_column(String(500))
    artifact_sha256: Mapped[str] = mapped_column(String(64))
    trained_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    trained_by: Mapped[str] = mapped_column(String(100), default="system")
    status: Mapped[str] = mapped_column(String(16), default="candidate", index=True)
    approved_by: Mapped[str | None] = mapped_column(String(100))
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    serving_since: Mapped[datetime | None] = mapped_column(UtcDateTime)
    retired_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    @property
    def label(self) -> str:
        """NAME@VERSION, as the audit trail and suggestions name a model."""
        return f"{self.name}@{self.version}"


class CategoryTriage(Base):
    """An administrator's triage settings for one category (absent row: the defaults)."""

    __tablename__ = "triage_category_settings"

    category_id: Mapped[int] = mapped_column(
        ForeignKey("categories.id", ondelete="CASCADE"), primary_key=True
    )
    auto_apply_threshold: Mapped[float | None] = mapped_column(
        Float, comment="Confidence at or above which a suggestion is applied; null: never"
    )
    duplicate_rings: Mapped[int | None] = mapped_column(Integer)
    duplicate_window_hours: Mapped[float | None] = mapped_column(Float)
    related_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class Suggestion(Base):
    """A model's category and department suggestion for a case, and what staff did with it."""

    __tablename__ = "triage_suggestions"
    __table_args__ = (Index("ix_triage_suggestions_model_created", "model_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    model_id: Mapped[int] = mapped_column(ForeignKey("triage_models.id"))
    model_label: Mapped[str] = mapped_column(String(80), comment="NAME@VERSION")
    predicted_label: Mapped[str] = mapped_column(String(200))
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    confidence: Mapped[float] = mapped_column(Float)
    alternatives: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    outcome: Mapped[str] = mapped_column(String(16), default="pending")
    previous_category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    previous_department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class DuplicateSuggestion(Base):
    """An open case that is probably the same problem as a new one, with score and reasons."""

    __tablename__ = "triage_duplicate_suggestions"
    __table_args__ = (UniqueConstraint("case_id", "original_case_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    original_case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[float] = mapped_column(Float)
    reasons: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    method: Mapped[str] = mapped_column(String(80))
    status: Mapped[str] = mapped_column(String(16), default="open")
    decided_by: Mapped[str | None] = mapped_column(String(100))
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class CaseMerge(Base):
    """A duplicate joined to its original as a "me too"; undone merges keep their row."""

    __tablename__ = "triage_case_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    duplicate_case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    original_case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    suggestion_id: Mapped[int | None] = mapped_column(
        ForeignKey("triage_duplicate_suggestions.id", ondelete="SET NULL")
    )
    # No foreign key: case_supporters is created by a later migration than this table.
    supporter_id: Mapped[int | None] = mapped_column(
        Integer, comment="The me-too (case_supporters.id) the merge added to the original"
    )
    duplicate_status_before: Mapped[str] = mapped_column(String(16))
    merged_by: Mapped[str] = mapped_column(String(100))
    merged_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    undone_by: Mapped[str | None] = mapped_column(String(100))
    undone_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
