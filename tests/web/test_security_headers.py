"""Security headers: a Content-Security-Policy without inline script or style (tiles allowed from
the configured tile server), no MIME sniffing, no framing, a same-origin referrer policy; and
templates that need nothing the policy refuses."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from civicgrid.app import create_app
from civicgrid.settings import Settings
from civicgrid.web.headers import content_security_policy, tile_source
from civicgrid.web.templating import template_dirs

STATIC = Path(__file__).resolve().parents[2] / "src" / "civicgrid" / "web" / "static"


def _policy(header: str) -> dict[str, str]:
    parts = (p.strip().split(" ", 1) for p in header.split(";") if p.strip())
    return {part[0]: part[1] for part in parts}


@pytest.mark.parametrize(
    ("url", "source"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tile.example.org/{z}/{x}/{y}.png", "https://*.tile.example.org"),
        ("http://tiles.local:8080/{z}/{x}/{y}.png", "http://tiles.local:8080"),
        ("https://maps.{s}.example.org/{z}/{x}/{y}.png", "https:"),
        ("/tiles/{z}/{x}/{y}.png", None),  # served by civicgrid itself: 'self'
        ("", None),
        ("javascript:alert(1)", None),
    ],
)
def test_tile_source(url: str, source: str | None) -> None:
    assert tile_source(url) == source


def test_pages_carry_the_security_headers(client: TestClient) -> None:
    response = client.get("/report")
    assert response.status_code == 200
    policy = _policy(response.headers["content-security-policy"])
    assert policy["script-src"] == "'self'"
    assert policy["style-src"] == "'self'"
    assert policy["default-src"] == "'self'"
    assert policy["object-src"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"
    assert "unsafe" not in response.headers["content-security-policy"]
    assert policy["img-src"] == "'self' data: https://tile.openstreetmap.org"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["referrer-policy"] == "same-origin"


def test_api_static_files_and_errors_carry_them_too(client: TestClient) -> None:
    for path in ("/api/v1/categories", "/static/civicgrid.css", "/no/such/page"):
        response = client.get(path)
        assert response.headers["x-content-type-options"] == "nosniff", path
        assert "frame-ancestors 'none'" in response.headers["content-security-policy"], path


def test_api_docs_load_their_viewer_from_civicgrid_only(client: TestClient) -> None:
    response = client.get("/docs")
    assert response.status_code == 200
    policy = _policy(response.headers["content-security-policy"])
    assert policy["default-src"] == "'self'"
    assert policy["script-src"] == "'self' 'unsafe-inline'"  # Swagger UI starts inline
    assert policy["frame-ancestors"] == "'none'"
    assert "http" not in response.headers["content-security-policy"]
    assert response.headers["x-frame-options"] == "DENY"
    assets = re.findall(r'(?:src|href)="([^"]+)"', response.text)
    assert len(assets) == 3  # the script, its style sheet and the icon
    assert all(url.startswith("/static/vendor/swagger-ui/") for url in assets), assets
    for url in assets:
        assert client.get(url).status_code == 200, url
    assert client.get("/redoc").status_code == 404  # no viewer that would need a CDN


def test_the_configured_tile_server_is_allowed_for_images(
    settings: Settings, session: Session
) -> None:
    custom = settings.model_copy(update={"tile_url": "https://{s}.tiles.example.net/{z}/{x}/{y}"})
    app = create_app(custom, session_factory=sessionmaker(bind=session.get_bind()))
    with TestClient(app) as client:
        header = client.get("/static/civicgrid.css").headers["content-security-policy"]
    assert _policy(header)["img-src"] == "'self' data: https://*.tiles.example.net"
    assert _policy(content_security_policy(""))["img-src"] == "'self' data:"


INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>"), "an inline <script>"),
    (re.compile(r"<style[\s>]"), "an inline <style>"),
    (re.compile(r"\sstyle\s*="), "a style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "an event handler attribute"),
    (re.compile(r"javascript:", re.I), "a javascript: URL"),
    (re.compile(r"hx-on|js:"), "htmx script (needs eval)"),
]


def test_templates_and_scripts_need_nothing_the_policy_refuses() -> None:
    found = []
    templates = [p for d in template_dirs() for p in d.rglob("*.html")]
    assert len(templates) > 20
    for path in templates:
        text = path.read_text(encoding="utf-8")
        found += [f"{path.name}: {what}" for pattern, what in INLINE if pattern.search(text)]
    for path in STATIC.glob("*.js"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"style=|\beval\(|new Function\(", text):
            found.append(f"{path.name}: inline style or eval")
    assert not found, found
