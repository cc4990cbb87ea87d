"""A batch of a file's rows read column by column: what RowParser does, a column at a time.

Each column is converted once (dates by numpy, templates and codes once per distinct value)
and checked with vectorised tests. A row any test doubts is handed to
:class:`~civicgrid.intake.rows.RowParser`, which either reads it after all or rejects it with
the reason it has always given, so both paths agree by construction (tests/intake/
test_columns.py compares them on every bundled mapping).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from civicgrid.cases.columns import instants, pick
from civicgrid.intake.dates import DateColumn
from civicgrid.intake.mapping import category_code
from civicgrid.intake.rows import (
    _EXTERNAL_ID_LENGTH,
    DONE,
    RowParser,
    RowRejected,
    SourceRow,
    _point,
)

Instants = npt.NDArray[np.datetime64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]
Rejected = tuple[int, RowRejected]
"""A rejected row's position in its batch, and why."""
_CACHE_LIMIT = 100_000
_MISSING = object()


@dataclass
class ParsedRows:
    """Checked rows as columns: the fields of :class:`SourceRow`, one list or array each."""

    position: npt.NDArray[np.int64]
    """Each row's position in its batch."""
    values: list[list[str]]
    external_id: list[str]
    created: Instants
    status: list[str]
    channel: list[str]
    category_code: list[str]
    category_name: list[str]
    category_group: list[str]
    closed: Instants
    updated: Instants
    lat: FloatArray
    lon: FloatArray
    department_code: list[str | None]
    department_name: list[str]
    title: list[str]
    description: list[str]
    address: list[str]
    resolution: list[str]
    attributes: list[str]
    """JSON text."""

    def __len__(self) -> int:
        return len(self.position)

    def take(self, keep: npt.NDArray[np.int64]) -> ParsedRows:
        """The rows at ``keep``, in that order."""
        values: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            values[f.name] = value[keep] if isinstance(value, np.ndarray) else pick(value, keep)
        return ParsedRows(**values)

    @classmethod
    def join(cls, parts: Sequence[ParsedRows]) -> ParsedRows:
        """Several batches' rows as one, ordered by their position in the batch."""
        joined: dict[str, Any] = {}
        for f in fields(cls):
            values = [getattr(p, f.name) for p in parts]
            if isinstance(values[0], np.ndarray):
                joined[f.name] = np.concatenate(values)
            else:
                joined[f.name] = [v for value in values for v in value]
        rows = cls(**joined)
        if (np.diff(rows.position) > 0).all():
            return rows
        return rows.take(np.argsort(rows.position, kind="stable"))

    @classmethod
    def of(cls, rows: Sequence[tuple[int, SourceRow]]) -> ParsedRows:
        """Rows read one by one, as columns."""

        def floats(name: str) -> FloatArray:
            found = [getattr(r, name) for _, r in rows]
            return np.array([np.nan if v is None else v for v in found], dtype=np.float64)

        plain = {
            f.name: [getattr(r, f.name) for _, r in rows]
            for f in fields(cls)
            if f.name not in ("position", "created", "closed", "updated", "lat", "lon",
                              "attributes")
        }  # fmt: skip
        return cls(
            position=np.array([i for i, _ in rows], dtype=np.int64),
            created=instants(r.created for _, r in rows),
            closed=instants(r.closed for _, r in rows),
            updated=instants(r.updated for _, r in rows),
            lat=floats("lat"),
            lon=floats("lon"),
            attributes=[json.dumps(r.attributes) for _, r in rows],
            **plain,
        )


