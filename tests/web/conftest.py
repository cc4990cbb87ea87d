"""Fixtures of the web tests: the small city, and logging a test client in."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.web import seed

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def city(session: Session) -> seed.WebCity:
    return seed.build(session)


def csrf(client: TestClient, path: str = "/login") -> str:
    """The CSRF token of the client's session, read from a page's form."""
    found = CSRF.search(client.get(path).text)
    assert found, f"no CSRF token on {path}"
    return found.group(1)


def login(client: TestClient, username: str, password: str = seed.PASSWORD) -> None:
    """Log the client in through the login form."""
    token = csrf(client)
    response = client.post(
        "/login",
        data={"username": username, "password": password, "csrf_token": token},
        follow_redirects=False,
    )
    assert response.status_code == 303, response.text


def post(client: TestClient, path: str, data: dict[str, object] | None = None, **kwargs: object):  # type: ignore[no-untyped-def]
    """POST a form with the session's CSRF token."""
    return client.post(
        path,
        data={"csrf_token": csrf(client, "/"), **(data or {})},
        follow_redirects=False,
        **kwargs,
    )
