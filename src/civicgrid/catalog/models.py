"""Departments, categories, category questions, routing rules, and the version of the reference
data a filing reads (SQLAlchemy only)."""

from __future__ import annotations

import uuid
from datetime import datetime
from itertools import chain
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
    update,
)
from sqlalchemy.orm import (
    Mapped,
    ORMExecuteState,
    Session,
    SessionTransaction,
    mapped_column,
    relationship,
)

from civicgrid.db import Base, UtcDateTime, utcnow


class Department(Base):
    """A unit of government that acts on cases."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    email: Mapped[str | None] = mapped_column(String(200))
    is_default: Mapped[bool] = mapped_column(Boolean, default=False)


class Category(Base):
    """A kind of problem residents report; Open311 calls it a service."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    group: Mapped[str] = mapped_column(String(200), default="")
    keywords: Mapped[str] = mapped_column(Text, default="")
    sensitive: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    questions: Mapped[list[CategoryQuestion]] = relationship(
        back_populates="category", order_by="CategoryQuestion.order", cascade="all, delete-orphan"
    )


class CategoryQuestion(Base):
    """An Open311 attribute: a question asked when reporting in a category."""

    __tablename__ = "category_questions"
    __table_args__ = (UniqueConstraint("category_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int] = mapped_column(ForeignKey("categories.id", ondelete="CASCADE"))
    code: Mapped[str] = mapped_column(String(64))
    order: Mapped[int] = mapped_column(Integer, default=0)
    datatype: Mapped[str] = mapped_column(String(32))
    required: Mapped[bool] = mapped_column(Boolean, default=False)
    variable: Mapped[bool] = mapped_column(Boolean, default=True)
    description: Mapped[str] = mapped_column(Text)
    datatype_description: Mapped[str] = mapped_column(Text, default="")
    values: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    category: Mapped[Category] = relationship(back_populates="questions")


class RoutingRule(Base):
    """Category x area -> department; a null category or area matches any."""

    __tablename__ = "routing_rules"

    id: Mapped[int] = mapped_column(primary_key=True)
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))


class ReferenceVersion(Base):
    """The one row whose token changes with every write to the data a filing reads.

    Catalogue, routing, areas, SLA terms, calendars and triage settings are cached per process
    under this token (civicgrid.catalog.reference); a write changes it in the same transaction.
    """

    __tablename__ = "reference_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), comment="Random; new with every change")
    changed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


REFERENCE_ROW = 1
REFERENCE_TABLES = frozenset(
    {
        "area_levels",
        "areas",
        "calendars",
        "categories",
        "category_questions",
        "departments",
        "holidays",
        "routing_rules",
        "sla_policies",
        "triage_category_settings",
        "triage_models",
    }
)
"""Tables whose rows a filing reads through the per-process reference cache."""
STAMP_INFO = "civicgrid.reference_stamp"
"""Where a session keeps the reference token it read in its current transaction."""


def bump_reference_version(session: Session) -> None:
    """A new reference token in the session's transaction: every process reloads its cache.

    Called by the hooks below for ORM writes; code writing reference tables with raw SQL or
    Core statements on a Table must call it itself.
    """
    session.connection().execute(
        update(ReferenceVersion)
        .where(ReferenceVersion.id == REFERENCE_ROW)
        .values(token=uuid.uuid4().hex, changed_at=utcnow())
    )
    session.info.pop(STAMP_INFO, None)


def _is_reference(obj: object) -> bool:
    return getattr(obj, "__tablename__", None) in REFERENCE_TABLES


# Registered on the Session class, so every session (requests, CLI, jobs, tests) bumps the
# token in the same transaction as its change: a committed change always has a new token.
@event.listens_for(Session, "after_flush")
def _bump_after_flush(session: Session, _context: object) -> None:
    dirty = (obj for obj in session.dirty if session.is_modified(obj))
    if any(map(_is_reference, chain(session.new, session.deleted, dirty))):
        bump_reference_version(session)


@event.listens_for(Session, "do_orm_execute")
def _bump_on_bulk_write(state: ORMExecuteState) -> None:
    # ORM-enabled insert(), update() and delete() statements bypass the flush.
    if state.is_insert or state.is_update or state.is_delete:
        tables = {getattr(m.local_table, "name", None) for m in state.all_mappers}
        if tables & REFERENCE_TABLES:
            bump_reference_version(state.session)


@event.listens_for(Session, "after_transaction_end")
def _forget_stamp(session: Session, transaction: SessionTransaction) -> None:
    # Also at a savepoint's end (a rolled-back one may have held a bump), but not at the end
    # of the inner transaction each flush runs in.
    if transaction.parent is None or transaction.nested:
        session.info.pop(STAMP_INFO, None)
