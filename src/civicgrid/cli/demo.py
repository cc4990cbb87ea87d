"""`civicgrid demo`: a working city to try civicgrid on, New York with its own 311 cases."""

from __future__ import annotations

import time
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn

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
