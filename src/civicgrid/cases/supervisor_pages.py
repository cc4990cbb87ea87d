"""The supervisor's view: every case in their areas, escalations and overdue ones first, and a
map of the open cases coloured by deadline state. The command centre sees the whole city."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select
from starlette.responses import HTMLResponse, JSONResponse

from civicgrid.accounts.deps import require_roles
from civicgrid.accounts.models import User
from civicgrid.cases import access, queries
from civicgrid.cases.models import Case
from civicgrid.catalog import service as catalog
from civicgrid.db import utcnow
from civicgrid.deps import DbSession
from civicgrid.grid.models import Area
from civicgrid.web.routing import page_router
from civicgrid.web.templating import render

router = page_router(tags=["pages"])
Overseer = Annotated[User, Depends(require_roles("supervisor", "command"))]
MAP_LIMIT = 2000


@router.get("/supervisor", response_class=HTMLResponse)
def overview(
    request: Request,
    session: DbSession,
    user: Overseer,
    status: str = "open",
    category: str = "",
    deadline: str = "",
    q: str = "",
    page: int = 1,
) -> HTMLResponse:
    """Cases in the supervisor's areas, escalated first, then overdue, then nearly due."""
    now = utcnow()
    f = queries.QueueFilter(status=status, category=category, deadline=deadline, text=q)
    query = access.in_scope(session, user, queries.filtered(select(Case), f, now))
    cases, total = queries.by_urgency(
        session, query, now=now, escalations_first=True, page=max(page, 1)
    )
    areas = (
        session.scalars(select(Area).where(Area.supervisor_id == user.id).order_by(Area.name)).all()
        if user.role == "supervisor"
        else []
    )
    context = {
        "cases": cases,
        "total": total,
        "page": max(page, 1),
        "filter": f,
        "now": now,
        "state": queries.deadline_state,
        "areas": areas,
        "categories": catalog.list_categories(session),
        "category_names": queries.category_names(session),
    }
    return render(request, "cases/supervisor.html", context)


@router.get("/supervisor/map.geojson")
def open_cases_map(session: DbSession, user: Overseer) -> JSONResponse:
    """The open cases in scope as GeoJSON points with their deadline state."""
    now = utcnow()
    query = access.in_scope(
        session, user, queries.filtered(select(Case), queries.QueueFilter(), now)
    )
    cases, _total = queries.by_urgency(session, query, now=now, page_size=MAP_LIMIT)
    body = queries.feature_collection(
        cases, now=now, url="/staff/cases/{tracking_id}", labels=queries.category_names(session)
    )
    return JSONResponse(body)
