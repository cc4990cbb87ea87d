"""Insert many already-normalised cases at once, with their places and timelines.

Used by imports and the demo. PostgreSQL gets binary ``COPY ... FROM STDIN`` with ids taken
from the sequence beforehand; SQLite gets ``executemany``. Everything runs on the caller's
connection and transaction, and nothing is committed here. A record whose (source,
external_id) is already stored is skipped and reported, so importing a file twice is harmless.
"""

from __future__ import annotations

import secrets
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

import numpy as np
from sqlalchemy import Connection, Table, func, insert, select, text
from sqlalchemy.orm import Session

from civicgrid.cases.models import Case, CaseArea, CaseEvent
from civicgrid.cases.tracking import ALPHABET, LENGTH

CHUNK = 5000
"""Records looked up and written per round trip."""

_CASES: Table = Case.__table__  # type: ignore[assignment]
_AREAS: Table = CaseArea.__table__  # type: ignore[assignment]
_EVENTS: Table = CaseEvent.__table__  # type: ignore[assignment]
_EVENT_COLUMNS = (
    "case_id", "kind", "from_status", "to_status", "public", "body", "actor", "data", "created_at"
)  # fmt: skip
_AREA_COLUMNS = ("case_id", "area_id", "level_id")


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


def insert_cases(
    session: Session, *, records: Sequence[CaseRecord], chunk_size: int = CHUNK
) -> BulkResult:
    """Store ``records`` with their areas and events on the session's connection; no commit."""
    session.flush()
    conn = session.connection()
    writer: _Writer = _PgWriter(conn) if conn.dialect.name == "postgresql" else _SqliteWriter(conn)
    result = BulkResult()
    seen: set[tuple[str, str]] = set()
    for start in range(0, len(records), chunk_size):
        chunk = records[start : start + chunk_size]
        existing = writer.existing_keys(chunk)
        fresh: list[CaseRecord] = []
        for offset, record in enumerate(chunk):
            key = _key(record)
            if key is not None and (key in existing or key in seen):
                result.already_imported.append(start + offset)
                continue
            if key is not None:
                seen.add(key)
            fresh.append(record)
        if fresh:
            ids = writer.allocate_ids(len(fresh))
            tracking = _unique_tracking_ids(writer, len(fresh))
            writer.write(fresh, ids, tracking)
            result.case_ids.extend(ids)
    return result


def _key(record: CaseRecord) -> tuple[str, str] | None:
    if record.source is None or record.external_id is None:
        return None
    return record.source, record.external_id


def _keys_by_source(records: Iterable[CaseRecord]) -> dict[str, list[str]]:
    by_source: dict[str, list[str]] = defaultdict(list)
    for record in records:
        if record.source is not None and record.external_id is not None:
            by_source[record.source].append(record.external_id)
    return by_source


def new_tracking_ids(count: int) -> list[str]:
    """``count`` ids in the format of :func:`civicgrid.cases.tracking.new_tracking_id`, fast."""
    # 256 is a multiple of 32, so masking random bytes to 5 bits keeps every letter equally likely.
    picks = np.frombuffer(secrets.token_bytes(count * LENGTH), dtype=np.uint8) & 31
    letters = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)[picks].reshape(count, LENGTH)
    dash = np.full((count, 1), ord("-"), dtype=np.uint8)
    grouped = np.ascontiguousarray(np.hstack([letters[:, :4], dash, letters[:, 4:]]))
    return [raw.decode() for raw in grouped.view(f"S{LENGTH + 1}").ravel().tolist()]


def _unique_tracking_ids(writer: _Writer, count: int) -> list[str]:
    # 50 random bits collide rarely, but a clash would abort the whole import: check them.
    ids = new_tracking_ids(count)
    while True:
        taken = writer.taken_tracking_ids(ids)
        clashes = [i for i, value in enumerate(ids) if value in taken]
        seen: set[str] = set()
        for i, value in enumerate(ids):
            if value in seen:
                clashes.append(i)
            seen.add(value)
        if not clashes:
            return ids
        for i, value in zip(clashes, new_tracking_ids(len(clashes)), strict=True):
            ids[i] = value


