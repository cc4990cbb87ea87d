"""`civicgrid import`: load another system's case export (CSV or XLSX) through a mapping."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeRemainingColumn

from civicgrid import migrate
from civicgrid.cli.common import console, load_settings, open_database
from civicgrid.db import transaction
from civicgrid.intake.importer import ImportReport, import_file


def import_command(
    file: Annotated[Path, typer.Argument(help="CSV or XLSX export, one case per row.")],
    mapping: Annotated[
        str,
        typer.Option(help="Mapping file (TOML), or a bundled one: sf311, nyc311, la311."),
    ],
    source: Annotated[
        str | None,
        typer.Option(help="Source name stored with each case (default: the mapping's)."),
    ] = None,
    rejects: Annotated[
        Path | None,
        typer.Option(help="Where rejected rows go (default: DATA_DIR/rejects/FILE.rejects.csv)."),
    ] = None,
    limit: Annotated[int | None, typer.Option(min=1, help="Import only the first N rows.")] = None,
    bulk: Annotated[
        bool | None,
        typer.Option(
            "--bulk/--no-bulk",
            help="PostgreSQL: rebuild the case tables' indexes after loading, locking them "
            "meanwhile (default: for large imports into smaller tables; see docs/import.md).",
        ),
    ] = None,
) -> None:
    """Import cases; rows already imported are skipped, unusable rows go to a reject file."""
    settings = load_settings()
    engine, factory = open_database(settings)
    columns = (
        TextColumn("importing {task.description}"),
        BarColumn(),
        TaskProgressColumn(),
        TimeRemainingColumn(),
    )
    try:
        migrate.upgrade(engine)
        with Progress(*columns, console=console, transient=True) as bar:
            task = bar.add_task(file.name, total=None)
            with transaction(factory) as session:
                report = import_file(
                    session,
                    path=file,
                    mapping=mapping,
                    settings=settings,
                    rejects_path=rejects,
                    limit=limit,
                    source=source,
                    progress=lambda done, total: bar.update(task, completed=done, total=total),
                    bulk=bulk,
                )
    finally:
        engine.dispose()
    print_report(report)


def print_report(report: ImportReport) -> None:
    """The import's summary, the reasons rows were rejected and where they are."""
    console.print(report.summary(), highlight=False)
    if report.missing_columns:
        console.print(f"  columns not in this file: {', '.join(report.missing_columns)}")
    created = [
        f"{len(found)} {what}"
        for what, found in (
            ("departments", report.departments_created),
            ("categories", report.categories_created),
        )
        if found
    ]
    if created:
        console.print(f"  created {' and '.join(created)}")
    for kind, count in report.reject_reasons.most_common():
        console.print(f"  rejected, {kind}: {count}", highlight=False)
    if report.rejects_path is not None:
        console.print(f"  rejected rows and reasons: {report.rejects_path}", highlight=False)
