"""Caseworker pages: the department's queue with bulk actions, and the case page with its map,
timeline, notes, replies from templates, transfer, co-handling, resolve, close, and the
reporter's contact (shown only here, each view logged)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Form, Request
from sqlalchemy import select
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, RedirectResponse

from civicgrid.accounts.deps import StaffUser, require_roles
from civicgrid.accounts.models import User
from civicgrid.cases import access, queries, service, supporters, workflow
from civicgrid.cases.models import Case, CaseCoHandler
from civicgrid.catalog import service as catalog
from civicgrid.catalog.models import Department
from civicgrid.db import utcnow
from civicgrid.deps import CurrentSettings, DbSession
from civicgrid.errors import CivicgridError, Invalid
from civicgrid.photos import service as photos
from civicgrid.replies import service as replies
from civicgrid.replyquality import service as replyquality
from civicgrid.web.i18n import N_
from civicgrid.web.routing import error_message, page_router
from civicgrid.web.templating import flash, render

router = page_router(tags=["pages"])
Caseworker = Annotated[User, Depends(require_roles("caseworker"))]
BULK_STATUSES = ("acknowledged", "in_progress")
Text = Annotated[str, Form(max_length=10_000)]


def viewable_case(tracking_id: str, session: DbSession, user: StaffUser) -> Case:
    """The case of the path, if the user may see it (checked before the form is read)."""
    case = service.get_or_raise(session, tracking_id)
    access.require_view(session, user, case)
    return case


def workable_case(tracking_id: str, session: DbSession, user: StaffUser) -> Case:
    """The case of the path, if the user may work it (checked before the form is read)."""
    case = service.get_or_raise(session, tracking_id)
    access.require_work(session, user, case)
    return case


ViewCase = Annotated[Case, Depends(viewable_case)]
WorkCase = Annotated[Case, Depends(workable_case)]


def _filter(status: str, category: str, deadline: str, q: str) -> queries.QueueFilter:
    return queries.QueueFilter(status=status, category=category, deadline=deadline, text=q)


@router.get("/staff/queue", response_class=HTMLResponse)
def queue(
    request: Request,
    session: DbSession,
    user: Caseworker,
    status: str = "open",
    category: str = "",
    deadline: str = "",
    q: str = "",
    page: int = 1,
) -> HTMLResponse:
    """The department's cases, overdue and nearly due first, with filters and bulk actions."""
    now = utcnow()
    f = _filter(status, category, deadline, q)
    query = access.in_scope(session, user, queries.filtered(select(Case), f, now))
    cases, total = queries.by_urgency(session, query, now=now, page=max(page, 1))
    context = {
        "cases": cases,
        "total": total,
        "page": max(page, 1),
        "filter": f,
        "now": now,
        "state": queries.deadline_state,
        "categories": catalog.list_categories(session),
        "category_names": queries.category_names(session),
        "department": session.get(Department, user.department_id),
    }
    return render(request, "cases/queue.html", context)


@router.post("/staff/queue/bulk")
def bulk(
    request: Request,
    session: DbSession,
    settings: CurrentSettings,
    user: Caseworker,
    action: Annotated[str, Form()],
    tracking_ids: Annotated[list[str], Form()],
) -> RedirectResponse:
    """Move every selected case to ``action`` (acknowledged or in progress); skips are named."""
    if action not in BULK_STATUSES:
        raise Invalid(
            "bulk action must be one of %(bulk_statuses)s",
            params={"bulk_statuses": BULK_STATUSES},
            field="action",
        )
    done, skipped = 0, []
    for tracking_id in tracking_ids[:200]:
        case = service.get_or_raise(session, tracking_id)
        try:
            with session.begin_nested():
                access.require_work(session, user, case)
                workflow.transition(
                    session, case=case, to_status=action, actor=user.username, settings=settings
                )
            done += 1
        except CivicgridError:
            skipped.append(case.tracking_id)
    flash(request, N_("%(done)s cases updated."), done=done)
    if skipped:
        flash(request, N_("Not possible for: %(ids)s"), kind="error", ids=", ".join(skipped))
    return RedirectResponse("/staff/queue", status_code=303)


def case_context(session: Session, user: User, case: Case) -> dict[str, object]:
    """Everything the staff case page shows about ``case``."""
    now = utcnow()
    co = session.scalars(
        select(Department.name)
        .join(CaseCoHandler, CaseCoHandler.department_id == Department.id)
        .where(CaseCoHandler.case_id == case.id)
    ).all()
    return {
        "case": case,
        "view": service.to_read(session, [case])[0],
        "events": service.timeline(session, case=case, include_internal=True),
        "photos": photos.list_(session, case_id=case.id),
        "supporters": supporters.count(session, case_id=case.id),
        "state": queries.deadline_state(case, now),
        "co_handlers": co,
        "can_work": access.can_work(session, user, case),
        "can_contact": user.role in workflow.CONTACT_ROLES,
        "allowed": workflow.TRANSITIONS[case.status],
        "departments": catalog.list_departments(session),
        "templates": replies.for_case(session, case=case),
        "contact": None,
    }


