"""The web application's frame: home page, language switch, static files, and installing
every slice's HTML routes on the app (one call from ``create_app``)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from fastapi import FastAPI, Form, Request
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import HTMLResponse, RedirectResponse

from civicgrid.accounts.deps import AdminUser, PageUser
from civicgrid.errors import Invalid
from civicgrid.settings import Settings
from civicgrid.web.headers import SecurityHeaders
from civicgrid.web.i18n import LANGUAGE_COOKIE, LOCALES, N_
from civicgrid.web.routing import page_router
from civicgrid.web.security import SESSION_COOKIE, safe_next, secret_key
from civicgrid.web.templating import render

STATIC_DIR = Path(__file__).resolve().parent / "static"
ONE_YEAR = 365 * 24 * 3600

router = page_router(tags=["pages"])


@router.get("/", response_class=HTMLResponse)
def home(request: Request, user: PageUser) -> HTMLResponse:
    """The front page: report a problem, follow a report, or go to one's staff work."""
    return render(request, "web/home.html")


ADMIN_SECTIONS = (
    (
        "/admin/areas",
        N_("Areas"),
        N_("Load boundaries; name each area's department and supervisor."),
    ),
    ("/admin/departments", N_("Departments"), N_("The units that act on cases.")),
    (
        "/admin/categories",
        N_("Categories"),
        N_("Kinds of problems and the questions asked for each."),
    ),
    ("/admin/sla", N_("Deadlines and holidays"), N_("SLA policies and working calendars.")),
    ("/admin/routing", N_("Routing rules"), N_("Which department gets which case.")),
    ("/admin/replies", N_("Reply templates"), N_("Standard answers with placeholders.")),
    ("/admin/users", N_("Users and roles"), N_("Staff accounts, roles and departments.")),
    ("/admin/apikeys", N_("Open311 API keys"), N_("Keys of the apps that file reports.")),
    ("/models", N_("AI models"), N_("Model cards, approval status and monthly use.")),
)


@router.get("/admin", response_class=HTMLResponse)
def admin_home(request: Request, admin: AdminUser) -> HTMLResponse:
    """The administrator's start page: every configuration section."""
    return render(request, "web/admin.html", {"sections": ADMIN_SECTIONS})


@router.post("/language")
def switch_language(
    lang: Annotated[str, Form()], next_: Annotated[str, Form(alias="next")] = "/"
) -> RedirectResponse:
    """Show the pages in ``lang`` from now on (kept in a cookie for a year)."""
    if lang not in LOCALES:
        raise Invalid(
            "language must be one of %(locales)s", params={"locales": LOCALES}, field="lang"
        )
    response = RedirectResponse(safe_next(next_), status_code=303)
    response.set_cookie(LANGUAGE_COOKIE, lang, max_age=ONE_YEAR, samesite="lax")
    return response


def install(app: FastAPI, settings: Settings) -> None:
    """Add the session cookie, the security headers, /static and every slice's HTML routes."""
    from civicgrid.web.routers import html_routers  # noqa: PLC0415 - slices import web

    app.add_middleware(
        SessionMiddleware,
        secret_key=secret_key(settings),
        session_cookie=SESSION_COOKIE,
        max_age=settings.session_max_age_seconds,
        same_site="lax",
        https_only=settings.cookie_secure,
    )
    app.add_middleware(SecurityHeaders, tile_url=settings.tile_url)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for html_router in html_routers():
        app.include_router(html_router)
