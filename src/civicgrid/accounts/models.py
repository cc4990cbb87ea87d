"""Staff users (SQLAlchemy only). Residents never need an account."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from civicgrid.db import Base, UtcDateTime, utcnow


class User(Base):
    """A member of staff: operator, caseworker, supervisor, command or administrator."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str | None] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    password_hash: Mapped[str | None] = mapped_column(
        String(200), comment="argon2id hash of the web login password; null: no web login"
    )


class ApiToken(Base):
    """A bearer token a staff member's client uses on the JSON API; only its hash is kept."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class LoginFailure(Base):
    """A failed web login, kept for the throttle window (accounts.throttle) and then deleted.

    Counted per username and per client address, in the database so that every app process
    sees the same count.
    """

    __tablename__ = "login_failures"
    __table_args__ = (
        Index("ix_login_failures_username_created_at", "username", "created_at"),
        Index("ix_login_failures_address_created_at", "address", "created_at"),
        Index("ix_login_failures_created_at", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), comment="The username typed, as typed")
    address: Mapped[str] = mapped_column(String(64), comment="The client's IP address")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
