"""Languages of the web pages: Babel message catalogues for English and Simplified Chinese."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale, negotiate_locale
from babel.support import NullTranslations, Translations
from starlette.requests import Request

from civicgrid.errors import N_

__all__ = ["N_", "gettext", "negotiate", "translations"]

LOCALES = ("en", "zh_CN")
LOCALE_NAMES = {"en": "English", "zh_CN": "中文"}
LANGUAGE_COOKIE = "civicgrid_lang"
LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
DOMAIN = "messages"


@cache
def translations(locale: str) -> NullTranslations:
    """The compiled catalogue of ``locale`` (English falls back to the message ids)."""
    return Translations.load(str(LOCALE_DIR), [locale], domain=DOMAIN)


def babel_locale(locale: str) -> Locale:
    """Babel's Locale object for one of LOCALES."""
    return Locale.parse(locale)


def html_lang(locale: str) -> str:
    """The BCP 47 tag for the ``lang`` attribute: zh-CN, en."""
    return locale.replace("_", "-")


def negotiate(request: Request, default: str) -> str:
    """The language cookie if set, else the browser's preference, else ``default``."""
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in LOCALES:
        return chosen
    header = request.headers.get("accept-language", "")
    preferred = [part.split(";")[0].strip().replace("-", "_") for part in header.split(",")]
    found = negotiate_locale([p for p in preferred if p], list(LOCALES), sep="_")
    if found is None and any(p.lower().startswith("zh") for p in preferred):
        found = "zh_CN"
    return found or default


def gettext(locale: str, message: str, **params: Any) -> str:
    """``message`` in ``locale``, with ``%(name)s`` parameters filled in."""
    text = translations(locale).gettext(message)
    return text % params if params else text
