"""Login throttling through the login page: 429 with the reason in the reader's language, a
Retry-After header, and the count kept in the database (a second app process sees it)."""

from __future__ import annotations

from collections.abc import Iterator

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from civicgrid.accounts import throttle
from civicgrid.app import create_app
from civicgrid.deps import get_session
from civicgrid.settings import Settings
from civicgrid.web.i18n import LANGUAGE_COOKIE
from tests.web import seed
from tests.web.conftest import csrf


def _login(client: TestClient, username: str, password: str):  # type: ignore[no-untyped-def]
    data = {"username": username, "password": password, "csrf_token": csrf(client)}
    return client.post("/login", data=data, follow_redirects=False)


def test_repeated_failures_are_refused_with_429_even_with_the_right_password(
    client: TestClient, city: seed.WebCity
) -> None:
    for _ in range(throttle.ACCOUNT_LIMIT):
        assert _login(client, "caseworker", "wrong password!").status_code == 403
    refused = _login(client, "caseworker", seed.PASSWORD)
    assert refused.status_code == 429
    assert "too many failed logins: wait 15 minutes, then try again" in refused.text
    assert 0 < int(refused.headers["retry-after"]) <= 15 * 60
    client.cookies.set(LANGUAGE_COOKIE, "zh_CN")
    chinese = _login(client, "caseworker", seed.PASSWORD)
    assert chinese.status_code == 429
    assert "登录失败次数过多：请等待 15 分钟后再试" in chinese.text  # noqa: RUF001
    # Another member of staff still logs in.
    assert _login(client, "supervisor", seed.PASSWORD).status_code == 303


def test_a_successful_login_clears_the_failures(client: TestClient, city: seed.WebCity) -> None:
    for _ in range(throttle.ACCOUNT_LIMIT - 1):
        assert _login(client, "caseworker", "wrong password!").status_code == 403
    assert _login(client, "caseworker", seed.PASSWORD).status_code == 303
    for _ in range(throttle.ACCOUNT_LIMIT - 1):
        assert _login(client, "caseworker", "wrong password!").status_code == 403
    assert _login(client, "caseworker", seed.PASSWORD).status_code == 303


def test_the_count_is_shared_by_every_app_process(
    client: TestClient, settings: Settings, session: Session, city: seed.WebCity
) -> None:
    for _ in range(throttle.ACCOUNT_LIMIT):
        assert _login(client, "admin", "wrong password!").status_code == 403
    other = create_app(settings, session_factory=sessionmaker(bind=session.get_bind()))

    def _session() -> Iterator[Session]:
        yield session

    other.dependency_overrides[get_session] = _session
    with TestClient(other) as second:
        assert _login(second, "admin", seed.PASSWORD).status_code == 429
