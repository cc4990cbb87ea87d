"""Scratch PostgreSQL databases for the test suite and the benchmarks: a new, empty database
beside a given one (same server and credentials), dropped when done.

Never used by the running service; it lives in the package so the tests and ``bench/`` share
one way of making and removing them.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
from sqlalchemy.engine import make_url

from civicgrid.settings import normalize_database_url


def create_database(base_url: str, prefix: str) -> str:
    """Create ``PREFIX_<random>`` on ``base_url``'s server; returns its SQLAlchemy URL."""
    url = make_url(normalize_database_url(base_url))
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(url: str) -> None:
    """Drop the database of ``url``, closing any connection still open to it."""
    parsed = make_url(url)
    admin = parsed.set(drivername="postgresql", database="postgres")
    with psycopg.connect(admin.render_as_string(hide_password=False), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')


@contextmanager
def scratch_database(base_url: str, prefix: str) -> Iterator[str]:
    """A new database for the ``with`` block, dropped afterwards even if the block fails."""
    url = create_database(base_url, prefix)
    try:
        yield url
    finally:
        drop_database(url)
