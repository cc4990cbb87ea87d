"""Binary COPY payloads built by columns: the bytes PostgreSQL's format asks for."""

from __future__ import annotations

import struct
from datetime import UTC, datetime

import numpy as np
import pytest
from sqlalchemy.orm import Session

from civicgrid.cases import pgcopy
from civicgrid.cases.columns import instants, to_datetimes

WHEN = [datetime(2026, 6, 1, 12, 30, 5, 123456, tzinfo=UTC), None,
        datetime(1999, 12, 31, 23, 59, tzinfo=UTC)]  # fmt: skip
TEXT = ["plain", None, "Crème brûlée, 12€"]


def rows() -> pgcopy.BinaryRows:
    built = pgcopy.BinaryRows(3)
    built.add(pgcopy.INT4, np.array([1, -2, 2**31 - 1]))
    built.add(pgcopy.INT8, np.array([5, 0, -(2**40)]), np.array([False, True, False]))
    built.add(pgcopy.FLOAT8, np.array([40.7, np.nan, -73.9]), np.array([False, True, False]))
    built.add(pgcopy.BOOL, np.array([True, False, True]))
    built.add(pgcopy.TIMESTAMPTZ, instants(WHEN))
    built.add(pgcopy.VARCHAR, TEXT)
    built.add(pgcopy.JSONB, ['{"a": 1}', "{}", '{"é": 2}'])
    return built


def decode(payload: bytes) -> list[list[bytes | None]]:
    """The fields of a binary COPY stream, as raw bytes (None for NULL)."""
    assert payload.startswith(pgcopy.HEADER)
    assert payload.endswith(pgcopy.TRAILER)
    at, found = len(pgcopy.HEADER), []
    while at < len(payload) - 2:
        (count,) = struct.unpack_from(">h", payload, at)
        at += 2
        row: list[bytes | None] = []
        for _ in range(count):
            (size,) = struct.unpack_from(">i", payload, at)
            at += 4
            row.append(None if size < 0 else payload[at : at + size])
            at += max(size, 0)
        found.append(row)
    assert at == len(payload) - 2
    return found


def micros(value: datetime) -> bytes:
    delta = value - datetime(2000, 1, 1, tzinfo=UTC)
    return struct.pack(">q", delta // np.timedelta64(1, "us").item())


def test_each_type_is_encoded_as_postgresql_reads_it() -> None:
    found = decode(rows().payload())
    assert found[0] == [
        struct.pack(">i", 1), struct.pack(">q", 5), struct.pack(">d", 40.7), b"\x01",
        micros(WHEN[0]), b"plain", b'\x01{"a": 1}',
    ]  # fmt: skip
    assert found[1] == [struct.pack(">i", -2), None, None, b"\x00", None, None, b"\x01{}"]
    assert found[2][5] == "Crème brûlée, 12€".encode()
    assert found[2][6] == b'\x01{"\xc3\xa9": 2}'
    assert found[2][4] == micros(datetime(1999, 12, 31, 23, 59, tzinfo=UTC))


def test_unsupported_types_are_refused() -> None:
    with pytest.raises(ValueError, match="type oid 1700"):
        pgcopy.BinaryRows(1).add(1700, [1])


def test_postgresql_reads_the_payload_back(session: Session) -> None:
    conn = session.connection()
    if conn.dialect.name != "postgresql":
        pytest.skip("binary COPY is PostgreSQL's")
    raw = conn.connection.driver_connection
    with raw.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE copied (i int4, b int8, f float8, ok bool, at timestamptz,"
            " t varchar(40), j jsonb) ON COMMIT DROP"
        )
        with cursor.copy("COPY copied FROM STDIN (FORMAT BINARY)") as copy:
            copy.write(rows().payload())
        cursor.execute("SELECT * FROM copied")
        back = cursor.fetchall()
    assert [r[4] for r in back] == WHEN
    assert [r[5] for r in back] == TEXT
    assert back[0][:4] == (1, 5, 40.7, True)
    assert back[1][1:3] == (None, None)
    assert back[2][6] == {"é": 2}
    assert to_datetimes(instants(WHEN)) == WHEN


def test_fixed_width_only_and_repeated_text() -> None:
    fixed = pgcopy.BinaryRows(2)
    fixed.add(pgcopy.INT4, np.array([7, 8]))
    fixed.add(pgcopy.BOOL, np.array([False, True]))
    assert decode(fixed.payload()) == [
        [struct.pack(">i", 7), b"\x00"], [struct.pack(">i", 8), b"\x01"]]  # fmt: skip
    mixed = pgcopy.BinaryRows(8)
    mixed.add(pgcopy.INT4, np.arange(8))
    mixed.add(pgcopy.TEXT, ["new", "closed"] * 4)
    found = decode(mixed.payload())
    assert [row[1] for row in found] == [b"new", b"closed"] * 4
    assert [row[0] for row in found] == [struct.pack(">i", k) for k in range(8)]
