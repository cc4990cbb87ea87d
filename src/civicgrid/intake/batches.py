"""One import's batches: check rows, place, route, time and record them, write them behind.

Each batch is handled as columns (:mod:`civicgrid.intake.columns`), and written by a worker
thread while the next batch is prepared, so the database stores one batch while Python reads
the next. The two threads share one connection: every use of it, on either side, holds
``lock``; the preparing side needs the database only to add a department, category or policy
it has not seen yet. Large imports on PostgreSQL may load in bulk mode
(:mod:`civicgrid.cases.bulk_load`), inside a savepoint that a failed import rolls back.
"""

from __future__ import annotations

import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

import numpy as np
from sqlalchemy.orm import Session, SessionTransaction

from civicgrid.cases.bulk import BulkResult, CaseWriter, Prepared
from civicgrid.cases.bulk_load import plan_bulk
from civicgrid.cases.columns import NO_ID, CaseColumns, IntArray
from civicgrid.catalog.routing import Router
from civicgrid.errors import Conflict
from civicgrid.grid.placement import NO_AREA, GridIndex, PlacedArrays, grid_index
from civicgrid.intake.catalog import ImportCatalog
from civicgrid.intake.columns import ColumnParser, ParsedRows
from civicgrid.intake.mapping import Mapping
from civicgrid.intake.records import DeadlineBook, Placed, case_columns
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
    bulk: bool = False
    """Loaded in bulk mode (indexes and foreign keys rebuilt at the end)."""
    seconds: float = 0.0
    timings: defaultdict[str, float] = field(default_factory=lambda: defaultdict(float))
    """Seconds spent: preparing batches, waiting for the writer, rebuilding (bulk mode)."""

    def summary(self) -> str:
        """One line a person reads after the import."""
        return (
            f"{self.path.name}: {self.read} rows read, {self.imported} imported, "
            f"{self.already_imported} already imported, {self.rejected} rejected, "
            f"{self.outside_grid} outside the grid ({self.seconds:.1f} s"
            f"{', bulk mode' if self.bulk else ''})"
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
        bulk: bool | None = None,
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
        self.bulk_mode = bulk
        self.cases: CaseWriter | None = None
        self.savepoint: SessionTransaction | None = None
        self.rejects: list[tuple[int, list[str], str, str]] = []
        self.writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="civicgrid-import")
        self.pending: tuple[Future[BulkResult], IntArray] | None = None

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
                started = time.perf_counter()
                if self.cases is not None:
                    self.cases.finish()
                self.report.timings["rebuilding"] += time.perf_counter() - started
                if self.savepoint is not None:
                    self.savepoint.commit()
            finally:
                self.writer.shutdown(wait=True)
        else:
            self.pending = None
            self.writer.shutdown(wait=True)  # its outcome would only hide the error raised
            if self.savepoint is not None and self.savepoint.is_active:
                self.savepoint.rollback()  # bulk mode: indexes and keys back as they were

    def start(self, expected: int) -> None:
        """Choose how to write, for an import of about ``expected`` rows; before any batch."""
        conn = self.session.connection()
        if conn.dialect.name == "postgresql" and self.bulk_mode is not False:
            self.savepoint = self.session.begin_nested()
        plan = plan_bulk(self.session.connection(), expected=expected, mode=self.bulk_mode)
        if plan is None and self.savepoint is not None:
            self.savepoint.commit()
            self.savepoint = None
        self.report.bulk = plan is not None
        self.cases = CaseWriter(self.session, bulk=plan, lock=self.lock)

    def reject(self, values: list[str], kind: str, reason: str) -> None:
        """Count a rejected row and hand it to the reject file."""
        self.report.rejected += 1
        self.report.reject_reasons[kind] += 1
        self._reject(values, reason)

    def batch(self, parser: ColumnParser, batch: list[list[str]]) -> None:
        """Check, place, route and time one batch; write it while the next one is prepared."""
        if self.cases is None:
            self.start(len(batch))
        assert self.cases is not None
        started = time.perf_counter()
        self.report.read += len(batch)
        rows = self._checked(parser, batch)
        cases = self._cases(rows)
        for _, values, kind, reason in sorted(self.rejects, key=lambda r: r[0]):
            self.reject(values, kind, reason)
        self.rejects = []
        prepared = self.cases.prepare(cases) if len(cases) else None
        self.report.timings["preparing"] += time.perf_counter() - started
        self.settle()
        if prepared is not None:
            self.pending = (self.writer.submit(self._write, prepared), cases.area_id)

    def settle(self) -> None:
        """Wait for the batch being written, and count what it did."""
        if self.pending is None:
            return
        future, area_ids = self.pending
        self.pending = None
        started = time.perf_counter()
        result = future.result()
        self.report.timings["waiting for the writer"] += time.perf_counter() - started
        self.report.already_imported += len(result.already_imported)
        self.report.imported += result.inserted
        outside = area_ids == NO_AREA
        outside[np.array(result.already_imported, dtype=np.int64)] = False
        self.report.outside_grid += int(outside.sum())

    def _write(self, prepared: Prepared) -> BulkResult:
        assert self.cases is not None
        started = time.perf_counter()
        result = self.cases.store(prepared)
        self.report.timings["writing"] += time.perf_counter() - started
        return result

    def _checked(self, parser: ColumnParser, batch: list[list[str]]) -> ParsedRows:
        """The batch's rows that can be imported; the others set aside with their reasons."""
        rows, rejected = parser.parse(batch)
        for position, exc in rejected:
            self.rejects.append((position, batch[position], exc.kind, exc.reason))
        keep, seen = [], self.seen
        for i, external_id in enumerate(rows.external_id):
            if external_id in seen:
                self.rejects.append((
                    int(rows.position[i]), rows.values[i], "duplicate id",
                    f"{self.mapping.external_id} {external_id!r} appears earlier in this "
                    "file; only the first row with an id is imported",
                ))  # fmt: skip
                continue
            seen.add(external_id)
            keep.append(i)
        return rows if len(keep) == len(rows) else rows.take(np.array(keep, dtype=np.int64))

    def _cases(self, rows: ParsedRows) -> CaseColumns:
        """Place, route and time the rows; rows no department can take are set aside."""
        placed = self.grid.place_arrays(rows.lat, rows.lon)
        category_id, department_id = self._route(rows, placed)
        keep = np.flatnonzero(department_id != NO_ID)
        if len(keep) < len(rows):
            rows, category_id, department_id = (
                rows.take(keep),
                category_id[keep],
                department_id[keep],
            )
        where = Placed(
            area_id=placed.deepest_area_ids[keep],
            level_ids=placed.level_ids,
            areas=placed.area_ids[keep],
            h3_cell=placed.h3_cells[keep].tolist(),
        )
        return case_columns(
            rows,
            source=self.report.source,
            category_id=category_id,
            department_id=department_id,
            placed=where,
            deadlines=self.deadlines.for_cases(category_id, rows.created),
        )

    def _route(self, rows: ParsedRows, placed: PlacedArrays) -> tuple[IntArray, IntArray]:
        """Each row's category, and department: the file's, else the routing table's."""
        departments: dict[str, int] = {}
        for code, name in zip(rows.department_code, rows.department_name, strict=True):
            if code is not None and code not in departments:
                departments[code] = self.catalog.department_id(code, name)
        department_id = np.array(
            [NO_ID if c is None else departments[c] for c in rows.department_code], np.int64
        )
        rules_before = self.catalog.rules_added
        categories: dict[str, int] = {}
        for i, code in enumerate(rows.category_code):
            if code not in categories:
                dept = int(department_id[i])
                categories[code] = self.catalog.category_id(
                    code,
                    name=rows.category_name[i],
                    group=rows.category_group[i],
                    department_id=None if dept == NO_ID else dept,
                )
        category_id = np.array([categories[c] for c in rows.category_code], dtype=np.int64)
        if self.catalog.rules_added != rules_before:
            with self.lock:
                self.router = Router.load(self.session)
        routed = (department_id == NO_ID) | (not self.mapping.department_authoritative)
        if routed.any():
            department_id[routed] = self._routed(
                rows, category_id[routed], placed.area_ids[routed], np.flatnonzero(routed)
            )
        return category_id, department_id

    def _routed(
        self, rows: ParsedRows, category_id: IntArray, areas: IntArray, which: IntArray
    ) -> IntArray:
        """The routing table's department for each row (NO_ID, and a reject, when none)."""
        keys, inverse = np.unique(
            np.column_stack([category_id, areas]), axis=0, return_inverse=True
        )
        found = np.empty(len(keys), dtype=np.int64)
        reasons: dict[int, str] = {}
        for k, key in enumerate(keys.tolist()):
            try:
                found[k] = self.router.department_for(key[0], [a for a in key[1:] if a != NO_AREA])
            except Conflict as exc:
                found[k], reasons[k] = NO_ID, exc.message
        result = found[inverse.reshape(-1)]
        for i, k in enumerate(inverse.reshape(-1).tolist()):
            if k in reasons:
                row = int(which[i])
                self.rejects.append(
                    (int(rows.position[row]), rows.values[row], "no department", reasons[k])
                )
        return result
