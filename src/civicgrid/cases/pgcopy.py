"""PostgreSQL binary COPY payloads, built a column at a time.

``COPY ... FROM STDIN (FORMAT BINARY)`` reads a header, then for every row a 16-bit field
count and for every field a 32-bit length (-1 for NULL) followed by the value in its type's
binary form, then a trailer (PostgreSQL manual, COPY, "Binary Format"). Formatting that field
by field in Python (psycopg's ``write_row``) costs tens of microseconds a row for a case.
Here fixed-width columns are encoded together as one numpy array, giving one ``bytes`` per
row for all of them; a text column is encoded once per distinct value; and the rows are
joined in one ``bytes.join``.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from itertools import chain, repeat
from typing import Any, cast

import numpy as np
import numpy.typing as npt

HEADER = b"PGCOPY\n\xff\r\n\x00" + bytes(8)
"""Signature, then 32-bit flags and header-extension length, both zero."""
TRAILER = b"\xff\xff"
PG_EPOCH_US = 946_684_800_000_000
"""2000-01-01 00:00 UTC, PostgreSQL's timestamp origin, in Unix microseconds."""

BOOL, INT8, INT4, TEXT, JSON, FLOAT8, VARCHAR, TIMESTAMPTZ, JSONB = (
    16, 20, 23, 25, 114, 701, 1043, 1184, 3802
)  # fmt: skip
"""Type oids this module encodes."""
_FIXED = {BOOL: ">u1", INT8: ">i8", INT4: ">i4", FLOAT8: ">f8", TIMESTAMPTZ: ">i8"}
_TEXTUAL = (TEXT, VARCHAR, JSON, JSONB)
_NULL = b"\xff\xff\xff\xff"
_LENGTH = struct.Struct(">i").pack
_FEW = 4
"""A text column with fewer distinct values than rows / _FEW is encoded per distinct value."""

U8 = npt.NDArray[np.uint8]


class BinaryRows:
    """The rows of one COPY, added column by column in the COPY's column order."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.columns = 0
        self._fields: list[list[bytes]] = []
        """Per column (or run of fixed-width columns): each row's bytes."""
        self._blocks: list[tuple[U8, npt.NDArray[np.bool_] | None]] = []
        """Fixed-width columns not yet joined into one entry of _fields: each field's bytes
        (length and value) and, where there are NULLs, which of those bytes to keep."""

    def add(self, oid: int, values: Any, null: npt.ArrayLike | None = None) -> None:
        """Add a column of type ``oid``; ``null`` marks NULLs (text: None, timestamps: NaT)."""
        if oid in _TEXTUAL:
            self._flush()
            self._fields.append(_text(values, jsonb=oid == JSONB))
        elif oid in _FIXED:
            self._fixed(oid, values, null)
        else:
            raise ValueError(f"binary COPY of type oid {oid} is not supported here")
        self.columns += 1

    def payload(self) -> bytes:
        """The whole COPY stream: header, rows, trailer."""
        count = struct.pack(">h", self.columns)
        if not self._fields and all(k is None for _, k in self._blocks):
            # Fixed-width columns without NULLs only: the rows are one array.
            counts = np.frombuffer(count * self.count, dtype=np.uint8).reshape(self.count, 2)
            blocks = [b for b, _ in self._blocks]
            return HEADER + np.hstack([counts, *blocks]).tobytes() + TRAILER
        self._flush()
        rows = chain.from_iterable(zip(repeat(count, self.count), *self._fields, strict=False))
        return HEADER + b"".join(rows) + TRAILER

    def _fixed(self, oid: int, values: Any, null: npt.ArrayLike | None) -> None:
        n, dtype = self.count, np.dtype(_FIXED[oid])
        array = np.asarray(values)
        missing = None if null is None else np.asarray(null, dtype=bool)
        if oid == TIMESTAMPTZ:
            nat = np.isnat(array)
            array = array.astype("datetime64[us]").view(np.int64) - PG_EPOCH_US
            missing = nat if missing is None else missing | nat
        width = dtype.itemsize
        block = np.empty((n, 4 + width), dtype=np.uint8)
        block[:, :4] = np.frombuffer(_LENGTH(width), dtype=np.uint8)
        block[:, 4:] = array.astype(dtype).view(np.uint8).reshape(n, width)
        keep = None
        if missing is not None and missing.any():
            block[missing, :4] = 0xFF
            keep = np.ones((n, 4 + width), dtype=bool)
            keep[missing, 4:] = False
        self._blocks.append((block, keep))

    def _flush(self) -> None:
        """Neighbouring fixed-width columns as one bytes per row (NULLs leave out the value)."""
        if not self._blocks:
            return
        blocks, self._blocks = self._blocks, []
        block = np.hstack([b for b, _ in blocks])
        if all(k is None for _, k in blocks):
            self._fields.append(_rows(block))
            return
        keep = np.hstack([np.ones(b.shape, dtype=bool) if k is None else k for b, k in blocks])
        data = block[keep].tobytes()
        ends = np.cumsum(keep.sum(axis=1)).tolist()
        self._fields.append([data[a:b] for a, b in zip([0, *ends[:-1]], ends, strict=True)])


def _rows(block: U8) -> list[bytes]:
    """Each row of a (rows, width) byte array as one bytes object."""
    width = block.shape[1]
    as_void = np.ascontiguousarray(block).view(np.dtype((np.void, width))).reshape(-1)
    return cast(list[bytes], as_void.tolist())


def _text(values: Sequence[str | None], *, jsonb: bool) -> list[bytes]:
    """Each value as a field: length, then UTF-8 (jsonb: version byte 1 first); None: NULL."""
    prefix = b"\x01" if jsonb else b""

    def field(value: str | None) -> bytes:
        if value is None:
            return _NULL
        data = prefix + value.encode("utf-8")
        return _LENGTH(len(data)) + data

    distinct = set(values)
    if len(distinct) * _FEW > len(values):
        return list(map(field, values))
    encoded = {value: field(value) for value in distinct}
    return list(map(encoded.__getitem__, values))
