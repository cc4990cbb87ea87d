"""'Me too': residents who report a problem that is already open add themselves to its case.

A supporter row records only that someone else reported it, when and through which channel;
nothing about who they are (civicgrid never profiles residents).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, func, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from civicgrid.cases.models import Case, CaseEvent
from civicgrid.cases.workflow import OPEN_STATES
from civicgrid.db import Base, UtcDateTime, utcnow
from civicgrid.errors import Conflict


class CaseSupporter(Base):
    """One more resident who reported the same problem instead of filing a new case."""

    __tablename__ = "case_supporters"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    channel: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


def add(
    session: Session, *, case: Case, channel: str = "web", now: datetime | None = None
) -> CaseSupporter:
    """Count one more reporter on an open case, with a public timeline entry."""
    if case.status not in OPEN_STATES:
        raise Conflict(
            "this case is %(status)s; report the problem again as a new report instead",
            params={"status": case.status},
            field="case",
        )
    now = now or utcnow()
    supporter = CaseSupporter(case_id=case.id, channel=channel, created_at=now)
    session.add(supporter)
    session.add(
        CaseEvent(
            case_id=case.id,
            kind="me_too",
            public=True,
            body="",
            actor="resident",
            data={"channel": channel},
            created_at=now,
        )
    )
    case.updated_at = now
    session.flush()
    return supporter


def count(session: Session, *, case_id: int) -> int:
    """How many residents added 'me too' to the case."""
    query = select(func.count(CaseSupporter.id)).where(CaseSupporter.case_id == case_id)
    return session.scalar(query) or 0
