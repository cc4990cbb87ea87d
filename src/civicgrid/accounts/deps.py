"""FastAPI dependencies: the staff member behind a request's bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from civicgrid.accounts import service
from civicgrid.accounts.models import User
from civicgrid.deps import DbSession
from civicgrid.errors import CivicgridError

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