def _case_row(record: CaseRecord, case_id: int, tracking_id: str) -> dict[str, Any]:
    areas = record.areas
    latest = max((e.created_at for e in record.events), default=record.created_at)
    return {
        "id": case_id,
        "tracking_id": tracking_id,
        "category_id": record.category_id,
        "title": record.title,
        "description": record.description,
        "lat": record.lat,
        "lon": record.lon,
        "address": record.address,
        "h3_cell": record.h3_cell,
        "outside_grid": not areas,
        "area_id": areas[0][1] if areas else None,
        "channel": record.channel,
        "status": record.status,
        "department_id": record.department_id,
        "attributes": record.attributes,
        "source": record.source,
        "external_id": record.external_id,
        "created_at": record.created_at,
        "updated_at": record.updated_at or max(latest, record.created_at),
        "first_response_at": record.first_response_at,
        "resolved_at": record.resolved_at,
        "closed_at": record.closed_at,
        "sla_policy_id": record.sla_policy_id,
        "first_response_due": record.first_response_due,
        "first_response_warn_at": record.first_response_warn_at,
        "resolution_due": record.resolution_due,
        "resolution_warn_at": record.resolution_warn_at,
        "first_response_warned": record.first_response_warned,
        "first_response_breached": record.first_response_breached,
        "resolution_warned": record.resolution_warned,
        "resolution_breached": record.resolution_breached,
    }


def _column_defaults(table: Table) -> dict[str, Any]:
    """Scalar Python-side defaults of the table's columns (columns added later included)."""
    defaults: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        is_scalar = default is not None and getattr(default, "is_scalar", False)
        defaults[column.name] = getattr(default, "arg", None) if is_scalar else None
    return defaults


def _event_rows(records: Sequence[CaseRecord], ids: Sequence[int]) -> list[tuple[Any, ...]]:
    return [
        (case_id, e.kind, e.from_status, e.to_status, e.public, e.body, e.actor, e.data,
         e.created_at)
        for record, case_id in zip(records, ids, strict=True)
        for e in record.events
    ]  # fmt: skip


def _area_rows(records: Sequence[CaseRecord], ids: Sequence[int]) -> list[tuple[int, int, int]]:
    return [
        (case_id, area_id, level_id)
        for record, case_id in zip(records, ids, strict=True)
        for level_id, area_id in record.areas
    ]


class _Writer(Protocol):
    """How one database looks up, numbers and writes cases."""

    def existing_keys(self, records: Iterable[CaseRecord]) -> set[tuple[str, str]]:
        """The (source, external_id) pairs among ``records`` that are stored already."""
        ...

    def taken_tracking_ids(self, ids: list[str]) -> set[str]:
        """Those of ``ids`` that stored cases have."""
        ...

    def allocate_ids(self, count: int) -> list[int]:
        """Ids for ``count`` new cases."""
        ...

    def write(self, records: Sequence[CaseRecord], ids: list[int], tracking: list[str]) -> None:
        """Insert the cases, their areas and their events."""
        ...


