"""Bulk mode for very large imports on PostgreSQL: load first, index and check after.

Keeping eleven indexes and five foreign keys up to date row by row makes PostgreSQL spend
about four times as long per case as writing the rows themselves. Like ``pg_restore``, bulk
mode sets the case tables' secondary indexes and foreign keys aside, loads the rows, then
builds each index in one sort and checks each foreign key in one join. Everything happens
inside the caller's transaction: if the import fails or is rolled back, the indexes and keys
are back as they were. The result is the same schema, checked as strictly; a rebuilt foreign
key or unique constraint that finds a bad row fails the whole import, never keeps it.

The price is a lock: from the start of the import to its commit, the case tables are locked
against every other session (``ACCESS EXCLUSIVE``), readers included. So bulk mode is chosen
by itself only when the import is large (:data:`BULK_MIN_ROWS`) and larger than what the
table holds, as for a city's first load of its history; ``civicgrid import --no-bulk`` turns
it off and ``--bulk`` forces it.

Primary keys stay. Unique constraints stay too, unless the table was empty when the import
took its lock: then nothing but the import's own rows can clash, which the importer checks
itself (ids within the file, tracking ids at the end) and the rebuilt constraints check again.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Connection, text

TABLES = ("cases", "case_areas", "case_events")
BULK_MIN_ROWS = 100_000
"""Imports expected to bring fewer cases than this never choose bulk mode by themselves."""
SORT_MEMORY_MB = 256
"""maintenance_work_mem for the index builds (only ever raised, and only in the transaction)."""

_CONSTRAINTS = """
SELECT c.conname, c.conrelid::regclass::text, c.contype, pg_get_constraintdef(c.oid),
       c.convalidated
FROM pg_constraint c
WHERE c.conrelid = ANY(CAST(:tables AS regclass[])) AND c.contype IN ('f', 'u')
  AND NOT EXISTS (SELECT 1 FROM pg_constraint r WHERE r.contype = 'f' AND r.conindid = c.conindid
                  AND c.contype = 'u')
ORDER BY c.contype DESC, c.conname
"""
_INDEXES = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), i.indisunique
FROM pg_index i
WHERE i.indrelid = ANY(CAST(:tables AS regclass[])) AND NOT i.indisprimary
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY 1
"""


def plan_bulk(conn: Connection, *, expected: int, mode: bool | None) -> BulkLoad | None:
    """Bulk mode for an import of about ``expected`` cases, or None to load row by row.

    ``mode`` True forces it, False refuses it, None decides: on PostgreSQL, for at least
    :data:`BULK_MIN_ROWS` cases and more than the table holds. Takes the lock when chosen.
    """
    if conn.dialect.name != "postgresql" or mode is False:
        return None
    if mode is None:
        if expected < BULK_MIN_ROWS:
            return None
        stored = conn.scalar(
            text("SELECT count(*) FROM (SELECT 1 FROM cases LIMIT :n) AS stored"), {"n": expected}
        )
        if (stored or 0) >= expected:
            return None
    conn.exec_driver_sql(f"LOCK TABLE {', '.join(TABLES)} IN ACCESS EXCLUSIVE MODE")
    empty = not conn.scalar(text("SELECT EXISTS (SELECT 1 FROM cases)"))
    return BulkLoad(conn, empty_table=empty)


@dataclass
class BulkLoad:
    """What was set aside from the case tables, to be put back by :meth:`restore`."""

    conn: Connection
    empty_table: bool
    """The cases table was empty under the lock: unique constraints are set aside too."""
    dropped: list[str] = field(default_factory=list)
    rebuild: list[str] = field(default_factory=list)
    """Statements putting back what was dropped: indexes and unique constraints first."""

    def set_aside(self) -> None:
        """Drop the secondary indexes and foreign keys (and unique constraints if empty)."""
        tables = list(TABLES)
        keys: list[str] = []
        checks: list[str] = []
        for name, table, kind, definition, valid in self.conn.execute(
            text(_CONSTRAINTS), {"tables": tables}
        ):
            if kind == "u" and not self.empty_table:
                continue
            statement = f"ALTER TABLE {table} ADD CONSTRAINT {_quote(name)} {definition}"
            (keys if kind == "u" else checks).append(statement + ("" if valid else " NOT VALID"))
            self.dropped.append(f"ALTER TABLE {table} DROP CONSTRAINT {_quote(name)}")
        indexes = []
        for name, definition, unique in self.conn.execute(text(_INDEXES), {"tables": tables}):
            if unique and not self.empty_table:
                continue
            indexes.append(definition)
            self.dropped.append(f"DROP INDEX {name}")
        self.rebuild = [*indexes, *keys, *checks]
        for statement in self.dropped:
            self.conn.exec_driver_sql(statement)

    def restore(self) -> None:
        """Build the indexes, add back the unique constraints, then check the foreign keys."""
        current = self.conn.scalar(
            text(
                "SELECT setting::bigint * 1024 FROM pg_settings WHERE name = 'maintenance_work_mem'"
            )
        )
        if (current or 0) < SORT_MEMORY_MB * 1024 * 1024:
            self.conn.exec_driver_sql(f"SET LOCAL maintenance_work_mem = '{SORT_MEMORY_MB}MB'")
        for statement in self.rebuild:
            self.conn.exec_driver_sql(statement)
        self.rebuild = []


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
