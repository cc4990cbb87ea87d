"""FastAPI dependencies: the staff member behind a request's bearer token."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from civicgrid.accounts import service
from civicgrid.accounts.models import User
from civicgrid.deps import DbSession
from civicgrid.errors import CivicgridError, Forbidden
from civicgrid.web.routing import LoginRequired

_bearer = HTTPBearer(auto_error=False, description="A staff API token (civicgrid user token)")


class Unauthenticated(CivicgridError):
    """No credentials were given where staff credentials are needed."""

    status_code = 401
    code = "unauthenticated"


def current_staff(
    session: DbSession,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The staff member making the request; 401 without a token, 403 with a bad one."""
    if credentials is None:
        raise Unauthenticated(
            "this endpoint is for staff: send 'Authorization: Bearer <token>' "
            "(issue one with `civicgrid user token USERNAME`)"
        )
    return service.user_for_token(session, credentials.credentials)


CurrentStaff = Annotated[User, Depends(current_staff)]


# --- the web pages: a login kept in the signed session cookie ---------------------------


def session_stamp(user: User) -> str:
    """Ties a login to the password it was made with: a new password ends old logins."""
    return hashlib.sha256((user.password_hash or "").encode()).hexdigest()[:16]


def log_in(request: Request, user: User) -> None:
    """Remember ``user`` in this browser's session (a fresh CSRF token with it)."""
    request.session.clear()
    request.session.update({"uid": user.id, "stamp": session_stamp(user)})


def log_out(request: Request) -> None:
    """Forget the login of this browser."""
    request.session.clear()


def page_user(request: Request, session: DbSession) -> User | None:
    """The member of staff logged in on this browser, if any (inactive accounts are not).

    Public pages ask for it too: it sets ``request.state.user`` for the layout's menu.
    """
    uid = request.session.get("uid")
    user = session.get(User, uid) if isinstance(uid, int) else None
    if user is None or not user.active or request.session.get("stamp") != session_stamp(user):
        if uid is not None:
            log_out(request)
        user = None
    request.state.user = user
    return user


def staff_page(user: Annotated[User | None, Depends(page_user)]) -> User:
    """The logged-in member of staff, or a redirect to the login page."""
    if user is None:
        raise LoginRequired("log in to see this page")
    return user


def require_roles(*roles: str) -> Callable[[User], User]:
    """A dependency that lets only ``roles`` through (403 for the others)."""

    def check(user: Annotated[User, Depends(staff_page)]) -> User:
        if user.role not in roles:
            raise Forbidden(
                "this page is for: %(roles)s; you are a %(role)s",
                params={"roles": roles, "role": user.role},
            )
        return user

    return check


PageUser = Annotated[User | None, Depends(page_user)]
StaffUser = Annotated[User, Depends(staff_page)]
AdminUser = Annotated[User, Depends(require_roles("administrator"))]
