"""Alembic environment: migrates the database named by the settings (or the -x url)."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

import civicgrid.models  # noqa: F401  (registers every table on Base.metadata)
from civicgrid.db import Base, make_engine
from civicgrid.settings import Settings, normalize_database_url

config = context.config
target_metadata = Base.metadata


def _url() -> str:
    explicit = config.attributes.get("url") or context.get_x_argument(as_dictionary=True).get("url")
    if explicit:
        return normalize_database_url(str(explicit))
    return Settings().resolved_database_url


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=True,
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run against a live connection (the only mode civicgrid uses)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


run_migrations_online()