@router.get("/staff/cases/{tracking_id}", response_class=HTMLResponse)
def case_page(
    request: Request, session: DbSession, user: StaffUser, case: ViewCase
) -> HTMLResponse:
    """The case page for staff: everything about the case and the forms to work it."""
    return render(request, "cases/case.html", case_context(session, user, case))


def _act(
    request: Request, session: Session, case: Case, action: Callable[[], object], done: str
) -> RedirectResponse:
    """Run a case action (its user may work the case); errors come back as a message."""
    try:
        with session.begin_nested():
            action()
    except CivicgridError as exc:
        flash(request, error_message(request, exc), kind="error")
    else:
        flash(request, done)
    return RedirectResponse(f"/staff/cases/{case.tracking_id}", status_code=303)


@router.post("/staff/cases/{tracking_id}/note")
def note(
    request: Request, session: DbSession, user: StaffUser, case: WorkCase, body: Text
) -> RedirectResponse:
    """Add an internal note (staff only)."""

    def run() -> object:
        if not body.strip():
            raise Invalid("write the note first", field="body")
        return workflow.add_message(
            session, case=case, body=body, actor=user.username, public=False
        )

    return _act(request, session, case, run, N_("Note added."))


@router.post("/staff/cases/{tracking_id}/reply")
def reply(
    request: Request,
    session: DbSession,
    settings: CurrentSettings,
    user: StaffUser,
    case: WorkCase,
    body: Text,
) -> RedirectResponse:
    """Send a public reply: the resident sees it on the tracking page."""

    def run() -> object:
        if not body.strip():
            raise Invalid("write the reply first", field="body")
        event = workflow.add_message(
            session, case=case, body=body, actor=user.username, public=True
        )
        replyquality.assess(
            session, case=case, body=event.body, actor=user.username, event=event, settings=settings
        )
        return event

    return _act(request, session, case, run, N_("Reply sent."))


@router.get("/staff/cases/{tracking_id}/reply-text", response_class=HTMLResponse)
def reply_text(
    request: Request,
    session: DbSession,
    settings: CurrentSettings,
    case: ViewCase,
    template_id: str = "",
) -> HTMLResponse:
    """The reply box filled from a template for this case (an htmx fragment)."""
    text = ""
    if template_id:
        template = replies.get_or_raise(session, int(template_id))
        text = replies.fill(session, template=template, case=case, timezone=settings.timezone)
    return render(request, "cases/_reply_box.html", {"text": text})


@router.post("/staff/cases/{tracking_id}/status")
def change_status(
    request: Request,
    session: DbSession,
    settings: CurrentSettings,
    user: StaffUser,
    case: WorkCase,
    status: Annotated[str, Form(max_length=16)],
    reason: Text = "",
) -> RedirectResponse:
    """Move the case on: acknowledge, in progress, waiting, resolve, close."""

    def run() -> object:
        return workflow.transition(
            session,
            case=case,
            to_status=status,
            actor=user.username,
            settings=settings,
            reason=reason,
        )

    return _act(request, session, case, run, N_("Status changed."))


@router.post("/staff/cases/{tracking_id}/transfer")
def transfer(
    request: Request,
    session: DbSession,
    user: StaffUser,
    case: WorkCase,
    department: Annotated[str, Form(max_length=64)],
    reason: Text = "",
) -> RedirectResponse:
    """Hand the case to another department (supervisors: reassign), with a reason."""

    def run() -> object:
        return workflow.transfer(
            session, case=case, department_code=department, reason=reason, actor=user.username
        )

    return _act(request, session, case, run, N_("Case transferred."))


@router.post("/staff/cases/{tracking_id}/co-handling")
def co_handling(
    request: Request,
    session: DbSession,
    user: StaffUser,
    case: WorkCase,
    department: Annotated[str, Form(max_length=64)],
    reason: Text = "",
) -> RedirectResponse:
    """Ask another department to work the case too."""

    def run() -> object:
        if len(reason.strip()) < 3:
            raise Invalid("say why the other department is needed", field="reason")
        return workflow.request_co_handling(
            session, case=case, department_code=department, reason=reason, actor=user.username
        )

    return _act(request, session, case, run, N_("Co-handling requested."))


@router.post("/staff/cases/{tracking_id}/contact", response_class=HTMLResponse)
def contact(
    request: Request,
    session: DbSession,
    user: StaffUser,
    case: ViewCase,
    purpose: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    """Show the reporter's contact details to staff who need them; the view is logged."""
    shown: dict[str, object] = {"contact": None, "problem": ""}
    try:
        shown["contact"] = workflow.view_contact(session, case=case, user=user, purpose=purpose)
    except CivicgridError as exc:
        shown["problem"] = error_message(request, exc)
    if request.headers.get("hx-request"):
        return render(request, "cases/_contact.html", shown)
    return render(request, "cases/case.html", case_context(session, user, case) | shown)
