"""`civicgrid user`: staff accounts and their API tokens."""

from __future__ import annotations

import typer
from rich.table import Table
from sqlalchemy import select

from civicgrid.accounts import service
from civicgrid.accounts.models import User
from civicgrid.cli.common import console, load_settings, open_database
from civicgrid.db import transaction

app = typer.Typer(help="Staff accounts and API tokens.", no_args_is_help=True)


@app.command("create")
def create(
    username: str,
    role: str = typer.Option(..., help=f"One of: {', '.join(service.ROLES)}."),
    name: str = typer.Option("", help="Display name (default: the username)."),
    department: str | None = typer.Option(None, help="Department code (caseworkers need one)."),
    email: str | None = typer.Option(None, help="E-mail address."),
    password: str | None = typer.Option(
        None, help="Web login password (prefer --ask-password: this one shows in the history)."
    ),
    ask_password: bool = typer.Option(
        False, "--ask-password", help="Ask for the web login password without echoing it."
    ),
) -> None:
    """Add a member of staff and print a first API token; a password allows web login."""
    if ask_password:
        password = _ask_password()
    _, factory = open_database(load_settings())
    with transaction(factory) as session:
        user = service.create(
            session,
            username=username,
            display_name=name or username,
            role=role,
            department_code=department,
            email=email,
            password=password,
        )
        token = service.issue_token(session, user=user, label="first token")
    console.print(f"created {role} {username}")
    typer.echo(token)


def _ask_password() -> str:
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@app.command("password")
def set_password(
    username: str,
    password: str | None = typer.Option(
        None, help="The new password (default: asked for without echoing it)."
    ),
) -> None:
    """Set a user's web login password; their current web logins end."""
    _, factory = open_database(load_settings())
    with transaction(factory) as session:
        user = service.get_by_username_or_raise(session, username)
        service.set_password(session, user=user, password=password or _ask_password())
    console.print(f"password of {username} set")


@app.command("token")
def token(username: str, label: str = typer.Option("", help="What the token is for.")) -> None:
    """Issue another API token for a user (printed once; only its hash is stored)."""
    _, factory = open_database(load_settings())
    with transaction(factory) as session:
        user = service.get_by_username_or_raise(session, username)
        plain = service.issue_token(session, user=user, label=label)
    typer.echo(plain)


@app.command("revoke")
def revoke(username: str) -> None:
    """Revoke every API token of a user."""
    _, factory = open_database(load_settings())
    with transaction(factory) as session:
        count = service.revoke_tokens(
            session, user=service.get_by_username_or_raise(session, username)
        )
    console.print(f"revoked {count} token(s) of {username}")


@app.command("list")
def list_users() -> None:
    """Show every member of staff."""
    _, factory = open_database(load_settings())
    table = Table("username", "name", "role", "department id", "active")
    with transaction(factory) as session:
        for user in session.scalars(select(User).order_by(User.username)):
            table.add_row(
                user.username,
                user.display_name,
                user.role,
                str(user.department_id or ""),
                "yes" if user.active else "no",
            )
    console.print(table)
