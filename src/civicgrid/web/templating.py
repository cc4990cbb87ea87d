"""Jinja2 templates of every slice, one environment per language, and the page renderer."""

from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from babel.support import NullTranslations
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse

from civicgrid.settings import Settings
from civicgrid.web import i18n, labels
from civicgrid.web.security import csrf_token

PACKAGE = Path(__file__).resolve().parent.parent


def template_dirs() -> list[Path]:
    """Every slice's templates/ folder: web first, then the slices by name."""
    found = sorted(p for p in PACKAGE.glob("*/templates") if p.is_dir())
    return sorted(found, key=lambda p: p.parent.name != "web")


@cache
def environment(locale: str) -> Environment:
    """The template environment of ``locale``, its gettext installed (new style)."""
    env = Environment(
        loader=FileSystemLoader([str(p) for p in template_dirs()]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    catalogue = i18n.translations(locale)
    env.install_gettext_translations(catalogue, newstyle=True)  # type: ignore[attr-defined]
    for name, words in (
        ("status", labels.STATUS),
        ("event", labels.EVENT),
        ("role", labels.ROLE),
        ("channel", labels.CHANNEL),
    ):
        env.filters[name] = _labeller(catalogue, words)
    env.globals.update(locale=locale, html_lang=i18n.html_lang(locale))
    env.globals["locale_names"] = i18n.LOCALE_NAMES
    return env


def _labeller(catalogue: NullTranslations, words: dict[str, str]) -> Any:
    def label(code: str) -> str:
        return catalogue.gettext(words[code]) if code in words else code

    return label


def settings_of(request: Request) -> Settings:
    """The settings of the app serving ``request``."""
    return cast(Settings, request.app.state.settings)


def locale_of(request: Request) -> str:
    """The language this request's page is shown in."""
    cached = getattr(request.state, "locale", None)
    if isinstance(cached, str):
        return cached
    locale = i18n.negotiate(request, settings_of(request).default_locale)
    request.state.locale = locale
    return locale


def _formatter(request: Request, locale: str) -> Any:
    zone = ZoneInfo(settings_of(request).timezone)

    def fmt(value: datetime | None, style: str = "medium") -> str:
        if value is None:
            return ""
        return format_datetime(value.astimezone(zone), style, locale=i18n.babel_locale(locale))

    return fmt


def flash(request: Request, message: str, *, kind: str = "ok", **params: Any) -> None:
    """Queue a message (an ``N_``-marked id) for the next page this browser sees."""
    queued = list(request.session.get("flash", []))
    queued.append({"message": message, "kind": kind, "params": params})
    request.session["flash"] = queued


def _take_flashes(request: Request, locale: str) -> list[dict[str, str]]:
    queued = request.session.pop("flash", [])
    return [
        {"kind": item["kind"], "text": i18n.gettext(locale, item["message"], **item["params"])}
        for item in queued
    ]


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Render template ``name`` in the request's language with the layout's context."""
    locale = locale_of(request)
    settings = settings_of(request)
    page: dict[str, Any] = {
        "request": request,
        "user": getattr(request.state, "user", None),
        "csrf_token": csrf_token(request),
        "settings": settings,
        "fmt": _formatter(request, locale),
        "flashes": _take_flashes(request, locale),
        "path": request.url.path,
        "query": request.url.query,
    }
    page.update(context or {})
    html = environment(locale).get_template(name).render(page)
    return HTMLResponse(html, status_code=status_code, headers=headers)
