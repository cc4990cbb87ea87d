"""`civicgrid export`: every case as open data (CSV, GeoJSON or Parquet), streamed to a file;
`civicgrid accountability refresh`: bring the pre-aggregated monthly figures up to date."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from civicgrid.accountability import service
from civicgrid.accountability.aggregate import refresh
from civicgrid.accountability.export import CaseExport
from civicgrid.cli.common import console, load_settings, open_database
from civicgrid.db import transaction

accountability = typer.Typer(
    help="Rates, rankings and their monthly figures.", no_args_is_help=True
)
DAY = ["%Y-%m-%d"]


class Format(StrEnum):
    """The open-data formats."""

    CSV = "csv"
    GEOJSON = "geojson"
    PARQUET = "parquet"


def export_command(
    fmt: Annotated[Format, typer.Option("--format", help="csv, geojson or parquet.")],
    output: Annotated[Path, typer.Option(help="File to write; '-' for standard output.")],
    start: Annotated[
        datetime | None, typer.Option("--from", formats=DAY, help="Filed on or after this day.")
    ] = None,
    end: Annotated[
        datetime | None, typer.Option("--to", formats=DAY, help="Filed on or before this day.")
    ] = None,
    category: Annotated[str | None, typer.Option(help="Only this category (code).")] = None,
    department: Annotated[str | None, typer.Option(help="Only this department (code).")] = None,
    area: Annotated[int | None, typer.Option(help="Only cases in this area (id).")] = None,
    status: Annotated[list[str] | None, typer.Option(help="Only these statuses.")] = None,
    channel: Annotated[str | None, typer.Option(help="Only this channel.")] = None,
) -> None:
    """Write the cases as open data: no contact details, phone numbers and e-mail addresses
    scrubbed, places of sensitive categories coarsened (see docs/open-data.md)."""
    settings = load_settings()
    engine, factory = open_database(settings)
    try:
        with transaction(factory) as session:
            filters = service.export_filter(
                session,
                settings,
                start=start.date() if start else None,
                end=end.date() if end else None,
                department=department,
                category=category,
                area_id=area,
                status=tuple(status or ()),
                channel=channel,
            )
            export = CaseExport(session, settings=settings, filters=filters)
            _write(export.stream(fmt.value), output)
    finally:
        engine.dispose()
    where = "standard output" if str(output) == "-" else str(output)
    console.print(f"{export.rows} cases written to {where} as {fmt.value}", highlight=False)


def _write(chunks: Iterator[bytes], output: Path) -> None:
    """The export to ``output`` ('-': standard output); a file is written aside and renamed
    at the end, so a failed export leaves no half file."""
    if str(output) == "-":
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.buffer.flush()
        return
    partial = output.with_name(output.name + ".partial")
    try:
        with partial.open("wb") as handle:
            for chunk in chunks:
                handle.write(chunk)
        os.replace(partial, output)
    finally:
        partial.unlink(missing_ok=True)


@accountability.command("refresh")
def refresh_command(
    full: Annotated[bool, typer.Option(help="Rebuild every month, not just changed ones.")] = False,
) -> None:
    """Rebuild the monthly figures of the months whose cases changed since the last refresh."""
    settings = load_settings()
    engine, factory = open_database(settings)
    try:
        with transaction(factory) as session:
            report = refresh(session, settings=settings, full=full)
    finally:
        engine.dispose()
    console.print(str(report), highlight=False)
