"""How each database looks up, numbers and writes a batch of cases (see cases/bulk.py)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt
from sqlalchemy import Connection, Table, func, insert, select, text

from civicgrid.cases.columns import (
    NO_ID,
    CaseColumns,
    IntArray,
    new_tracking_codes,
    to_datetimes,
    tracking_ids,
)
from civicgrid.cases.models import Case, CaseArea, CaseEvent
from civicgrid.cases.pgcopy import BinaryRows

_CASES: Table = Case.__table__  # type: ignore[assignment]
_AREAS: Table = CaseArea.__table__  # type: ignore[assignment]
_EVENTS: Table = CaseEvent.__table__  # type: ignore[assignment]
Key = tuple[str | None, str | None]
Column = tuple[Any, Any]
"""A column's values and its NULL mask (None: no NULLs, or NULLs given as None/NaT)."""


class CaseStore(Protocol):
    """How one database looks up, numbers and writes cases."""

    def existing_keys(self, keys: Sequence[Key]) -> set[Key]:
        """Those (source, external_id) pairs that stored cases have."""
        ...

    def taken_tracking_ids(self, ids: list[str]) -> set[str]:
        """Those of ``ids`` that stored cases have."""
        ...

    def allocate_ids(self, count: int, table: str = "cases") -> IntArray:
        """Ids for ``count`` new rows of ``table`` (cases or case_events)."""
        ...

    def encode(
        self,
        cases: CaseColumns,
        ids: IntArray,
        tracking: list[str],
        event_ids: IntArray | None = None,
    ) -> Any:
        """The cases, their areas and their events as :meth:`send` takes them.

        Without ``event_ids`` the events are numbered by the database as they are written.
        """
        ...

    def send(self, encoded: Any) -> None:
        """Insert encoded cases, areas and events."""
        ...

    def retrack(self, case_id: int, tracking_id: str) -> None:
        """Give a stored case another tracking id."""
        ...


def store_for(conn: Connection) -> CaseStore:
    """The store for the connection's database."""
    return PgStore(conn) if conn.dialect.name == "postgresql" else SqliteStore(conn)


class TrackingBook:
    """Hands out tracking ids that no other case has.

    Normally each batch's new ids are checked against the table. When the table was empty at
    the start and is locked for the import (bulk mode), only this import's own ids can clash:
    they are remembered as 8-byte numbers and checked once, at :meth:`settle`.
    """

    def __init__(self, store: CaseStore, *, issued_only: bool) -> None:
        self.store, self.issued_only = store, issued_only
        self.codes: list[npt.NDArray[np.uint64]] = []
        self.case_ids: list[IntArray] = []

    def new_ids(self, case_ids: IntArray) -> list[str]:
        """Tracking ids for the cases ``case_ids`` (50 random bits: clashes are rare)."""
        codes = new_tracking_codes(len(case_ids))
        ids = tracking_ids(codes)
        if self.issued_only:  # any clash, in the batch or with an earlier one, is settled later
            self.codes.append(codes)
            self.case_ids.append(case_ids)
            return ids
        while True:
            taken, seen, clashes = self.store.taken_tracking_ids(ids), set(), []
            for i, value in enumerate(ids):
                if value in taken or value in seen:
                    clashes.append(i)
                seen.add(value)
            if not clashes:
                return ids
            fresh = tracking_ids(new_tracking_codes(len(clashes)))
            for i, value in zip(clashes, fresh, strict=True):
                ids[i] = value

    def settle(self) -> None:
        """Give a fresh id to any case whose id an earlier case of this import took."""
        if not self.codes:
            return
        codes, case_ids = np.concatenate(self.codes), np.concatenate(self.case_ids)
        order = np.argsort(codes, kind="stable")
        repeats = order[1:][codes[order][1:] == codes[order][:-1]]
        taken = set(codes.tolist())
        for position in repeats.tolist():
            code = new_tracking_codes(1)
            while int(code[0]) in taken:
                code = new_tracking_codes(1)
            taken.add(int(code[0]))
            self.store.retrack(int(case_ids[position]), tracking_ids(code)[0])


def _defaults(table: Table, written: set[str]) -> dict[str, Any]:
    """Scalar Python-side defaults of columns not written explicitly (added by migrations)."""
    found: dict[str, Any] = {}
    for column in table.columns:
        default = column.default
        if column.name in written or default is None or not getattr(default, "is_scalar", False):
            continue
        value = getattr(default, "arg", None)
        if value is not None:
            found[column.name] = value
    return found


