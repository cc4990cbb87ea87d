"""Insert many already-normalised cases at once, with their places and timelines.

Used by imports. Cases arrive as columns (:class:`CaseColumns`, one array or list per field)
or as :class:`CaseRecord` objects, which are turned into columns. PostgreSQL gets binary
``COPY ... FROM STDIN`` built with numpy (:mod:`civicgrid.cases.pgcopy`), with ids taken from
the sequence beforehand; SQLite gets ``executemany``. Everything runs on the caller's
connection and transaction, and nothing is committed here. A case whose (source,
external_id) is already stored is skipped and reported, so importing a file twice is harmless.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from civicgrid.cases.bulk_load import BulkLoad
from civicgrid.cases.bulk_write import CaseStore, TrackingBook, store_for
from civicgrid.cases.columns import (
    NO_AREA,
    CaseColumns,
    EventColumns,
    IntArray,
    instants,
    new_tracking_ids,
)

__all__ = [
    "CHUNK",
    "BulkResult",
    "CaseColumns",
    "CaseRecord",
    "CaseWriter",
    "EventColumns",
    "EventRecord",
    "Prepared",
    "insert_cases",
    "new_tracking_ids",
]

CHUNK = 10_000
"""Records looked up and written per round trip by :func:`insert_cases`."""
RESERVE = 100_000
"""Case ids taken from the sequence at a time in bulk mode."""


@dataclass(slots=True)
class EventRecord:
    """One timeline entry of a case being inserted."""

    kind: str
    created_at: datetime
    from_status: str | None = None
    to_status: str | None = None
    public: bool = False
    body: str = ""
    actor: str = "system"
    data: dict[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class CaseRecord:
    """A case ready to store: placed, routed, with deadlines and timeline worked out."""

    category_id: int
    department_id: int
    channel: str
    created_at: datetime
    status: str = "new"
    title: str = ""
    description: str = ""
    lat: float | None = None
    lon: float | None = None
    address: str = ""
    areas: Sequence[tuple[int, int]] = ()
    """(level_id, area_id) of every containing area, deepest first; empty outside the grid."""
    h3_cell: str | None = None
    attributes: dict[str, Any] = field(default_factory=dict)
    source: str | None = None
    external_id: str | None = None
    first_response_at: datetime | None = None
    resolved_at: datetime | None = None
    closed_at: datetime | None = None
    sla_policy_id: int | None = None
    first_response_due: datetime | None = None
    first_response_warn_at: datetime | None = None
    resolution_due: datetime | None = None
    resolution_warn_at: datetime | None = None
    first_response_warned: bool = False
    first_response_breached: bool = False
    resolution_warned: bool = False
    resolution_breached: bool = False
    events: list[EventRecord] = field(default_factory=list)
    updated_at: datetime | None = None
    """Defaults to the latest of the creation time and the events' times."""


@dataclass
class BulkResult:
    """What an insert did: ids of the new cases and which records were already stored."""

    case_ids: list[int] = field(default_factory=list)
    """Ids of the inserted cases, in the order of the records inserted."""
    already_imported: list[int] = field(default_factory=list)
    """Positions (in the records given) of those skipped as already stored."""

    @property
    def inserted(self) -> int:
        """How many cases were written."""
        return len(self.case_ids)


@dataclass
class Prepared:
    """A batch made ready by :meth:`CaseWriter.prepare`, to be passed to its ``store``."""

    cases: CaseColumns
    result: BulkResult = field(default_factory=BulkResult)
    encoded: Any = None
    """The rows as the database takes them; None until the table has been looked up."""


