"""Stored reply-quality assessments of draft and sent public replies (SQLAlchemy only)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from civicgrid.db import Base, UtcDateTime, utcnow


class ReplyAssessment(Base):
    """The scorer's verdict on one reply text for one case, with the scorer's version.

    A draft is identified by the SHA-256 of its text; once the reply is sent, ``event_id``
    links the verdict to the case's timeline event. Only a suggestion: nothing is blocked.
    """

    __tablename__ = "reply_assessments"
    __table_args__ = (
        Index("ix_reply_assessments_flagged_assessed", "flagged", "assessed_at"),
        Index("ix_reply_assessments_case_draft", "case_id", "draft_sha256"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_events.id", ondelete="SET NULL"),
        comment="The public reply event once the reply was sent; null for a draft",
    )
    draft_sha256: Mapped[str] = mapped_column(String(64), comment="SHA-256 of the reply text")
    language: Mapped[str] = mapped_column(String(8))
    relevance: Mapped[float] = mapped_column(Float)
    completeness: Mapped[float] = mapped_column(Float)
    explanation: Mapped[float] = mapped_column(Float)
    timeliness: Mapped[float | None] = mapped_column(Float)
    overall: Mapped[float] = mapped_column(Float)
    threshold: Mapped[float] = mapped_column(Float, comment="Weak below this overall score")
    flagged: Mapped[bool] = mapped_column(Boolean, default=False)
    superseded_at: Mapped[datetime | None] = mapped_column(
        UtcDateTime, comment="When a newer draft of the same case replaced this unsent one"
    )
    reasons: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    cues: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    scorer_version: Mapped[str] = mapped_column(String(32))
    assessed_by: Mapped[str] = mapped_column(String(100), comment="Who asked: a user or system")
    assessed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
