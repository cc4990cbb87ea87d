"""Import a city's case export (CSV or XLSX) through a mapping: every row imported or rejected.

Rows are read in batches; each batch is checked, placed on the grid in one vectorised call,
routed, given deadlines and a timeline, and written with the bulk writer. Rows that cannot be
imported go to a reject file with the reason; rows already imported are counted and skipped.
"""

from __future__ import annotations

import csv
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from civicgrid.errors import Invalid
from civicgrid.intake.batches import BatchImport, ImportReport
from civicgrid.intake.columns import ColumnParser
from civicgrid.intake.mapping import Mapping, load_mapping
from civicgrid.intake.reader import CsvSource, XlsxSource, open_rows
from civicgrid.intake.rows import RowParser, resolve_columns
from civicgrid.settings import Settings

__all__ = ["BATCH", "ImportReport", "Progress", "default_rejects_path", "import_file"]

BATCH = 10_000
"""Rows checked, placed and written together."""

Progress = Callable[[int, int], None]
"""Called after each batch with (done, total), e.g. bytes of a CSV or rows of a workbook."""


class _Rejects:
    """The reject file: the original header and rows, plus a reject_reason column."""

    def __init__(self, path: Path, header: list[str]) -> None:
        self.path, self.header = path, header
        self.handle: IO[str] | None = None
        self.writer: Any = None

    def add(self, values: list[str], reason: str) -> None:
        if self.writer is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self.handle = self.path.open("w", encoding="utf-8", newline="")
            self.writer = csv.writer(self.handle)
            self.writer.writerow([*self.header, "reject_reason"])
        # reject_reason stays under its heading: short rows are padded, extra fields follow it.
        width = len(self.header)
        padding = [""] * (width - len(values))
        self.writer.writerow([*values[:width], *padding, reason, *values[width:]])

    def close(self) -> None:
        if self.handle is not None:
            self.handle.close()


def default_rejects_path(settings: Settings, path: Path) -> Path:
    """DATA_DIR/rejects/<file name>.rejects.csv"""
    return settings.data_dir / "rejects" / f"{path.name}.rejects.csv"


def import_file(
    session: Session,
    *,
    path: Path,
    mapping: Mapping | str | Path,
    settings: Settings,
    rejects_path: Path | None = None,
    limit: int | None = None,
    source: str | None = None,
    progress: Progress | None = None,
    bulk: bool | None = None,
) -> ImportReport:
    """Import ``path`` within the session's transaction (the caller commits).

    ``bulk``: load in bulk mode (True), never (False), or when the import is large and
    larger than the case table (None); see :mod:`civicgrid.cases.bulk_load`.
    """
    started = time.perf_counter()
    found = mapping if isinstance(mapping, Mapping) else load_mapping(mapping)
    report = ImportReport(path=path, source=source or found.source)
    rejects_file = rejects_path or default_rejects_path(settings, path)
    with open_rows(path) as rows:
        index = resolve_columns(found, rows.header)
        missing = [c for c in found.required_columns() if c not in index]
        if missing:
            raise Invalid(
                f"{path.name} has no column {', '.join(map(repr, missing))}, which the mapping "
                f"needs; its columns are: {', '.join(rows.header)}",
                field="mapping",
            )
        report.missing_columns = [c for c in found.optional_columns() if c not in index]
        rejects = _Rejects(rejects_file, rows.header)
        run = BatchImport(
            session, settings=settings, mapping=found, report=report, reject=rejects.add,
            bulk=bulk,
        )  # fmt: skip
        report.timings["starting"] += time.perf_counter() - started
        try:
            _run(run, ColumnParser(RowParser(found, rows.header)), rows, limit, progress)
        finally:
            rejects.close()
    if rejects.writer is not None:
        report.rejects_path = rejects_file
    report.departments_created = run.catalog.created_departments
    report.categories_created = run.catalog.created_categories
    report.seconds = time.perf_counter() - started
    return report


def _run(
    run: BatchImport,
    parser: ColumnParser,
    rows: CsvSource | XlsxSource,
    limit: int | None,
    progress: Progress | None,
) -> None:
    """Every batch of the file through ``run``; bulk mode decided on the first."""
    with run:
        for batch in _batches(islice(rows.rows(), limit), BATCH, run.report.timings):
            if run.cases is None:
                run.start(_expected_rows(rows, batch, limit))
            run.batch(parser, batch)
            if progress is not None:
                progress(rows.done(), rows.total)


def _expected_rows(rows: CsvSource | XlsxSource, first: list[list[str]], limit: int | None) -> int:
    """About how many rows the file has, judged from its size and its first batch."""
    if isinstance(rows, XlsxSource):
        expected = rows.total
    else:  # characters of the first batch's fields and separators, against the file's bytes
        size = sum(len(value) + 1 for values in first for value in values)
        expected = round(len(first) * rows.total / max(size, 1))
    expected = max(expected, len(first))
    return expected if limit is None else min(expected, limit)


def _batches(
    rows: Iterator[list[str]], size: int, timings: defaultdict[str, float]
) -> Iterator[list[list[str]]]:
    while True:
        started = time.perf_counter()
        batch = list(islice(rows, size))
        timings["reading"] += time.perf_counter() - started
        if not batch:
            return
        yield batch
