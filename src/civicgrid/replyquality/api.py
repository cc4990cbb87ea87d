"""JSON routes: check a draft reply before sending it, and the supervisors' flagged list."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from civicgrid.accounts.deps import CurrentStaff
from civicgrid.cases import service as cases
from civicgrid.deps import CurrentSettings, DbSession
from civicgrid.errors import error_responses
from civicgrid.replyquality import service
from civicgrid.replyquality.schemas import AssessmentRead, FlaggedPage, ReplyCheckIn

router = APIRouter(tags=["reply quality"])


@router.post(
    "/cases/{tracking_id}/reply-check",
    response_model=AssessmentRead,
    responses=error_responses(400, 401, 403, 404, 422),
)
def check_reply(
    tracking_id: str,
    data: ReplyCheckIn,
    session: DbSession,
    settings: CurrentSettings,
    user: CurrentStaff,
) -> AssessmentRead:
    """Score a draft public reply (relevance, completeness, explanation, timeliness).

    A suggestion only: nothing is sent or blocked. A weak draft is flagged for supervisors.
    """
    case = cases.get_or_raise(session, tracking_id)
    row = service.assess(session, case=case, body=data.body, actor=user.username, settings=settings)
    return service.to_read(session, [row])[0]


@router.get(
    "/reply-quality/flagged",
    response_model=FlaggedPage,
    responses=error_responses(401, 403, 404, 422),
)
def flagged_replies(
    session: DbSession,
    settings: CurrentSettings,
    user: CurrentStaff,
    department: Annotated[str | None, Query(max_length=64)] = None,
    sent: Annotated[
        bool | None, Query(description="true: sent replies only; false: drafts only")
    ] = None,
    page: Annotated[int, Query(ge=1, le=1_000_000)] = 1,
    page_size: Annotated[int | None, Query(ge=1)] = None,
) -> FlaggedPage:
    """Weak replies, newest first, for supervisors and administrators."""
    size = min(page_size or settings.page_size, settings.max_page_size)
    rows, total = service.list_flagged(
        session, user=user, department=department, sent=sent, page=page, page_size=size
    )
    return FlaggedPage(items=service.to_read(session, rows), total=total, page=page, page_size=size)
