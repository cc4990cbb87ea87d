"""The frame of the web pages: login and sessions, CSRF, errors as pages, languages, assets."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from civicgrid.accounts import service as accounts
from civicgrid.settings import Settings
from civicgrid.web import i18n
from civicgrid.web.security import safe_next, secret_key
from tests.web import seed
from tests.web.conftest import csrf, login, post


def test_login_goes_to_the_role_home_or_the_page_asked_for(
    client: TestClient, city: seed.WebCity
) -> None:
    asked = client.get("/supervisor", follow_redirects=False)
    assert asked.status_code == 303
    assert asked.headers["location"] == "/login?next=%2Fsupervisor"
    token = csrf(client)
    response = client.post(
        "/login",
        data={
            "username": "supervisor",
            "password": seed.PASSWORD,
            "csrf_token": token,
            "next": "/supervisor?status=all",
        },
        follow_redirects=False,
    )
    assert response.headers["location"] == "/supervisor?status=all"
    assert client.get("/staff", follow_redirects=False).headers["location"] == "/supervisor"
    assert post(client, "/logout").headers["location"] == "/"
    assert client.get("/staff", follow_redirects=False).status_code == 303


def test_wrong_password_and_inactive_accounts_are_refused(
    client: TestClient, session: Session, city: seed.WebCity
) -> None:
    token = csrf(client)
    wrong = client.post(
        "/login", data={"username": "operator", "password": "nope nope nope", "csrf_token": token}
    )
    assert wrong.status_code == 403
    assert "username or password is wrong" in wrong.text
    unknown = client.post(
        "/login", data={"username": "ghost", "password": seed.PASSWORD, "csrf_token": token}
    )
    assert unknown.status_code == 403
    city.users["operator"].active = False
    session.flush()
    inactive = client.post(
        "/login", data={"username": "operator", "password": seed.PASSWORD, "csrf_token": token}
    )
    assert inactive.status_code == 403


def test_new_password_or_deactivation_ends_a_login(
    client: TestClient, session: Session, city: seed.WebCity
) -> None:
    login(client, "operator")
    assert client.get("/console").status_code == 200
    accounts.set_password(session, user=city.users["operator"], password="a brand new secret")
    assert client.get("/console", follow_redirects=False).status_code == 303
    login(client, "operator", "a brand new secret")
    city.users["operator"].active = False
    session.flush()
    assert client.get("/console", follow_redirects=False).status_code == 303


def test_post_without_or_with_a_wrong_csrf_token_is_refused(
    client: TestClient, city: seed.WebCity
) -> None:
    client.get("/")
    missing = client.post("/report", data={"category": "pothole"})
    assert missing.status_code == 403
    assert "CSRF" in missing.text
    assert "<html" in missing.text
    wrong = client.post("/language", data={"lang": "en", "csrf_token": "forged"})
    assert wrong.status_code == 403
    fresh = TestClient(client.app)  # a browser that never loaded a page has no token at all
    assert fresh.post("/language", data={"lang": "en", "csrf_token": "x"}).status_code == 403
    by_header = client.post(
        "/language",
        data={"lang": "zh_CN"},
        headers={"X-CSRF-Token": csrf(client, "/")},
        follow_redirects=False,
    )
    assert by_header.status_code == 303


def test_errors_are_pages_on_html_routes_and_json_on_the_api(
    client: TestClient, city: seed.WebCity
) -> None:
    page = client.get("/track/NOPE-NOPE00")
    assert page.status_code == 404
    assert page.headers["content-type"].startswith("text/html")
    assert "Not found" in page.text
    api = client.get("/api/v1/cases/NOPE-NOPE00")
    assert api.status_code == 404
    assert api.json()["error"]["code"] == "not_found"
    login(client, "caseworker")
    invalid = client.get("/staff/queue?page=x")
    assert invalid.status_code == 422
    assert "page" in invalid.text
    assert "<html" in invalid.text
    assert post(client, "/staff/cases/NOPE-NOPE00/note", {"body": "x"}).status_code == 404


def test_language_cookie_header_and_default(client: TestClient, city: seed.WebCity) -> None:
    assert 'lang="en"' in client.get("/").text
    chinese = client.get("/", headers={"Accept-Language": "zh-TW,zh;q=0.9"})
    assert 'lang="zh-CN"' in chinese.text
    assert "我要反映" in chinese.text
    switched = post(client, "/language", {"lang": "zh_CN", "next": "https://evil.example/"})
    assert switched.headers["location"] == "/"
    assert client.cookies.get(i18n.LANGUAGE_COOKIE) == "zh_CN"
    page = client.get("/report", headers={"Accept-Language": "en"})
    assert "我要反映" in page.text
    assert post(client, "/language", {"lang": "fr"}).status_code == 422


def test_translations_fill_parameters() -> None:
    assert i18n.gettext("zh_CN", "%(n)s cases", n=3) == "共 3 个案件"
    assert i18n.gettext("en", "Overdue") == "Overdue"


def test_safe_next_keeps_only_local_paths() -> None:
    assert safe_next("/staff/queue?x=1") == "/staff/queue?x=1"
    for bad in ("//evil.example", "https://evil.example", "/\\evil", None, ""):
        assert safe_next(bad, "/home") == "/home"


def test_secret_key_is_kept_in_the_data_dir(settings: Settings) -> None:
    first = secret_key(settings)
    assert first == secret_key(settings)
    assert (settings.data_dir / "secret_key").exists()
    assert secret_key(settings.model_copy(update={"secret_key": "given"})) == "given"


def test_static_assets_are_served_from_the_package(client: TestClient) -> None:
    assert client.get("/static/civicgrid.css").status_code == 200
    assert "data-tile-url" in client.get("/").text


def test_map_areas_are_simplified_geojson(client: TestClient, city: seed.WebCity) -> None:
    areas = client.get("/map/areas.geojson").json()
    names = {f["properties"]["name"] for f in areas["features"]}
    assert names == {"Demo city", "West district", "East district"}