def case_fields(cases: CaseColumns, ids: IntArray, tracking: list[str]) -> dict[str, Column]:
    """The cases table's columns, fixed-width ones first (they are copied as one block)."""
    outside = cases.area_id == NO_ID
    no_policy = cases.sla_policy_id == NO_ID
    columns: dict[str, Column] = {
        "id": (ids, None),
        "category_id": (cases.category_id, None),
        "department_id": (cases.department_id, None),
        "outside_grid": (outside, None),
        "created_at": (cases.created_at, None),
        "updated_at": (cases.updated_at, None),
    }
    for name in ("first_response_warned", "first_response_breached", "resolution_warned",
                 "resolution_breached"):  # fmt: skip
        columns[name] = (getattr(cases, name), None)
    for name, value in _defaults(_CASES, set(_ALL_CASE_FIELDS)).items():
        columns[name] = ([value] * len(ids) if isinstance(value, str) else np.full(len(ids), value),
                         None)  # fmt: skip
    columns |= {
        "lat": (cases.lat, np.isnan(cases.lat)),
        "lon": (cases.lon, np.isnan(cases.lon)),
        "area_id": (cases.area_id, outside),
        "sla_policy_id": (cases.sla_policy_id, no_policy),
    }
    for name in ("first_response_at", "resolved_at", "closed_at", "first_response_due",
                 "first_response_warn_at", "resolution_due", "resolution_warn_at",
                 "tracking_id", "title", "description", "address", "h3_cell", "channel",
                 "status", "attributes", "source", "external_id"):  # fmt: skip
        columns[name] = (tracking if name == "tracking_id" else getattr(cases, name), None)
    return columns


_ALL_CASE_FIELDS = (
    "id", "tracking_id", "outside_grid", *CaseColumns.per_case_fields()
)  # fmt: skip


def event_fields(
    cases: CaseColumns, ids: IntArray, event_ids: IntArray | None = None
) -> dict[str, Column]:
    """The case_events table's columns, entries in the order given (ids follow it)."""
    events = cases.events
    numbered: dict[str, Column] = {} if event_ids is None else {"id": (event_ids, None)}
    return numbered | {
        "case_id": (ids[events.case], None),
        "public": (events.public, None),
        "created_at": (events.created_at, None),
        "kind": (events.kind, None),
        "from_status": (events.from_status, None),
        "to_status": (events.to_status, None),
        "body": (events.body, None),
        "actor": (events.actor, None),
        "data": (events.data, None),
    }


def area_rows(cases: CaseColumns, ids: IntArray) -> tuple[IntArray, IntArray, IntArray]:
    """case_id, area_id, level_id of every placement, a case's rows together, deepest first."""
    where = np.nonzero(cases.areas != NO_ID)
    return ids[where[0]], cases.areas[where], cases.level_ids[where[1]]


