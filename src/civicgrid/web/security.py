"""Sessions (a signed cookie), CSRF tokens on every form, and the signing key."""

from __future__ import annotations

import secrets
from pathlib import Path

from starlette.requests import Request

from civicgrid.errors import Forbidden
from civicgrid.settings import Settings

SESSION_COOKIE = "civicgrid_session"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def secret_key(settings: Settings) -> str:
    """The configured key, else one kept in DATA_DIR/secret_key (made on first use)."""
    if settings.secret_key:
        return settings.secret_key
    path: Path = settings.data_dir / "secret_key"
    if not path.exists():
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


def csrf_token(request: Request) -> str:
    """This browser's CSRF token, kept in its session; made on first use."""
    token = request.session.get("csrf")
    if not isinstance(token, str) or not token:
        token = secrets.token_urlsafe(32)
        request.session["csrf"] = token
    return token


async def verify_csrf(request: Request) -> None:
    """Refuse an unsafe request whose form field or header does not carry the session's token."""
    if request.method not in UNSAFE_METHODS:
        return
    expected = request.session.get("csrf")
    sent = request.headers.get(CSRF_HEADER)
    if sent is None:
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else None
    if not isinstance(expected, str) or not sent or not secrets.compare_digest(expected, sent):
        raise Forbidden(
            "this form has expired or did not come from civicgrid's own page (CSRF check); "
            "reload the page and send it again"
        )


def safe_next(value: str | None, default: str = "/") -> str:
    """A same-site path to go back to; anything else becomes ``default``."""
    if value and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return default
