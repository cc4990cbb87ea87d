"""`civicgrid demo`: a working city to try civicgrid on, New York with its own 311 cases."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn
from rich.table import Table
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from civicgrid.accounts import service as accounts
from civicgrid.accounts.models import User
from civicgrid.cli.common import console, load_settings, open_database
from civicgrid.cli.importer import print_report
from civicgrid.db import transaction
from civicgrid.demo import service


def demo_command(
    small: Annotated[
        bool, typer.Option("--small", help="Use the small invented city shipped with civicgrid.")
    ] = False,
    reset: Annotated[
        bool, typer.Option("--reset", help="Drop every table first and start from empty.")
    ] = False,
    passwords: Annotated[
        bool,
        typer.Option(
            "--passwords/--no-passwords",
            help="Give demo staff accounts without a web password a generated one, shown once.",
        ),
    ] = True,
) -> None:
    """Load the demo city (migrating the database first); running it again adds nothing."""
    started = time.perf_counter()
    settings = load_settings()
    engine, factory = open_database(settings)
    try:
        service.prepare_database(engine, reset=reset)
        columns = (TextColumn("loading the demo"), BarColumn(), TaskProgressColumn())
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task("demo", total=None)
            with transaction(factory) as session:
                report = service.load_demo(
                    session,
                    settings=settings,
                    small=small,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                )
        given: dict[str, str] = {}
        if passwords:
            with transaction(factory) as session:
                given = accounts.give_missing_passwords(session, _demo_staff(session))
    finally:
        engine.dispose()
    for imported in report.imports:
        print_report(imported)
    seconds = time.perf_counter() - started
    console.print(
        f"{report.variant} demo ready: {report.cases} cases in the database ({seconds:.1f} s). "
        "Staff users: admin, supervisor-<borough>, caseworker-<agency>; "
        "`civicgrid user token USERNAME` gives one an API token."
    )
    _print_logins(given, asked=passwords)


def _demo_staff(session: Session) -> list[User]:
    """The staff accounts the demo made: admin, supervisor-<area>, caseworker-<department>."""
    return list(
        session.scalars(
            select(User)
            .where(
                or_(
                    User.username == "admin",
                    User.username.startswith("supervisor-"),
                    User.username.startswith("caseworker-"),
                )
            )
            .order_by(User.username)
        )
    )


def _print_logins(given: dict[str, str], *, asked: bool) -> None:
    if given:
        table = Table(title="Demo web logins at /login (shown once; only their hashes are kept)")
        table.add_column("username")
        table.add_column("password")
        for username, password in given.items():
            table.add_row(username, password)
        console.print(table)
    elif asked:
        console.print(
            "The demo staff already have web passwords; "
            "`civicgrid user password USERNAME` sets a new one."
        )