class ColumnParser:
    """Checks and converts whole batches of one file's rows (see the module's docstring)."""

    def __init__(self, parser: RowParser) -> None:
        self.rows = parser
        self.mapping = parser.mapping
        self.dates = DateColumn(parser.dates)
        self.lookups: dict[str, dict[Any, Any]] = {}

    def parse(self, batch: list[list[str]]) -> tuple[ParsedRows, list[Rejected]]:
        """The rows that can be imported, as columns, and the rejected ones with reasons."""
        width = self.rows.width
        whole = [i for i, values in enumerate(batch) if len(values) == width]
        columns = list(zip(*(batch[i] for i in whole), strict=True)) if whole else []
        fast, doubt = self._columns(columns, len(whole))
        doubted = {whole[i] for i in np.flatnonzero(doubt).tolist()}
        doubted.update(set(range(len(batch))) - set(whole))
        slow: list[tuple[int, SourceRow]] = []
        rejected: list[Rejected] = []
        for i in sorted(doubted):
            try:
                slow.append((i, self.rows.parse(batch[i])))
            except RowRejected as exc:
                rejected.append((i, exc.with_traceback(None)))
        fast.position = np.array(whole, dtype=np.int64)
        fast.values = batch if len(whole) == len(batch) else [batch[i] for i in whole]
        if doubt.any():
            fast = fast.take(np.flatnonzero(~doubt))
        if not slow:
            return fast, rejected
        return ParsedRows.join([fast, ParsedRows.of(slow)]), rejected

    def _columns(self, columns: list[tuple[str, ...]], n: int) -> tuple[ParsedRows, BoolArray]:
        """Every field of the rows, and which rows a check doubts."""
        m = self.mapping
        self.rendered: dict[tuple[str, tuple[int | None, ...]], list[str]] = {}
        column = self._column_reader(columns, n)
        doubt = np.zeros(n, dtype=bool)
        external_id = column(m.external_id)
        doubt |= _flags(not v or len(v) > _EXTERNAL_ID_LENGTH for v in external_id)
        code_text = self._render("category_code", columns, n)
        doubt |= _flags(not v for v in code_text)
        created, bad = self.dates.parse(column(m.created))
        doubt |= bad | np.isnat(created)
        status, bad_status = self._status(column(m.status_column), column(m.closed))
        doubt |= bad_status
        closed, updated, bad = self._closing(status, created, column(m.closed), column(m.updated))
        doubt |= bad
        lat, lon, bad = self._coordinates(column(m.latitude), column(m.longitude), column(m.point))
        doubt |= bad
        parsed = ParsedRows(
            position=np.zeros(0, dtype=np.int64),
            values=[],
            external_id=external_id,
            created=created,
            status=status,
            channel=self._lookup("channel", column(m.channel_column),
                                 lambda v: m.channel_values.get(v, m.channel_default)),
            category_code=self._lookup("category", code_text, self._category_code),
            category_name=[
                name[:200] or code[:200]
                for name, code in zip(self._render("category_name", columns, n), code_text,
                                      strict=True)
            ],
            category_group=[v[:200] for v in self._render("category_group", columns, n)],
            closed=closed,
            updated=np.where(updated < created, created, updated),
            lat=lat,
            lon=lon,
            department_code=self._lookup("department", column(m.department_column),
                                         self._department_code),
            department_name=column(m.department_name_column),
            title=[v[:200] for v in self._render("title", columns, n)],
            description=self._render("description", columns, n),
            address=[v[:300] for v in self._render("address", columns, n)],
            resolution=column(m.resolution),
            attributes=self._attributes(columns, n),
        )  # fmt: skip
        return parsed, doubt

    def _closing(
        self, status: list[str], created: Instants, closed_text: list[str], updated_text: list[str]
    ) -> tuple[Instants, Instants, BoolArray]:
        """Closing times (of closed cases only) and last updates; doubt where they do not fit."""
        closed, bad_closed = self.dates.parse(closed_text)
        updated, bad_updated = self.dates.parse(updated_text)
        done = np.array([s in DONE for s in status], dtype=bool)
        closed = np.where(done, np.where(np.isnat(closed), updated, closed), np.datetime64("NaT"))
        bad = bad_closed | bad_updated | (done & (np.isnat(closed) | (closed < created)))
        return closed, updated, bad

    def _column_reader(self, columns: list[tuple[str, ...]], n: int) -> Any:
        index = self.rows.index

        def column(name: str | None) -> list[str]:
            position = index.get(name) if name else None
            if position is None or not n:
                return [""] * n
            return list(map(str.strip, columns[position]))

        return column

    def _render(self, template: str, columns: list[tuple[str, ...]], n: int) -> list[str]:
        """A template filled for every row, each distinct combination of values once."""
        bound = self.rows.templates[template]
        if not n:
            return []
        fill = bound.template.fill
        parts = [columns[p] if p is not None else ("",) * n for p in bound.positions]
        if not parts:
            return [fill(())] * n
        # Templates often repeat (title = category = "{type}"): fill each once per batch.
        key = (bound.template.text, tuple(bound.positions))
        if key not in self.rendered:
            table = self.lookups.setdefault(f"template {key}", {})
            if len(parts) == 1:
                self.rendered[key] = mapped(table, parts[0], lambda v: fill((v,)))
            else:
                self.rendered[key] = mapped(table, zip(*parts, strict=True), fill)
        return self.rendered[key]

    def _lookup(self, name: str, values: list[str], make: Any) -> list[Any]:
        """``make(value)`` for every value, worked out once per distinct value."""
        return mapped(self.lookups.setdefault(name, {}), values, make)

    def _category_code(self, text: str) -> str:
        codes = self.rows.category_codes
        if text not in codes:
            codes[text] = category_code(text)
        return codes[text]

    def _department_code(self, value: str) -> str | None:
        if value not in self.rows.department_codes:
            self.rows.department_codes[value] = self.mapping.department_code(value)
        return self.rows.department_codes[value]

    def _status(self, texts: list[str], closed: list[str]) -> tuple[list[str], BoolArray]:
        values = self.mapping.status_values
        status = [
            values.get(text, "") if text else ("closed" if shut else "new")
            for text, shut in zip(texts, closed, strict=True)
        ]
        return status, np.array([not s for s in status], dtype=bool)

    def _coordinates(
        self, lats: list[str], lons: list[str], points: list[str]
    ) -> tuple[FloatArray, FloatArray, BoolArray]:
        """Coordinates in range, NaN where a row has none (or 0, 0); doubt on anything else."""
        found = _coordinates_by_column(lats, lons, points)
        lat, lon, given, bad = found or _coordinates_one_by_one(lats, lons, points)
        with np.errstate(invalid="ignore"):
            bad |= given & ~(np.isfinite(lat) & np.isfinite(lon))
            bad |= given & ((np.abs(lat) > 90) | (np.abs(lon) > 180))
            nowhere = ~given | ((lat == 0) & (lon == 0))
        lat[nowhere] = lon[nowhere] = np.nan
        return lat, lon, bad

    def _attributes(self, columns: list[tuple[str, ...]], n: int) -> list[str]:
        """The attribute columns of each row as JSON, once per distinct combination."""
        attributes = self.rows.attributes
        if not attributes or not n:
            return ["{}"] * n
        names = [name for name, _ in attributes]

        def as_json(key: tuple[str, ...]) -> str:
            return json.dumps({a: v.strip() for a, v in zip(names, key, strict=True) if v.strip()})

        keys = zip(*(columns[i] for _, i in attributes), strict=True)
        return mapped(self.lookups.setdefault("attributes", {}), keys, as_json)


