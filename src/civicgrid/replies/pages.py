"""Administrator pages of reply templates: standard answers per category with placeholders."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from starlette.responses import HTMLResponse, RedirectResponse

from civicgrid.accounts.deps import AdminUser
from civicgrid.audit import service as audit
from civicgrid.catalog import service as catalog
from civicgrid.deps import DbSession
from civicgrid.replies import service
from civicgrid.web.i18n import N_
from civicgrid.web.routing import page_router
from civicgrid.web.templating import flash, render

router = page_router(tags=["pages"])


@router.get("/admin/replies", response_class=HTMLResponse)
def templates(
    request: Request, session: DbSession, admin: AdminUser, edit: int = 0
) -> HTMLResponse:
    """Every reply template, the placeholders they may use, and a form to add or change one."""
    categories = catalog.list_categories(session, include_inactive=True)
    context = {
        "templates": service.list_(session),
        "editing": service.get_or_raise(session, edit) if edit else None,
        "categories": categories,
        "category_names": {c.id: c.name for c in categories},
        "placeholders": service.PLACEHOLDERS,
    }
    return render(request, "replies/templates.html", context)


@router.post("/admin/replies")
def save(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    name: Annotated[str, Form(max_length=200)],
    body: Annotated[str, Form(max_length=10_000)],
    category_id: Annotated[str, Form(pattern=r"^\d*$")] = "",
    template_id: Annotated[str, Form(pattern=r"^\d*$")] = "",
    active: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """Add a template, or change the one named by ``template_id``."""
    existing = service.get_or_raise(session, int(template_id)) if template_id else None
    saved = service.save(
        session,
        template=existing,
        name=name,
        body=body,
        category_id=int(category_id) if category_id else None,
        active=active,
    )
    audit.record(
        session,
        actor=f"user:{admin.username}",
        action="replies.template_saved",
        subject=f"reply_template:{saved.id}",
        details={
            "name": saved.name,
            "category_id": saved.category_id,
            "active": saved.active,
            "body_sha256": audit.digest(saved.body),
        },
    )
    flash(request, N_("Reply template %(name)s saved."), name=saved.name)
    return RedirectResponse("/admin/replies", status_code=303)
