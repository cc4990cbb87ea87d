"""API keys of Open311 client applications: issued by an administrator, stored hashed."""

from __future__ import annotations

import functools
import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, bindparam, select, true
from sqlalchemy.orm import Session

from civicgrid.audit import service as audit
from civicgrid.catalog import reference
from civicgrid.db import utcnow
from civicgrid.errors import Conflict, Forbidden, Invalid, NotFound
from civicgrid.open311.models import Open311ApiKey

PREFIX_LENGTH = 8


def hash_key(plain: str) -> str:
    """The stored form of a key: 256 random bits, so SHA-256 suffices (no slow KDF needed)."""
    return hashlib.sha256(plain.encode()).hexdigest()


def create(
    session: Session, *, name: str, contact: str = "", actor: str = "system"
) -> tuple[Open311ApiKey, str]:
    """Issue a key to the client application ``name``; the plain key is returned only here."""
    name = name.strip()
    if not name or len(name) > 100:
        raise Invalid("name the client application in 1 to 100 characters", field="name")
    if session.scalar(select(Open311ApiKey.id).where(Open311ApiKey.name == name)):
        raise Conflict(
            "an API key named '%(name)s' was issued before (names are never reused, so the "
            "ledger stays unambiguous); choose another, e.g. '%(name)s 2'",
            params={"name": name},
            field="name",
        )
    plain = secrets.token_urlsafe(32)
    key = Open311ApiKey(
        name=name, key_hash=hash_key(plain), key_prefix=plain[:PREFIX_LENGTH], contact=contact
    )
    session.add(key)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="open311.apikey_created",
        subject=f"apikey:{name}",
        details={"key_prefix": key.key_prefix, "contact": contact},
    )
    return key, plain


def list_(session: Session) -> list[Open311ApiKey]:
    """Every key ever issued, live and revoked, by name."""
    return list(session.scalars(select(Open311ApiKey).order_by(Open311ApiKey.name)))


def revoke(
    session: Session, *, name: str, actor: str = "system", now: datetime | None = None
) -> Open311ApiKey:
    """Revoke the key of ``name``: its client can no longer file reports or updates."""
    key = session.scalar(select(Open311ApiKey).where(Open311ApiKey.name == name))
    if key is None:
        raise NotFound(
            "no API key named '%(name)s'; `civicgrid apikey list` shows them",
            params={"name": name},
        )
    if key.revoked_at is not None:
        raise Conflict("the API key of '%(name)s' was already revoked", params={"name": name})
    key.revoked_at = now or utcnow()
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="open311.apikey_revoked",
        subject=f"apikey:{name}",
        details={"key_prefix": key.key_prefix},
    )
    return key


@dataclass(frozen=True)
class Client:
    """The client application behind a live key: what its POSTs record."""

    id: int
    name: str


@functools.cache
def _key_and_stamp() -> Select[Any]:
    # Built once: constructing the statement costs more than running it.
    stamp = reference.stamp_subquery()
    return (
        select(Open311ApiKey.id, Open311ApiKey.name, Open311ApiKey.revoked_at, *stamp.c)
        .join(stamp, true())
        .where(Open311ApiKey.key_hash == bindparam("key_hash"))
    )


def authenticate(session: Session, plain: str | None) -> Client:
    """The client behind the live key ``plain``, or Forbidden with what to do about it.

    The reference data's stamp comes back in the same statement, so the filing that follows
    needs no round trip of its own to learn whether its cached reference data still holds.
    """
    if not plain:
        raise Forbidden("an api_key is required to post; ask the city for one")
    # On the connection: plain columns need none of the ORM's statement handling, which cost
    # more than the query. The transaction starts here, so nothing is pending to flush.
    connection = session.connection()
    row = connection.execute(_key_and_stamp(), {"key_hash": hash_key(plain)}).first()
    if row is None or row.revoked_at is not None:
        raise Forbidden("the api_key is unknown or revoked; ask the city for a new one")
    reference.remember(session, tuple(row)[3:])
    return Client(row.id, row.name)
