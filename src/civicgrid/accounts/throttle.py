"""Login throttling: repeated failed web logins for one username, or from one address, are
refused for a while, so passwords cannot be guessed at speed.

Failures are rows of ``login_failures`` (so every app process counts the same ones); a login
is refused, before its password is even checked, once the username has ACCOUNT_LIMIT failures
or the address ADDRESS_LIMIT failures within WINDOW. A successful login clears the username's
failures; rows older than WINDOW are deleted as new failures come in. Every failure and every
refusal is logged (logger ``civicgrid.accounts.throttle``).
"""

from __future__ import annotations

import logging
import math
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, delete, func, select
from sqlalchemy.orm import Session

from civicgrid.accounts.models import LoginFailure
from civicgrid.db import utcnow
from civicgrid.errors import CivicgridError

WINDOW = timedelta(minutes=15)
ACCOUNT_LIMIT = 5
# Higher than the account limit: several members of staff may share an office's address.
ADDRESS_LIMIT = 20
log = logging.getLogger(__name__)


class TooManyAttempts(CivicgridError):
    """Too many failed logins: wait before trying again (HTTP 429, with Retry-After)."""

    status_code = 429
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.retry_after = retry_after


def _key(username: str) -> str:
    return username.strip()[:64]


def _address(address: str | None) -> str:
    return (address or "unknown")[:64]


def _blocked_until(
    session: Session, condition: ColumnElement[bool], limit: int, since: datetime
) -> datetime | None:
    """When the oldest failure that keeps ``condition`` at ``limit`` leaves the window."""
    times = session.scalars(
        select(LoginFailure.created_at)
        .where(condition, LoginFailure.created_at > since)
        .order_by(LoginFailure.created_at.desc())
        .limit(limit)
    ).all()
    return times[-1] + WINDOW if len(times) >= limit else None


def check(
    session: Session, *, username: str, address: str | None, now: datetime | None = None
) -> None:
    """Raise TooManyAttempts when this username or this address may not try again yet."""
    now = now or utcnow()
    since = now - WINDOW
    by_account = LoginFailure.username == _key(username)
    by_address = LoginFailure.address == _address(address)
    blocked = [
        until
        for until in (
            _blocked_until(session, by_account, ACCOUNT_LIMIT, since),
            _blocked_until(session, by_address, ADDRESS_LIMIT, since),
        )
        if until is not None
    ]
    until = max(blocked, default=None)
    if until is None:
        return
    seconds = max(1, math.ceil((until - now).total_seconds()))
    log.warning(
        "login refused for %r from %s: too many failed logins (retry in %d s)",
        _key(username),
        _address(address),
        seconds,
    )
    raise TooManyAttempts(
        "too many failed logins: wait %(minutes)s minutes, then try again",
        params={"minutes": math.ceil(seconds / 60)},
        retry_after=seconds,
    )


def record_failure(
    session: Session, *, username: str, address: str | None, now: datetime | None = None
) -> int:
    """Count a failed login; returns the username's failures within the window."""
    now = now or utcnow()
    session.execute(delete(LoginFailure).where(LoginFailure.created_at <= now - WINDOW))
    session.add(LoginFailure(username=_key(username), address=_address(address), created_at=now))
    session.flush()
    failures = session.scalar(
        select(func.count(LoginFailure.id)).where(
            LoginFailure.username == _key(username), LoginFailure.created_at > now - WINDOW
        )
    )
    log.warning(
        "failed login for %r from %s (%d within %d min)",
        _key(username),
        _address(address),
        failures or 0,
        WINDOW.total_seconds() // 60,
    )
    return failures or 0


def clear(session: Session, *, username: str) -> None:
    """Forget the username's failures after a successful login."""
    session.execute(delete(LoginFailure).where(LoginFailure.username == _key(username)))
