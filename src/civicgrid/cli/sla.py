"""`civicgrid sla`: run the deadline sweep by hand and load public holidays into a calendar."""

from __future__ import annotations

from typing import Annotated

import typer

from civicgrid.cli.common import console, load_settings, open_database
from civicgrid.db import transaction
from civicgrid.errors import CivicgridError
from civicgrid.sla import service
from civicgrid.sla.sweep import sweep_sla_deadlines

app = typer.Typer(help="Deadlines: the sweep and working calendars.", no_args_is_help=True)


@app.command("sweep")
def sweep() -> None:
    """Warn, mark breaches and escalate once, as the worker does every sweep interval."""
    settings = load_settings()
    engine, factory = open_database(settings)
    try:
        with transaction(factory) as session:
            report = sweep_sla_deadlines(session, settings)
    finally:
        engine.dispose()
    typer.echo(f"SLA sweep: {report}")


@app.command("holidays")
def holidays(
    calendar: Annotated[
        str, typer.Option(help="Calendar name; created with default hours if new.")
    ],
    country: Annotated[str, typer.Option(help="ISO country code, e.g. US.")],
    year: Annotated[list[int], typer.Option(help="Year to load; repeat for several years.")],
    subdivision: Annotated[
        str | None, typer.Option(help="State or province code, e.g. NY.")
    ] = None,
    timezone: Annotated[
        str | None, typer.Option(help="Time zone of a new calendar (default: CIVICGRID_TIMEZONE).")
    ] = None,
) -> None:
    """Load a country's public holidays into a calendar; days already on file are kept."""
    settings = load_settings()
    engine, factory = open_database(settings)
    try:
        with transaction(factory) as session:
            cal = service.get_calendar(session, name=calendar) or service.ensure_calendar(
                session, name=calendar, timezone=timezone or settings.timezone
            )
            added = service.load_holidays(
                session, calendar=cal, country=country, subdivision=subdivision, years=year
            )
    except CivicgridError as exc:
        console.print(exc.message, style="red", markup=False)
        raise typer.Exit(code=1) from exc
    finally:
        engine.dispose()
    console.print(f"calendar {calendar!r}: {len(added)} holidays added")
    for day in added:
        typer.echo(f"{day.day.isoformat()}  {day.name}")
