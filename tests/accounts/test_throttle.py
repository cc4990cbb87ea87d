"""Login throttling: failures counted in the database per username and per address."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicgrid.accounts import throttle
from civicgrid.accounts.models import LoginFailure
from civicgrid.db import utcnow


def _fail(session: Session, times: int, *, username: str = "ann", address: str = "10.0.0.1", **kw):  # type: ignore[no-untyped-def]
    now = kw.get("now") or utcnow()
    for i in range(times):
        throttle.record_failure(
            session, username=username, address=address, now=now + timedelta(seconds=i)
        )
    return now + timedelta(seconds=times)


def test_five_failures_of_one_username_refuse_it_for_the_window(session: Session) -> None:
    start = utcnow()
    last = _fail(session, throttle.ACCOUNT_LIMIT - 1, now=start)
    throttle.check(session, username="ann", address="10.0.0.9", now=last)  # four: still allowed
    last = _fail(session, 1, now=last)
    with pytest.raises(throttle.TooManyAttempts) as refused:
        throttle.check(session, username="ann", address="10.0.0.9", now=last)
    assert refused.value.status_code == 429
    assert refused.value.message == "too many failed logins: wait 15 minutes, then try again"
    assert 0 < refused.value.retry_after <= 15 * 60
    # Other accounts are not affected; the account is free again once the oldest failure is old.
    throttle.check(session, username="bob", address="10.0.0.9", now=last)
    throttle.check(session, username="ann", address="10.0.0.9", now=start + throttle.WINDOW)


def test_failures_from_one_address_refuse_every_username_from_it(session: Session) -> None:
    now = utcnow()
    for i in range(throttle.ADDRESS_LIMIT):
        throttle.record_failure(session, username=f"user{i}", address="192.0.2.7", now=now)
    with pytest.raises(throttle.TooManyAttempts):
        throttle.check(session, username="someone", address="192.0.2.7", now=now)
    throttle.check(session, username="someone", address="192.0.2.8", now=now)


def test_success_clears_and_old_failures_are_deleted(session: Session) -> None:
    long_ago = utcnow() - timedelta(hours=2)
    _fail(session, 3, username="old", now=long_ago)
    _fail(session, 3, username="ann")
    assert session.scalar(select(func.count()).where(LoginFailure.username == "old")) == 0
    throttle.clear(session, username="ann")
    assert session.scalar(select(func.count(LoginFailure.id))) == 0


def test_failures_and_refusals_are_logged(
    session: Session, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="civicgrid.accounts.throttle"):
        _fail(session, throttle.ACCOUNT_LIMIT, username="eve")
        with pytest.raises(throttle.TooManyAttempts):
            throttle.check(session, username="eve", address="10.0.0.1")
    messages = [r.getMessage() for r in caplog.records]
    assert sum("failed login for 'eve'" in m for m in messages) == throttle.ACCOUNT_LIMIT
    assert any("login refused for 'eve'" in m for m in messages)