class _SqliteWriter:
    """executemany through SQLAlchemy Core, which converts datetimes and JSON for SQLite."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.defaults = _column_defaults(_CASES)

    def existing_keys(self, records: Iterable[CaseRecord]) -> set[tuple[str, str]]:
        found: set[tuple[str, str]] = set()
        for source, external_ids in _keys_by_source(records).items():
            query = select(Case.external_id).where(
                Case.source == source, Case.external_id.in_(external_ids)
            )
            found.update((source, ext) for ext in self.conn.scalars(query) if ext is not None)
        return found

    def taken_tracking_ids(self, ids: list[str]) -> set[str]:
        return set(self.conn.scalars(select(Case.tracking_id).where(Case.tracking_id.in_(ids))))

    def allocate_ids(self, count: int) -> list[int]:
        # The write lock is held from our first insert on, and WAL refuses a write based on a
        # stale read, so no other writer can take these ids between this read and our insert.
        top = self.conn.scalar(select(func.coalesce(func.max(Case.id), 0))) or 0
        return list(range(top + 1, top + 1 + count))

    def write(self, records: Sequence[CaseRecord], ids: list[int], tracking: list[str]) -> None:
        rows = [
            {**self.defaults, **_case_row(r, i, t)}
            for r, i, t in zip(records, ids, tracking, strict=True)
        ]
        self.conn.execute(insert(_CASES), rows)
        areas = _area_rows(records, ids)
        if areas:
            self.conn.execute(
                insert(_AREAS), [dict(zip(_AREA_COLUMNS, a, strict=True)) for a in areas]
            )
        events = _event_rows(records, ids)
        if events:
            self.conn.execute(
                insert(_EVENTS), [dict(zip(_EVENT_COLUMNS, e, strict=True)) for e in events]
            )


class _PgWriter:
    """Binary COPY over psycopg 3, on the connection that holds the caller's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.raw: Any = conn.connection.driver_connection
        self.defaults = _column_defaults(_CASES)
        self.case_columns = list(self.defaults)

    def existing_keys(self, records: Iterable[CaseRecord]) -> set[tuple[str, str]]:
        # = ANY(array): one parameter, where IN (...) would bind and plan thousands.
        found: set[tuple[str, str]] = set()
        with self.raw.cursor() as cursor:
            for source, external_ids in _keys_by_source(records).items():
                cursor.execute(
                    "SELECT external_id FROM cases WHERE source = %s AND external_id = ANY(%s)",
                    (source, external_ids),
                )
                found.update((source, ext) for (ext,) in cursor)
        return found

    def taken_tracking_ids(self, ids: list[str]) -> set[str]:
        with self.raw.cursor() as cursor:
            cursor.execute("SELECT tracking_id FROM cases WHERE tracking_id = ANY(%s)", (ids,))
            return {value for (value,) in cursor}

    def allocate_ids(self, count: int) -> list[int]:
        query = text(
            "SELECT nextval(pg_get_serial_sequence('cases', 'id')) FROM generate_series(1, :n)"
        )
        return list(self.conn.scalars(query, {"n": count}))

    def write(self, records: Sequence[CaseRecord], ids: list[int], tracking: list[str]) -> None:
        columns, defaults = self.case_columns, self.defaults
        rows = (
            [row.get(name, defaults[name]) for name in columns]
            for row in (_case_row(r, i, t) for r, i, t in zip(records, ids, tracking, strict=True))
        )
        self._copy("cases", columns, rows)
        self._copy("case_areas", _AREA_COLUMNS, _area_rows(records, ids))
        self._copy("case_events", _EVENT_COLUMNS, _event_rows(records, ids))

    def _copy(self, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
        types = self._types(table, columns)
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
        with self.raw.cursor() as cursor, cursor.copy(statement) as copy:
            copy.set_types(types)
            for row in rows:
                copy.write_row(row)

    def _types(self, table: str, columns: Sequence[str]) -> list[int]:
        # Binary COPY needs each column's exact type; read them so migrations cannot drift.
        cache: dict[str, dict[str, int]] = self.conn.info.setdefault("civicgrid.copy_types", {})
        if table not in cache:
            found = self.conn.execute(
                text(
                    "SELECT attname, atttypid::int FROM pg_attribute "
                    "WHERE attrelid = CAST(:t AS regclass) AND attnum > 0 AND NOT attisdropped"
                ),
                {"t": table},
            )
            cache[table] = {str(name): int(oid) for name, oid in found}
        return [cache[table][name] for name in columns]
