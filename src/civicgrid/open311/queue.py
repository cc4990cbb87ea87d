"""Queued Open311 POSTs (``CIVICGRID_OPEN311_QUEUE_REQUESTS``): tokens, filing, retention."""

from __future__ import annotations

import base64
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from civicgrid.cases import service as cases
from civicgrid.cases.models import Case
from civicgrid.cases.schemas import CaseCreate
from civicgrid.db import utcnow
from civicgrid.errors import CivicgridError
from civicgrid.jobs import Job
from civicgrid.open311.formats import Open311Error
from civicgrid.open311.models import Open311ApiKey, Open311Submission
from civicgrid.open311.schemas import TokenOut
from civicgrid.photos import service as photos
from civicgrid.settings import Settings

BATCH = 200


def token_answer(session: Session, *, token: str) -> list[dict[str, Any]]:
    """The spec's answer for a token: its service_request_id once the case is filed."""
    row = session.execute(
        select(Open311Submission.state, Open311Submission.error, Case.tracking_id)
        .outerjoin(Case, Case.id == Open311Submission.case_id)
        .where(Open311Submission.token == token, Open311Submission.kind == "request")
    ).first()
    if row is None:
        raise Open311Error(404, f"token {token!r} not found")
    if row.state == "failed":
        raise Open311Error(
            400, f"the queued report could not be filed ({row.error}); the city keeps it"
        )
    return [TokenOut(service_request_id=row.tracking_id, token=token).model_dump(exclude_none=True)]


def file_queued_requests(session: Session, settings: Settings) -> str:
    """File the cases of queued submissions, oldest first, as received (their SLA starts then)."""
    rows = session.scalars(
        select(Open311Submission)
        .where(Open311Submission.state == "queued")
        .order_by(Open311Submission.id)
        .limit(BATCH)
        .with_for_update(skip_locked=True)
    ).all()
    filed = failed = 0
    for row in rows:
        key = session.get_one(Open311ApiKey, row.api_key_id)
        try:
            with session.begin_nested():
                case = _file(session, row, actor=f"apikey:{key.name}", settings=settings)
        except CivicgridError as exc:
            # Never lost: the row keeps its parameters for a person to look at.
            row.state, row.error = "failed", exc.message
            failed += 1
            continue
        row.state, row.case_id, row.filed_at, row.params = "filed", case.id, utcnow(), None
        filed += 1
    session.flush()
    return f"{filed} filed, {failed} failed"


def _file(session: Session, row: Open311Submission, *, actor: str, settings: Settings) -> Case:
    params = row.params or {}
    case, _resident_key = cases.create(
        session,
        data=CaseCreate.model_validate(params["case"]),
        settings=settings,
        actor=actor,
        now=row.created_at,
    )
    if params.get("media"):
        raw = base64.b64decode(params["media"])
        photo = photos.clean(raw, settings=settings, filename="media")
        photos.store(session, case_id=case.id, photo=photo, settings=settings)
    return case


def forget_idempotency_keys(session: Session, settings: Settings) -> str:
    """Forget idempotency keys older than the retention: a retry after that files anew."""
    cutoff = utcnow() - timedelta(days=settings.open311_idempotency_days)
    result = session.execute(
        update(Open311Submission)
        .where(
            Open311Submission.created_at < cutoff,
            Open311Submission.idempotency_digest.is_not(None),
        )
        .values(idempotency_digest=None, response=None)
    )
    return f"{result.rowcount} idempotency keys forgotten"  # type: ignore[attr-defined]


JOBS: list[Job] = [
    Job(name="file_queued_open311_requests", func=file_queued_requests, interval=lambda s: 5),
    Job(
        name="forget_open311_idempotency_keys",
        func=forget_idempotency_keys,
        interval=lambda s: 3600,
    ),
]
