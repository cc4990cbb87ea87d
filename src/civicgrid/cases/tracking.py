"""Public tracking ids: short, unambiguous to read aloud, not guessable in sequence."""

from __future__ import annotations

import hashlib
import secrets

# Crockford's base32 alphabet: no I, L, O or U, so ids survive being read over the phone.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 10


def new_tracking_id() -> str:
    """A new id such as ``4K7M-Q2X9PB``: 50 random bits, grouped for reading."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalize_tracking_id(value: str) -> str:
    """Accept what a person types: any case, missing dash, O for 0, I/L for 1."""
    cleaned = value.strip().upper().replace("-", "").replace(" ", "")
    cleaned = cleaned.translate(str.maketrans("OIL", "011"))
    if len(cleaned) != LENGTH:
        return value.strip().upper()
    return f"{cleaned[:4]}-{cleaned[4:]}"


def new_resident_key() -> tuple[str, str]:
    """A secret for the reporter's tracking link, and the hash that is stored."""
    key = secrets.token_urlsafe(16)
    return key, hash_resident_key(key)


def hash_resident_key(key: str) -> str:
    """The stored form of a resident key (128 random bits: SHA-256 suffices)."""
    return hashlib.sha256(key.encode()).hexdigest()
