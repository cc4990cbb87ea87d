"""Administrator pages of deadlines: SLA policies per category and the holiday calendars."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import Form, Request
from starlette.responses import HTMLResponse, RedirectResponse

from civicgrid.accounts.deps import AdminUser
from civicgrid.audit import service as audit
from civicgrid.catalog import service as catalog
from civicgrid.deps import DbSession
from civicgrid.sla import config, service
from civicgrid.web.i18n import N_
from civicgrid.web.routing import page_router
from civicgrid.web.templating import flash, render

router = page_router(tags=["pages"])


@router.get("/admin/sla", response_class=HTMLResponse)
def sla(request: Request, session: DbSession, admin: AdminUser) -> HTMLResponse:
    """The policies and the calendars with their holidays."""
    calendars = config.list_calendars(session)
    categories = catalog.list_categories(session, include_inactive=True)
    context = {
        "policies": config.list_policies(session),
        "calendars": calendars,
        "calendar_names": {c.id: c.name for c in calendars},
        "categories": categories,
        "category_names": {c.id: c.name for c in categories},
        "holidays": {c.id: config.holidays(session, calendar_id=c.id) for c in calendars},
        "units": service.UNITS,
    }
    return render(request, "sla/sla.html", context)


@router.post("/admin/sla/policies")
def save_policy(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    calendar_id: Annotated[int, Form()],
    unit: Annotated[str, Form()],
    first_response: Annotated[float, Form(gt=0, le=10_000)],
    resolution: Annotated[float, Form(gt=0, le=100_000)],
    category_id: Annotated[str, Form(pattern=r"^\d*$")] = "",
) -> RedirectResponse:
    """Set the deadlines of a category, or the default ones."""
    config.save_policy(
        session,
        actor=f"user:{admin.username}",
        category_id=int(category_id) if category_id else None,
        calendar_id=calendar_id,
        unit=unit,
        first_response=first_response,
        resolution=resolution,
    )
    flash(request, N_("Deadlines saved. They apply to cases filed from now on."))
    return RedirectResponse("/admin/sla", status_code=303)


@router.post("/admin/sla/calendars/{calendar_id}/holidays")
def add_holiday(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    calendar_id: int,
    day: Annotated[date, Form()],
    name: Annotated[str, Form(max_length=200)] = "",
) -> RedirectResponse:
    """Add one holiday to a calendar."""
    config.add_holiday(
        session, actor=f"user:{admin.username}", calendar_id=calendar_id, day=day, name=name
    )
    flash(request, N_("Holiday added."))
    return RedirectResponse("/admin/sla", status_code=303)


@router.post("/admin/sla/calendars/{calendar_id}/public-holidays")
def load_public_holidays(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    calendar_id: int,
    country: Annotated[str, Form(pattern=r"^[A-Za-z]{2}$")],
    year: Annotated[int, Form(ge=1900, le=2200)],
    subdivision: Annotated[str, Form(max_length=10)] = "",
) -> RedirectResponse:
    """Add a country's public holidays of one year to a calendar."""
    calendar = config.get_calendar_or_raise(session, calendar_id)
    added = service.load_holidays(
        session,
        calendar=calendar,
        country=country.upper(),
        subdivision=subdivision or None,
        years=[year],
    )
    audit.record(
        session,
        actor=f"user:{admin.username}",
        action="sla.public_holidays_loaded",
        subject=f"calendar:{calendar_id}",
        details={
            "country": country.upper(),
            "subdivision": subdivision or None,
            "year": year,
            "added": len(added),
        },
    )
    flash(request, N_("%(n)s public holidays added."), n=len(added))
    return RedirectResponse("/admin/sla", status_code=303)


@router.post("/admin/sla/holidays/{holiday_id}/delete")
def remove_holiday(
    request: Request, session: DbSession, admin: AdminUser, holiday_id: int
) -> RedirectResponse:
    """Make a holiday a working day again."""
    config.remove_holiday(session, actor=f"user:{admin.username}", holiday_id=holiday_id)
    flash(request, N_("Holiday removed."))
    return RedirectResponse("/admin/sla", status_code=303)
