"""`civicgrid apikey`: API keys of Open311 client applications (FixMyStreet, apps, bots)."""

from __future__ import annotations

import getpass

import typer
from rich.table import Table

from civicgrid.cli.common import console, load_settings, open_database
from civicgrid.db import transaction
from civicgrid.open311 import apikeys

app = typer.Typer(help="API keys of Open311 client applications.", no_args_is_help=True)


def _actor() -> str:
    """Who ran the command, for the audit ledger."""
    return f"cli:{getpass.getuser()}"


@app.command("create")
def create(
    name: str,
    contact: str = typer.Option("", help="Who runs the application (e-mail, team)."),
) -> None:
    """Issue a key to a client application; printed once, only its hash is kept."""
    _, factory = open_database(load_settings())
    with transaction(factory) as session:
        _key, plain = apikeys.create(session, name=name, contact=contact, actor=_actor())
    console.print(f"API key for {name} (shown once; give it to the application's operator):")
    typer.echo(plain)


@app.command("list")
def list_keys() -> None:
    """Every key issued, with its first characters; never the key itself."""
    _, factory = open_database(load_settings())
    table = Table("name", "key starts", "contact", "created", "revoked")
    with transaction(factory) as session:
        for key in apikeys.list_(session):
            table.add_row(
                key.name,
                key.key_prefix,
                key.contact,
                f"{key.created_at:%Y-%m-%d %H:%M}",
                f"{key.revoked_at:%Y-%m-%d %H:%M}" if key.revoked_at else "",
            )
    console.print(table)


@app.command("revoke")
def revoke(name: str) -> None:
    """Revoke a client application's key: it can no longer post reports or updates."""
    _, factory = open_database(load_settings())
    with transaction(factory) as session:
        apikeys.revoke(session, name=name, actor=_actor())
    console.print(f"revoked the API key of {name}")
