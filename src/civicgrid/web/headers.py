"""Security headers on every response: a Content-Security-Policy, no MIME sniffing, no framing,
and a referrer policy that keeps private tracking links (``?key=...``) on civicgrid's own site.

The pages load only their own scripts and styles from /static (no inline script, no inline
style, no ``eval``); map tiles may come from the tile server of ``CIVICGRID_TILE_URL``. The
interactive API documentation (/docs) loads Swagger UI from /static too, but starts it with an
inline script and styles its parts inline, so it gets a policy of its own that still allows
nothing from another site.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

DOC_PATHS = frozenset({"/docs", "/docs/oauth2-redirect"})
DOCS_POLICY = (
    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; object-src 'none'; base-uri 'self'; frame-ancestors 'none'"
)


def tile_source(url: str) -> str | None:
    """The CSP source of a tile URL template: its origin, a ``{s}`` subdomain as ``*``.

    None when the tiles come from civicgrid itself (a relative URL) or there are none.
    """
    parts = urlsplit(url.strip())
    if not parts.netloc or parts.scheme not in ("http", "https"):
        return None
    labels = parts.netloc.lower().split(".")
    if "{" in labels[0]:
        labels[0] = "*"
    if any("{" in label for label in labels):  # a placeholder deeper in the name
        return f"{parts.scheme}:"
    return f"{parts.scheme}://{'.'.join(labels)}"


def content_security_policy(tile_url: str) -> str:
    """The policy of the pages: everything from civicgrid itself, map tiles from their server."""
    images = " ".join(filter(None, ("'self'", "data:", tile_source(tile_url))))
    directives = {
        "default-src": "'self'",
        "script-src": "'self'",
        "style-src": "'self'",
        "img-src": images,
        "connect-src": "'self'",
        "font-src": "'self'",
        "object-src": "'none'",
        "base-uri": "'self'",
        "form-action": "'self'",
        "frame-ancestors": "'none'",
    }
    return "; ".join(f"{name} {value}" for name, value in directives.items())


class SecurityHeaders:
    """ASGI middleware adding the security headers to every HTTP response."""

    def __init__(self, app: ASGIApp, *, tile_url: str) -> None:
        self.app = app
        self.common = {
            "X-Content-Type-Options": "nosniff",
            "X-Frame-Options": "DENY",
            "Referrer-Policy": "same-origin",
        }
        self.policy = content_security_policy(tile_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Pass the request on; add the headers to the response's start."""
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        policy = DOCS_POLICY if scope["path"] in DOC_PATHS else self.policy

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                for name, value in self.common.items():
                    headers.setdefault(name, value)
                headers.setdefault("Content-Security-Policy", policy)
            await send(message)

        await self.app(scope, receive, send_with_headers)