def mapped(table: dict[Any, Any], keys: Iterable[Any], make: Callable[[Any], Any]) -> list[Any]:
    """``make(key)`` for every key, each distinct key worked out once (``table`` keeps them)."""
    if len(table) >= _CACHE_LIMIT:
        table.clear()
    get = table.get
    out: list[Any] = []
    append = out.append
    for key in keys:
        found = get(key, _MISSING)
        if found is _MISSING:
            found = table[key] = make(key)
        append(found)
    return out


def _coordinates_by_column(
    lats: list[str], lons: list[str], points: list[str]
) -> tuple[FloatArray, FloatArray, BoolArray, BoolArray] | None:
    """The usual file, numbers in both columns or neither and no point column; else None."""
    n = len(lats)
    given = np.fromiter(map(bool, lats), dtype=bool, count=n)
    if any(points) or (given != np.fromiter(map(bool, lons), dtype=bool, count=n)).any():
        return None
    try:
        lat = np.array([a or "nan" for a in lats], dtype=np.float64)
        lon = np.array([b or "nan" for b in lons], dtype=np.float64)
    except ValueError:  # a value that is no number: the rows say which
        return None
    return lat, lon, given, np.zeros(n, dtype=bool)


def _coordinates_one_by_one(
    lats: list[str], lons: list[str], points: list[str]
) -> tuple[FloatArray, FloatArray, BoolArray, BoolArray]:
    """Coordinates read row by row: numbers, or a point; bad where they cannot be read."""
    n = len(lats)
    lat, lon = np.full(n, np.nan), np.full(n, np.nan)
    given, bad = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
    for i, (a, b, point) in enumerate(zip(lats, lons, points, strict=True)):
        if not (a or b or point):
            continue
        given[i] = True
        try:
            lat[i], lon[i] = (float(a), float(b)) if a or b else _point(point, "point")
        except (RowRejected, ValueError, TypeError):
            bad[i] = True
    return lat, lon, given, bad


def _flags(values: Iterable[bool]) -> BoolArray:
    return np.fromiter(values, dtype=bool)