class CaseWriter:
    """Writes batches of cases on the session's connection; one writer per import.

    With ``bulk`` (PostgreSQL only), the case tables' secondary indexes and foreign keys are
    set aside before the first batch and rebuilt by :meth:`finish`; see
    :mod:`civicgrid.cases.bulk_load` for what that guarantees and costs. Writing is split in
    two so that an import can overlap them: :meth:`prepare` does what needs no look at the
    table (in bulk mode on an empty table, everything but sending the rows), :meth:`store`
    the rest. ``lock`` guards the connection when the two run on different threads.
    """

    def __init__(
        self,
        session: Session,
        *,
        bulk: BulkLoad | None = None,
        lock: AbstractContextManager[object] | None = None,
    ) -> None:
        session.flush()
        self.session, self.bulk = session, bulk
        self.lock = lock or nullcontext()
        self.db: CaseStore = store_for(session.connection())
        self.fresh_table = bulk is not None and bulk.empty_table
        self.tracking = TrackingBook(self.db, issued_only=self.fresh_table)
        self.started = False
        self.reserved: dict[str, IntArray] = {}

    def write(self, cases: CaseColumns) -> BulkResult:
        """Store the cases not stored yet (by source and external id); report both kinds."""
        return self.store(self.prepare(cases))

    def prepare(self, cases: CaseColumns) -> Prepared:
        """Number and encode the batch when that needs no look at the table (bulk, empty)."""
        if not self.fresh_table:
            return Prepared(cases)
        if not self.started:
            with self.lock:
                self._start()
        prepared = Prepared(cases)
        self._encode(prepared, self._repeated(cases, set()))
        return prepared

    def store(self, prepared: Prepared) -> BulkResult:
        """Write a prepared batch, looking up what it did not look up yet."""
        with self.lock:
            self._start()
            if prepared.encoded is None:
                self._encode(prepared, self._repeated(prepared.cases, self._existing(prepared)))
            if prepared.encoded is not False:
                self.db.send(prepared.encoded)
        return prepared.result

    def finish(self) -> None:
        """Settle tracking-id clashes and rebuild what bulk mode set aside."""
        if self.started and self.bulk is not None:
            with self.lock:
                self.tracking.settle()
                self.bulk.restore()

    def _start(self) -> None:
        if not self.started:
            self.started = True
            if self.bulk is not None:
                self.bulk.set_aside()

    def _encode(self, prepared: Prepared, skipped: list[int]) -> None:
        """Ids, tracking ids and encoded rows for the cases not ``skipped``."""
        cases = prepared.cases
        if skipped:
            prepared.result.already_imported = skipped
            cases = cases.take(np.setdiff1d(np.arange(len(cases)), np.array(skipped)))
        if not len(cases):
            prepared.encoded = False
            return
        ids = self._ids(len(cases), "cases")
        tracking = self.tracking.new_ids(ids)
        # In bulk mode events are numbered here too, sparing the database a call a row.
        event_ids = self._ids(len(cases.events), "case_events") if self.fresh_table else None
        prepared.encoded = self.db.encode(cases, ids, tracking, event_ids)
        prepared.result.case_ids = ids.tolist()

    def _ids(self, count: int, table: str) -> IntArray:
        """Ids from the table's sequence; in bulk mode taken a large block at a time."""
        if not self.fresh_table:
            return self.db.allocate_ids(count, table)
        reserved = self.reserved.get(table, np.zeros(0, dtype=np.int64))
        if len(reserved) < count:
            with self.lock:
                more = self.db.allocate_ids(max(count, RESERVE) - len(reserved), table)
            reserved = np.concatenate([reserved, more])
        ids, self.reserved[table] = reserved[:count], reserved[count:]
        return ids

    def _existing(self, prepared: Prepared) -> set[tuple[str | None, str | None]]:
        keys = list(zip(prepared.cases.source, prepared.cases.external_id, strict=True))
        return self.db.existing_keys(keys)

    @staticmethod
    def _repeated(cases: CaseColumns, existing: set[tuple[str | None, str | None]]) -> list[int]:
        """Positions of cases stored already, or repeating an earlier case of this batch."""
        found, seen = [], set()
        for i, key in enumerate(zip(cases.source, cases.external_id, strict=True)):
            if key[0] is None or key[1] is None:
                continue
            if key in existing or key in seen:
                found.append(i)
            seen.add(key)
        return found


def insert_cases(
    session: Session, *, records: Sequence[CaseRecord], chunk_size: int = CHUNK
) -> BulkResult:
    """Store ``records`` with their areas and events on the session's connection; no commit."""
    writer = CaseWriter(session)
    result = BulkResult()
    for start in range(0, len(records), chunk_size):
        done = writer.write(columns_of(records[start : start + chunk_size]))
        result.case_ids += done.case_ids
        result.already_imported += [start + i for i in done.already_imported]
    writer.finish()
    return result


def columns_of(records: Sequence[CaseRecord]) -> CaseColumns:
    """The records as columns."""
    levels = list(dict.fromkeys(level for r in records for level, _ in r.areas))
    column = {level: j for j, level in enumerate(levels)}
    areas = np.full((len(records), len(levels)), NO_AREA, dtype=np.int64)
    for i, record in enumerate(records):
        for level, area in record.areas:
            areas[i, column[level]] = area
    values: dict[str, Any] = {}
    for name in CaseColumns.per_case_fields():
        if name in _DERIVED:
            continue
        raw = [getattr(r, name) for r in records]
        values[name] = _column(name, raw)
    events = _events_of(records)
    latest = [max([r.created_at, *(e.created_at for e in r.events)]) for r in records]
    return CaseColumns(
        **values,
        area_id=np.array([r.areas[0][1] if r.areas else NO_AREA for r in records], np.int64),
        level_ids=np.array(levels, dtype=np.int64),
        areas=areas,
        attributes=[json.dumps(r.attributes) for r in records],
        updated_at=instants([r.updated_at or t for r, t in zip(records, latest, strict=True)]),
        events=events,
    )


_DERIVED = {"area_id", "areas", "attributes", "updated_at"}


def _column(name: str, raw: list[Any]) -> Any:
    kind = CaseColumns.kind(name)
    if kind == "instants":
        return instants(raw)
    if kind == "ints":
        return np.array([NO_AREA if v is None else v for v in raw], dtype=np.int64)
    if kind == "floats":
        return np.array([np.nan if v is None else v for v in raw], dtype=np.float64)
    if kind == "bools":
        return np.array(raw, dtype=bool)
    return raw


def _events_of(records: Sequence[CaseRecord]) -> EventColumns:
    events = [(i, e) for i, r in enumerate(records) for e in r.events]
    return EventColumns(
        case=np.array([i for i, _ in events], dtype=np.int64),
        kind=[e.kind for _, e in events],
        created_at=instants([e.created_at for _, e in events]),
        from_status=[e.from_status for _, e in events],
        to_status=[e.to_status for _, e in events],
        public=np.array([e.public for _, e in events], dtype=bool),
        body=[e.body for _, e in events],
        actor=[e.actor for _, e in events],
        data=[json.dumps(e.data) for _, e in events],
    )