class PgStore:
    """Binary COPY on the connection that holds the caller's transaction."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn
        self.raw: Any = conn.connection.driver_connection
        self.types = {table: self._types(table) for table in ("cases", "case_areas", "case_events")}

    def existing_keys(self, keys: Sequence[Key]) -> set[Key]:
        # = ANY(array): one parameter, where IN (...) would bind and plan thousands.
        by_source: dict[str, list[str]] = {}
        for source, external_id in keys:
            if source is not None and external_id is not None:
                by_source.setdefault(source, []).append(external_id)
        found: set[Key] = set()
        with self.raw.cursor() as cursor:
            for source, external_ids in by_source.items():
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

    def allocate_ids(self, count: int, table: str = "cases") -> IntArray:
        with self.raw.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                (table, count),
            )
            return np.array([i for (i,) in cursor], dtype=np.int64)

    def retrack(self, case_id: int, tracking_id: str) -> None:
        with self.raw.cursor() as cursor:
            cursor.execute(
                "UPDATE cases SET tracking_id = %s WHERE id = %s", (tracking_id, case_id)
            )

    def encode(
        self,
        cases: CaseColumns,
        ids: IntArray,
        tracking: list[str],
        event_ids: IntArray | None = None,
    ) -> list[tuple[str, bytes]]:
        case_id, area_id, level_id = area_rows(cases, ids)
        areas = {"case_id": (case_id, None), "area_id": (area_id, None),
                 "level_id": (level_id, None)}  # fmt: skip
        return [
            self._encode("cases", case_fields(cases, ids, tracking), len(ids)),
            self._encode("case_areas", areas, len(case_id)),
            self._encode("case_events", event_fields(cases, ids, event_ids), len(cases.events)),
        ]

    def send(self, encoded: list[tuple[str, bytes]]) -> None:
        with self.raw.cursor() as cursor:
            for statement, payload in encoded:
                if payload:
                    with cursor.copy(statement) as copy:
                        copy.write(payload)

    def _encode(self, table: str, columns: dict[str, Column], count: int) -> tuple[str, bytes]:
        statement = f"COPY {table} ({', '.join(columns)}) FROM STDIN (FORMAT BINARY)"
        if not count:
            return statement, b""
        types = self.types[table]
        rows = BinaryRows(count)
        for name, (values, null) in columns.items():
            rows.add(types[name], values, null)
        return statement, rows.payload()

    def _types(self, table: str) -> dict[str, int]:
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
        return cache[table]


class SqliteStore:
    """executemany through SQLAlchemy Core, which converts datetimes and JSON for SQLite."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    def existing_keys(self, keys: Sequence[Key]) -> set[Key]:
        found: set[Key] = set()
        by_source: dict[str, list[str]] = {}
        for source, external_id in keys:
            if source is not None and external_id is not None:
                by_source.setdefault(source, []).append(external_id)
        for source, external_ids in by_source.items():
            for start in range(0, len(external_ids), 500):  # SQLite's bound-parameter limit
                query = select(Case.external_id).where(
                    Case.source == source, Case.external_id.in_(external_ids[start : start + 500])
                )
                found.update((source, ext) for ext in self.conn.scalars(query))
        return found

    def taken_tracking_ids(self, ids: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            found.update(
                self.conn.scalars(select(Case.tracking_id).where(Case.tracking_id.in_(chunk)))
            )
        return found

    def allocate_ids(self, count: int, table: str = "cases") -> IntArray:
        # The write lock is held from our first insert on, and WAL refuses a write based on a
        # stale read, so no other writer can take these ids between this read and our insert.
        column = (_CASES if table == "cases" else _EVENTS).c.id
        top = self.conn.scalar(select(func.coalesce(func.max(column), 0))) or 0
        return np.arange(top + 1, top + 1 + count, dtype=np.int64)

    def retrack(self, case_id: int, tracking_id: str) -> None:  # pragma: no cover (bulk is PG)
        self.conn.execute(
            _CASES.update().where(_CASES.c.id == case_id), {"tracking_id": tracking_id}
        )

    def encode(
        self,
        cases: CaseColumns,
        ids: IntArray,
        tracking: list[str],
        event_ids: IntArray | None = None,
    ) -> tuple[CaseColumns, IntArray, list[str], IntArray | None]:
        return cases, ids, tracking, event_ids

    def send(self, encoded: tuple[CaseColumns, IntArray, list[str], IntArray | None]) -> None:
        cases, ids, tracking, event_ids = encoded
        columns = case_fields(cases, ids, tracking)
        self.conn.execute(insert(_CASES), _rows(columns, len(ids)))
        case_id, area_id, level_id = area_rows(cases, ids)
        if len(case_id):
            areas = {"case_id": (case_id, None), "area_id": (area_id, None),
                     "level_id": (level_id, None)}  # fmt: skip
            self.conn.execute(insert(_AREAS), _rows(areas, len(case_id)))
        if len(cases.events):
            rows = _rows(event_fields(cases, ids, event_ids), len(cases.events))
            self.conn.execute(insert(_EVENTS), rows)


def _rows(columns: dict[str, Column], count: int) -> list[dict[str, Any]]:
    """Columns as the dicts Core's executemany takes: Python values, None for NULL."""
    lists: dict[str, list[Any]] = {}
    for name, (values, null) in columns.items():
        if isinstance(values, np.ndarray) and values.dtype.kind == "M":
            lists[name] = to_datetimes(values)
            continue
        plain = values.tolist() if isinstance(values, np.ndarray) else list(values)
        if null is not None:
            plain = [
                None if gone else v
                for v, gone in zip(plain, np.asarray(null).tolist(), strict=True)
            ]
        if name in ("attributes", "data"):
            plain = [json.loads(v) for v in plain]
        lists[name] = plain
    names = list(lists)
    return (
        [dict(zip(names, row, strict=True)) for row in zip(*lists.values(), strict=True)]
        if count
        else []
    )
