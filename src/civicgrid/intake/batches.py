"""One import's batches: check rows, place, route, time and record them, write them behind.

Writing is the slow part (the database checks keys and fills indexes), so each batch is
written by a worker thread while the next batch is prepared. The two threads share one
connection: every use of it, on either side, holds ``lock``; the preparing side needs the
database only to add a department, category or policy it has not seen yet.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import numpy as np
from sqlalchemy.orm import Session

from civicgrid.cases.bulk import BulkResult, CaseRecord, insert_cases
from civicgrid.catalog.routing import Router
from civicgrid.errors import Conflict
from civicgrid.grid.placement import NO_AREA, GridIndex, grid_index
from civicgrid.intake.catalog import ImportCatalog
from civicgrid.intake.mapping import Mapping
from civicgrid.intake.records import DeadlineBook, to_record
from civicgrid.intake.rows import RowParser, RowRejected, SourceRow
from civicgrid.settings import Settings

Reject = Callable[[list[str], str], None]
"""Records a rejected row (its original values) with the reason."""


@dataclass
class ImportReport:
    """What an import did, for the command's summary and for tests."""

    path: Path
    source: str
    read: int = 0
    imported: int = 0
    already_imported: int = 0
    rejected: int = 0
    outside_grid: int = 0
    rejects_path: Path | None = None
    reject_reasons: Counter[str] = field(default_factory=Counter)
    missing_columns: list[str] = field(default_factory=list)
    """Optional columns the mapping names that this file does not have."""
    departments_created: list[str] = field(default_factory=list)
    categories_created: list[str] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> str:
        """One line a person reads after the import."""
        return (
            f"{self.path.name}: {self.read} rows read, {self.imported} imported, "
            f"{self.already_imported} already imported, {self.rejected} rejected, "
            f"{self.outside_grid} outside the grid ({self.seconds:.1f} s)"
        )


class BatchImport:
    """The state of one import: grid, routing, deadlines, catalogue, ids seen, the writer."""

    def __init__(
        self,
        session: Session,
        *,
        settings: Settings,
        mapping: Mapping,
        report: ImportReport,
        reject: Reject,
    ) -> None:
        self.session, self.mapping, self.report, self._reject = session, mapping, report, reject
        self.lock = threading.RLock()
        self.grid: GridIndex = grid_index(session, settings.h3_resolution)
        self.catalog = ImportCatalog(
            session, department_names=mapping.department_names, lock=self.lock
        )
        self.deadlines = DeadlineBook(
            session, warning_fraction=settings.sla_warning_fraction, lock=self.lock
        )
        self.router = Router.load(session)
        self.seen: set[str] = set()
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="civicgrid-import")
        self.pending: tuple[Future[BulkResult], list[CaseRecord]] | None = None

    def __enter__(self) -> BatchImport:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        # On error too the write in flight must end: the session is not to be shared after.
        if exc is None:
            try:
                self.settle()
            finally:
                self.writer.shutdown(wait=True)
        else:
            self.pending = None
            self.writer.shutdown(wait=True)  # its outcome would only hide the error raised

    def reject(self, values: list[str], kind: str, reason: str) -> None:
        """Count a rejected row and hand it to the reject file."""
        self.report.rejected += 1
        self.report.reject_reasons[kind] += 1
        self._reject(values, reason)

    def batch(self, parser: RowParser, batch: list[list[str]]) -> None:
        """Check, place, route and time one batch; write it while the next one is prepared."""
        self.report.read += len(batch)
        records = self._records(self._checked(parser, batch))
        self.settle()
        self.pending = (self.writer.submit(self._write, records), records)

    def settle(self) -> None:
        """Wait for the batch being written, and count what it did."""
        if self.pending is None:
            return
        future, records = self.pending
        self.pending = None
        result = future.result()
        skipped = set(result.already_imported)
        self.report.already_imported += len(skipped)
        self.report.imported += result.inserted
        self.report.outside_grid += sum(
            1 for i, record in enumerate(records) if not record.areas and i not in skipped
        )

    def _write(self, records: list[CaseRecord]) -> BulkResult:
        with self.lock:
            return insert_cases(self.session, records=records)

    def _checked(self, parser: RowParser, batch: list[list[str]]) -> list[SourceRow]:
        parsed: list[SourceRow] = []
        for values in batch:
            try:
                row = parser.parse(values)
            except RowRejected as exc:
                self.reject(values, exc.kind, exc.reason)
                continue
            if row.external_id in self.seen:
                self.reject(
                    values,
                    "duplicate id",
                    f"{self.mapping.external_id} {row.external_id!r} appears earlier in this "
                    "file; only the first row with an id is imported",
                )
                continue
            self.seen.add(row.external_id)
            parsed.append(row)
        return parsed

    def _records(self, rows: list[SourceRow]) -> list[CaseRecord]:
        lats = np.array([np.nan if r.lat is None else r.lat for r in rows], dtype=np.float64)
        lons = np.array([np.nan if r.lon is None else r.lon for r in rows], dtype=np.float64)
        placed = self.grid.place_arrays(lats, lons)
        levels = placed.level_ids.tolist()
        source = self.report.source
        records: list[CaseRecord] = []
        for row, area_row, cell in zip(
            rows, placed.area_ids.tolist(), placed.h3_cells.tolist(), strict=True
        ):
            areas = tuple(
                (level, area) for level, area in zip(levels, area_row, strict=True)
                if area != NO_AREA
            )  # fmt: skip
            category_id, department_id = self._route(row, areas)
            if department_id is None:
                continue
            records.append(
                to_record(
                    row,
                    source=source,
                    category_id=category_id,
                    department_id=department_id,
                    areas=areas,
                    h3_cell=cell,
                    deadlines=self.deadlines.for_case(category_id, row.created),
                )
            )
        return records

    def _route(self, row: SourceRow, areas: tuple[tuple[int, int], ...]) -> tuple[int, int | None]:
        """The row's category, and the department: the file's, else the routing table's."""
        department_id = None
        if row.department_code is not None:
            department_id = self.catalog.department_id(row.department_code, row.department_name)
        rules_before = self.catalog.rules_added
        category_id = self.catalog.category_id(
            row.category_code,
            name=row.category_name,
            group=row.category_group,
            department_id=department_id,
        )
        if self.catalog.rules_added != rules_before:
            with self.lock:
                self.router = Router.load(self.session)
        if department_id is not None and self.mapping.department_authoritative:
            return category_id, department_id
        try:
            return category_id, self.router.department_for(category_id, [a for _, a in areas])
        except Conflict as exc:
            self.reject(row.values, "no department", exc.message)
            return category_id, None
