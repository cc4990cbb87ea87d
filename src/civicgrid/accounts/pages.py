"""HTML pages of accounts: logging in and out, and the administrator's staff management."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from civicgrid.accounts import service, throttle
from civicgrid.accounts.deps import AdminUser, PageUser, StaffUser, log_in, log_out
from civicgrid.audit import service as audit
from civicgrid.catalog import service as catalog
from civicgrid.deps import DbSession
from civicgrid.errors import Conflict, Forbidden
from civicgrid.web.i18n import N_
from civicgrid.web.routing import error_message, page_router
from civicgrid.web.security import safe_next
from civicgrid.web.templating import flash, render

router = page_router(tags=["pages"])
HOME_BY_ROLE = {
    "operator": "/console",
    "caseworker": "/staff/queue",
    "supervisor": "/supervisor",
    "command": "/supervisor",
    "administrator": "/admin",
}


@router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, user: PageUser, next_: str = "") -> HTMLResponse:
    """The staff login form."""
    return render(request, "accounts/login.html", {"next": safe_next(next_, "")})


@router.post("/login", response_model=None)
def login(
    request: Request,
    session: DbSession,
    username: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1000)],
    next_: Annotated[str, Form(alias="next")] = "",
) -> Response:
    """Check the password; on success start a session and go on to the page asked for.

    Too many failed logins for the username or from the address are refused for a while
    (accounts.throttle) with 429, before the password is checked.
    """
    address = request.client.host if request.client else None
    request.state.user = None
    context: dict[str, object] = {"next": safe_next(next_, ""), "username": username}
    try:
        throttle.check(session, username=username, address=address)
        user = service.authenticate(session, username=username, password=password)
    except throttle.TooManyAttempts as exc:
        context |= {"error": error_message(request, exc), "throttled": True}
        headers = {"Retry-After": str(exc.retry_after)}
        return render(request, "accounts/login.html", context, status_code=429, headers=headers)
    except Forbidden as exc:
        throttle.record_failure(session, username=username, address=address)
        context["error"] = error_message(request, exc)
        return render(request, "accounts/login.html", context, status_code=403)
    throttle.clear(session, username=username)
    log_in(request, user)
    return RedirectResponse(safe_next(next_, HOME_BY_ROLE[user.role]), status_code=303)


@router.post("/logout")
def logout(request: Request) -> RedirectResponse:
    """End this browser's login."""
    log_out(request)
    return RedirectResponse("/", status_code=303)


@router.get("/staff")
def staff_home(user: StaffUser) -> RedirectResponse:
    """Where a member of staff starts: their role's main page."""
    return RedirectResponse(HOME_BY_ROLE[user.role], status_code=303)


@router.get("/admin/users", response_class=HTMLResponse)
def users(request: Request, session: DbSession, admin: AdminUser) -> HTMLResponse:
    """Every member of staff, with a form to add one."""
    context = {
        "users": service.list_(session),
        "roles": service.ROLES,
        "departments": catalog.list_departments(session),
        "codes": _department_codes(session),
    }
    return render(request, "accounts/users.html", context)


def _department_codes(session: DbSession) -> dict[int, str]:
    return {d.id: d.code for d in catalog.list_departments(session)}


@router.post("/admin/users")
def create_user(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    username: Annotated[str, Form(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9._-]+$")],
    role: Annotated[str, Form()],
    password: Annotated[str, Form(max_length=1000)],
    display_name: Annotated[str, Form(max_length=200)] = "",
    department: Annotated[str, Form(max_length=64)] = "",
    email: Annotated[str, Form(max_length=200)] = "",
) -> RedirectResponse:
    """Add a member of staff with a web password."""
    user = service.create(
        session,
        username=username,
        display_name=display_name or username,
        role=role,
        department_code=department or None,
        email=email or None,
        password=password,
    )
    audit.record(
        session,
        actor=f"user:{admin.username}",
        action="accounts.user_created",
        subject=f"user:{user.username}",
        details={"role": role, "department": department or None},
    )
    flash(request, N_("Staff member %(name)s added."), name=user.username)
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/admin/users/{user_id}", response_class=HTMLResponse)
def edit_user_form(
    request: Request, session: DbSession, admin: AdminUser, user_id: int
) -> HTMLResponse:
    """One member of staff: role, department, e-mail, active, password."""
    context = {
        "staff": service.get_or_raise(session, user_id),
        "roles": service.ROLES,
        "departments": catalog.list_departments(session),
    }
    return render(request, "accounts/user_edit.html", context)


@router.post("/admin/users/{user_id}")
def edit_user(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    user_id: int,
    role: Annotated[str, Form()],
    display_name: Annotated[str, Form(max_length=200)] = "",
    department: Annotated[str, Form(max_length=64)] = "",
    email: Annotated[str, Form(max_length=200)] = "",
    active: Annotated[bool, Form()] = False,
    password: Annotated[str, Form(max_length=1000)] = "",
) -> RedirectResponse:
    """Change a member of staff; a new password ends their current logins."""
    staff = service.get_or_raise(session, user_id)
    if staff.id == admin.id and (not active or role != "administrator"):
        raise Conflict("you cannot take away your own administrator access")
    service.update(
        session,
        user=staff,
        display_name=display_name,
        role=role,
        department_code=department or None,
        email=email or None,
        active=active,
    )
    if password:
        service.set_password(session, user=staff, password=password)
    audit.record(
        session,
        actor=f"user:{admin.username}",
        action="accounts.user_updated",
        subject=f"user:{staff.username}",
        details={
            "role": role,
            "department": department or None,
            "active": active,
            "password_changed": bool(password),
        },
    )
    flash(request, N_("Changes to %(name)s saved."), name=staff.username)
    return RedirectResponse("/admin/users", status_code=303)
