"""Open311 API keys and submissions: the idempotency record and queue entry of each POST."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from civicgrid.db import Base, UtcDateTime, utcnow


class Open311ApiKey(Base):
    """A key issued to one client application; only its SHA-256 is kept."""

    __tablename__ = "open311_api_keys"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    key_prefix: Mapped[str] = mapped_column(
        String(12), comment="First characters, to tell keys apart"
    )
    contact: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class Open311Submission(Base):
    """One POST (a request or a FixMyStreet update): its first answer and its case.

    ``idempotency_digest`` is unique, so of concurrent retries with one key exactly one
    inserts its row; the others read the stored answer (see ``open311.idempotency``).
    """

    __tablename__ = "open311_submissions"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), comment="request or update")
    token: Mapped[str] = mapped_column(String(32), unique=True)
    idempotency_digest: Mapped[str | None] = mapped_column(String(64), unique=True)
    fingerprint: Mapped[str] = mapped_column(String(64), comment="SHA-256 of the parameters")
    api_key_id: Mapped[int | None] = mapped_column(
        ForeignKey("open311_api_keys.id"), comment="Set once the key is checked"
    )
    state: Mapped[str] = mapped_column(String(16), default="filed", index=True)
    case_id: Mapped[int | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    status_code: Mapped[int] = mapped_column(Integer, default=201)
    response: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    params: Mapped[dict[str, Any] | None] = mapped_column(
        JSON, comment="A queued request's parameters; cleared once its case is filed"
    )
    address_id: Mapped[str | None] = mapped_column(String(100))
    media_url: Mapped[str | None] = mapped_column(String(1000))
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    filed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
