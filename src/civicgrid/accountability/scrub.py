"""Scrubbing free text for open data: e-mail addresses and phone numbers are replaced.

Errs on the side of removing: any run of 7 or more digits written as a phone number would be
(``212-555-0134``, ``(212) 555 0134``, ``+86 138 1234 5678``, ``010-12345678``, full-width
digits too; an 18-digit identity card number as well) is replaced, except dates written
``2026-06-01`` and plain decimals.
"""

from __future__ import annotations

import re

EMAIL_MARK = "[email]"
PHONE_MARK = "[phone]"

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-])[A-Za-z0-9._%+\-]++\s*(?:@|\uff20|\[at\]|\(at\))\s*[A-Za-z0-9\-]++"
    r"(?:\s*(?:\.|\[dot\]|\(dot\))\s*[A-Za-z0-9\-]++)++",
    re.IGNORECASE,
)
# Groups of digits, each optionally in brackets, joined by at most one separator.
_PHONE = re.compile(
    r"(?<![\dA-Za-z])(?:\+|\uff0b)?[(\uff08]?\d++[)\uff09]?"
    r"(?:[ \t.\-\uff0d\u3000]?[(\uff08]?\d++[)\uff09]?){0,7}+"
    r"[Xx]?(?![\dA-Za-z])"
)
_DATE = re.compile(r"^\d{4}[-.\uff0d]\d{1,2}[-.\uff0d]\d{1,2}$")
_DECIMAL = re.compile(r"^\d+\.\d+$")
MIN_DIGITS = 7
# Most text (an address's house number included) has no run of seven digits and separators
# and no at sign: one quick search, a superset of both patterns, spares it the full ones.
_MAYBE = re.compile(
    r"\d[\d \t.\-\uff0d\u3000()\uff08\uff09]{5,}\d|[@\uff20]|\[at\]|\(at\)", re.IGNORECASE
)


def _phone(match: re.Match[str]) -> str:
    text = match.group(0)
    digits = sum(ch.isdigit() for ch in text)
    if digits < MIN_DIGITS or _DATE.match(text) or _DECIMAL.match(text):
        return text
    return PHONE_MARK


def scrub(text: str | None) -> str:
    """``text`` with e-mail addresses and phone numbers replaced by ``[email]`` / ``[phone]``."""
    if not text:
        return ""
    if _MAYBE.search(text) is None:
        return text
    return _PHONE.sub(_phone, _EMAIL.sub(EMAIL_MARK, text))
