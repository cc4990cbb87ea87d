"""Assessing public replies before and after they are sent, and the supervisors' flagged list.

An assessment is a suggestion: it never blocks a reply. Each one is stored with the scorer's
version and recorded in the audit ledger as the model's output.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicgrid.accounts.models import User
from civicgrid.audit import service as audit
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.catalog import service as catalog
from civicgrid.db import utcnow
from civicgrid.errors import Forbidden, Invalid
from civicgrid.replyquality import scorer
from civicgrid.replyquality.models import ReplyAssessment
from civicgrid.replyquality.schemas import AssessmentRead
from civicgrid.settings import Settings

SUPERVISOR_ROLES = ("supervisor", "administrator")


def draft_digest(body: str) -> str:
    """SHA-256 of a reply's text (stripped), which names a draft."""
    return hashlib.sha256(body.strip().encode()).hexdigest()


def _deadline(case: Case, replied_at: datetime) -> datetime | None:
    """The deadline this reply answers to: first response if it is the first, else resolution."""
    if case.paused_since is not None:
        return None  # a paused clock has no meaningful due time until it resumes
    if case.first_response_at is None or case.first_response_at >= replied_at:
        return case.first_response_due
    return case.resolution_due


def assess(
    session: Session,
    *,
    case: Case,
    body: str,
    actor: str = "system",
    event: CaseEvent | None = None,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> ReplyAssessment:
    """Score a public reply to ``case`` and store the verdict; never blocks the reply.

    Without ``event`` it is a draft checked before sending: checking the same text again
    updates its assessment. With the sent reply's ``event`` the draft's assessment (if any)
    is linked to it, so the supervisor sees what was sent.
    """
    text = body.strip()
    if not text:
        raise Invalid("the reply is empty: write the reply to check", field="body")
    now = now or utcnow()
    replied_at = event.created_at if event is not None else now
    due = _deadline(case, replied_at)
    verdict = scorer.score(
        complaint=f"{case.title}\n{case.description}",
        reply=text,
        received_at=case.created_at,
        replied_at=replied_at if due is not None else None,
        due_at=due,
        threshold=settings.reply_weak_threshold if settings else scorer.WEAK_BELOW,
    )
    digest = draft_digest(text)
    row = _existing(session, case=case, digest=digest, event=event)
    if row is None:
        row = ReplyAssessment(case_id=case.id, draft_sha256=digest)
    _fill(row, verdict, actor=actor, now=now)
    if event is not None:
        row.event_id = event.id
    session.add(row)
    _supersede(session, case=case, keep=row, now=now)
    session.flush()
    audit.record(
        session,
        actor=f"model:{scorer.VERSION}",
        action="replyquality.assessed",
        subject=f"case:{case.tracking_id}",
        details={
            "assessment_id": row.id,
            "requested_by": actor,
            "event_id": row.event_id,
            "body_sha256": digest,
            "overall": row.overall,
            "flagged": row.flagged,
        },
        now=now,
    )
    return row


def _existing(
    session: Session, *, case: Case, digest: str, event: CaseEvent | None
) -> ReplyAssessment | None:
    """The assessment this one replaces: the same sent event, else the same unsent draft."""
    if event is not None:
        sent = session.scalar(select(ReplyAssessment).where(ReplyAssessment.event_id == event.id))
        if sent is not None:
            return sent
    return session.scalar(
        select(ReplyAssessment)
        .where(
            ReplyAssessment.case_id == case.id,
            ReplyAssessment.draft_sha256 == digest,
            ReplyAssessment.event_id.is_(None),
        )
        .order_by(ReplyAssessment.id.desc())
        .limit(1)
    )


def _supersede(session: Session, *, case: Case, keep: ReplyAssessment, now: datetime) -> None:
    """Older unsent drafts of the case drop out of the flagged list once a newer one exists."""
    query = select(ReplyAssessment).where(
        ReplyAssessment.case_id == case.id,
        ReplyAssessment.event_id.is_(None),
        ReplyAssessment.superseded_at.is_(None),
    )
    for older in session.scalars(query):
        if older is not keep:
            older.superseded_at = now
    keep.superseded_at = None


def _fill(row: ReplyAssessment, verdict: scorer.ReplyScore, *, actor: str, now: datetime) -> None:
    row.language = verdict.language
    row.relevance = verdict.relevance
    row.completeness = verdict.completeness
    row.explanation = verdict.explanation
    row.timeliness = verdict.timeliness
    row.overall = verdict.overall
    row.threshold = verdict.threshold
    row.flagged = verdict.weak
    row.reasons = [
        {"code": r.code, "component": r.component, "message": r.message} for r in verdict.reasons
    ]
    row.cues = dict(verdict.cues)
    row.scorer_version = verdict.version
    row.assessed_by = actor
    row.assessed_at = now


def list_flagged(
    session: Session,
    *,
    user: User,
    department: str | None = None,
    sent: bool | None = None,
    page: int = 1,
    page_size: int = 50,
) -> tuple[Sequence[ReplyAssessment], int]:
    """Weak replies for a supervisor, newest first: drafts still current and sent replies.

    A supervisor of a department sees that department's cases; one without a department and
    administrators see every case, optionally narrowed to ``department``.
    """
    if user.role not in SUPERVISOR_ROLES:
        raise Forbidden(
            "flagged replies are for supervisors and administrators, not a %(role)s",
            params={"role": user.role},
        )
    query = (
        select(ReplyAssessment)
        .join(Case, Case.id == ReplyAssessment.case_id)
        .where(ReplyAssessment.flagged.is_(True), ReplyAssessment.superseded_at.is_(None))
    )
    if user.role == "supervisor" and user.department_id is not None:
        query = query.where(Case.department_id == user.department_id)
    if department is not None:
        query = query.where(
            Case.department_id == catalog.get_department_or_raise(session, department).id
        )
    if sent is not None:
        column = ReplyAssessment.event_id
        query = query.where(column.is_not(None) if sent else column.is_(None))
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(ReplyAssessment.assessed_at.desc(), ReplyAssessment.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).all()
    return rows, total


def to_read(session: Session, rows: Sequence[ReplyAssessment]) -> list[AssessmentRead]:
    """The API view of assessments, with each case's tracking id."""
    ids = {r.case_id for r in rows}
    tracking: dict[int, str] = {}
    if ids:
        query = select(Case.id, Case.tracking_id).where(Case.id.in_(ids))
        tracking = {row.id: row.tracking_id for row in session.execute(query)}
    out = []
    for row in rows:
        data: dict[str, Any] = {
            c.key: getattr(row, c.key) for c in ReplyAssessment.__table__.columns
        }
        out.append(AssessmentRead.model_validate({**data, "tracking_id": tracking[row.case_id]}))
    return out
