"""Administrator page of Open311 API keys: issue one per client application, revoke it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from starlette.responses import HTMLResponse, RedirectResponse

from civicgrid.accounts.deps import AdminUser
from civicgrid.deps import DbSession
from civicgrid.open311 import apikeys
from civicgrid.web.i18n import N_
from civicgrid.web.routing import page_router
from civicgrid.web.templating import flash, render

router = page_router(tags=["pages"])


@router.get("/admin/apikeys", response_class=HTMLResponse)
def keys(request: Request, session: DbSession, admin: AdminUser) -> HTMLResponse:
    """Every key ever issued, live and revoked; a form to issue one."""
    return render(request, "open311/apikeys.html", {"keys": apikeys.list_(session), "plain": None})


@router.post("/admin/apikeys", response_class=HTMLResponse)
def issue(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    name: Annotated[str, Form(max_length=100)],
    contact: Annotated[str, Form(max_length=200)] = "",
) -> HTMLResponse:
    """Issue a key and show it once (only its hash is kept)."""
    key, plain = apikeys.create(session, name=name, contact=contact, actor=f"user:{admin.username}")
    context = {"keys": apikeys.list_(session), "plain": plain, "issued": key}
    return render(request, "open311/apikeys.html", context, status_code=201)


@router.post("/admin/apikeys/revoke")
def revoke(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    name: Annotated[str, Form(max_length=100)],
) -> RedirectResponse:
    """Revoke a client's key: it can no longer file reports."""
    apikeys.revoke(session, name=name, actor=f"user:{admin.username}")
    flash(request, N_("The API key of %(name)s is revoked."), name=name)
    return RedirectResponse("/admin/apikeys", status_code=303)
