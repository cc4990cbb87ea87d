"""Web login passwords: argon2id hashes (argon2-cffi), never the password itself."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from civicgrid.errors import Invalid

MIN_LENGTH = 10
_hasher = PasswordHasher()
# Checked against when a username is unknown, so a wrong name takes as long as a wrong password.
_DUMMY_HASH = _hasher.hash("civicgrid-no-such-user")


def hash_password(password: str) -> str:
    """The argon2id hash to store for ``password`` (at least MIN_LENGTH characters)."""
    if len(password) < MIN_LENGTH:
        raise Invalid(
            "a password needs at least %(min_length)s characters; a short sentence works well",
            params={"min_length": MIN_LENGTH},
            field="password",
        )
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """Whether ``password`` matches the stored hash (False without one)."""
    try:
        return _hasher.verify(stored or _DUMMY_HASH, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True when the hash was made with weaker parameters than today's."""
    return _hasher.check_needs_rehash(stored)
