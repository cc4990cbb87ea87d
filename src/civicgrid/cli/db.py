"""`civicgrid db`: create and migrate the database."""

from __future__ import annotations

import typer

from civicgrid import migrate
from civicgrid.cli.common import console, load_settings, open_database

app = typer.Typer(help="Create and migrate the database.", no_args_is_help=True)


@app.command("upgrade")
def upgrade(revision: str = typer.Argument("head", help="Alembic revision to reach.")) -> None:
    """Apply every pending migration (creates the database on first run)."""
    settings = load_settings()
    engine, _ = open_database(settings)
    migrate.upgrade(engine, revision)
    console.print(f"database at {engine.url.render_as_string(hide_password=True)} is up to date")


@app.command("check")
def check() -> None:
    """Fail when the models have changes that no migration covers."""
    engine, _ = open_database(load_settings())
    migrate.check(engine)
    console.print("models and migrations agree")
