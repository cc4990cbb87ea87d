"""The hotline operator's console: a phoned-in complaint typed in fast, keyboard only, with
similar open cases shown while typing so the operator can tell the caller it is known."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.responses import HTMLResponse

from civicgrid.accounts.deps import require_roles
from civicgrid.accounts.models import User
from civicgrid.cases import queries, service
from civicgrid.cases.pages import case_data
from civicgrid.cases.schemas import Channel
from civicgrid.catalog import service as catalog
from civicgrid.db import utcnow
from civicgrid.deps import CurrentSettings, DbSession
from civicgrid.errors import CivicgridError
from civicgrid.web.routing import PageForm, error_message, page_router
from civicgrid.web.templating import render

router = page_router(tags=["pages"])
Operator = Annotated[User, Depends(require_roles("operator", "supervisor"))]
FIELDS = ("category", "description", "address", "lat", "lon", "name", "phone", "email")


def _page(
    request: Request,
    session: DbSession,
    *,
    values: dict[str, str],
    status: int = 200,
    **extra: object,
) -> HTMLResponse:
    context = {"categories": catalog.list_categories(session), "values": values, **extra}
    return render(request, "cases/console.html", context, status_code=status)


@router.get("/console", response_class=HTMLResponse)
def console(request: Request, session: DbSession, user: Operator) -> HTMLResponse:
    """An empty intake form, the cursor in the description."""
    return _page(request, session, values={})


@router.get("/console/similar", response_class=HTMLResponse)
def similar(
    request: Request, session: DbSession, user: Operator, description: str = "", category: str = ""
) -> HTMLResponse:
    """Open cases like the one being typed (an htmx fragment)."""
    category_id = catalog.get_category_or_raise(session, category).id if category else None
    found = queries.similar_open(
        session, text=description[:2000], category_id=category_id, now=utcnow()
    )
    names = queries.category_names(session)
    return render(request, "cases/_similar.html", {"similar": found, "category_names": names})


@router.post("/console", response_class=HTMLResponse)
def file_call(
    request: Request, session: DbSession, settings: CurrentSettings, user: Operator, form: PageForm
) -> HTMLResponse:
    """File the call as a phone case; show its number to read to the caller, and a fresh form."""
    values = {k: str(form.get(k) or "") for k in FIELDS}
    try:
        with session.begin_nested():
            category = catalog.get_category_or_raise(session, values["category"])
            data = case_data(form, category, Channel.PHONE)
            case, _key = service.create(session, data=data, settings=settings, actor=user.username)
    except CivicgridError as exc:
        return _page(
            request,
            session,
            values=values,
            error=error_message(request, exc),
            status=exc.status_code,
        )
    return _page(request, session, values={}, filed=case, status=201)
