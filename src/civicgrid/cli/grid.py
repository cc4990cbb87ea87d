"""`civicgrid grid`: load boundary files into the grid and list its levels."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from civicgrid.cli.common import console, load_settings, open_database
from civicgrid.db import transaction
from civicgrid.grid import loader, service

app = typer.Typer(help="Load and inspect the grid of accountable areas.", no_args_is_help=True)


@app.command("load")
def load(
    file: Annotated[Path, typer.Argument(help="GeoJSON FeatureCollection of (Multi)Polygons.")],
    level: str = typer.Option(..., help="Level to load into, e.g. borough (created if new)."),
    name_property: str = typer.Option(
        ...,
        help='Property holding each area\'s name, or a template such as "CD {BoroCD}".',
    ),
    code_property: str = typer.Option(..., help="Property holding each area's unique code."),
    parent_level: str | None = typer.Option(
        None, help="Level above this one; each area's parent is the one it overlaps most."
    ),
    department_property: str | None = typer.Option(
        None, help="Property holding the code of the department answerable for the area."
    ),
    source_crs: str | None = typer.Option(
        None, help="CRS of the file, e.g. EPSG:2263, when its crs member is missing or wrong."
    ),
) -> None:
    """Load (or reload: areas are updated by code) one level of the grid from GeoJSON."""
    template = name_property if "{" in name_property else None
    _, factory = open_database(load_settings())
    with transaction(factory) as session:
        report = loader.load_geojson(
            session,
            path=file,
            level=level,
            name_property=name_property,
            code_property=code_property,
            parent_level=parent_level,
            department_property=department_property,
            source_crs=source_crs,
            name_template=template,
        )
    console.print(
        f"level {report.level}: {report.created} created, {report.updated} updated "
        f"(from {report.source_crs}); {report.repaired} geometries repaired, "
        f"{report.merged} features merged by code, {len(report.skipped)} skipped"
    )
    for message in [*report.skipped, *report.warnings]:
        console.print(f"  [yellow]{message}[/yellow]")
    if report.without_parent:
        console.print(f"  no parent found for: {', '.join(report.without_parent)}")


@app.command("levels")
def levels() -> None:
    """List the levels of the hierarchy, top first, with their number of areas."""
    _, factory = open_database(load_settings())
    with transaction(factory) as session:
        counts = service.area_counts(session)
        table = Table("id", "level", "rank", "areas", title="grid levels")
        for lvl in service.list_levels(session):
            table.add_row(str(lvl.id), lvl.name, str(lvl.rank), str(counts.get(lvl.id, 0)))
    Console().print(table)
