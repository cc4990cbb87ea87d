"""Open data: every case as CSV, GeoJSON or Parquet, streamed in batches so a large export
never sits in memory (a server-side cursor on PostgreSQL, Parquet written a row group at a
time).

What leaves: no contact details (they live in their own table, which is never read here), no
resident key, free text with phone numbers and e-mail addresses scrubbed, and for categories
marked sensitive the place moved to the centre of its H3 cell and the address and description
withheld. Field by field: docs/open-data.md.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import h3
import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
from sqlalchemy import DateTime, Select, and_, select, type_coerce
from sqlalchemy.orm import Session, aliased

from civicgrid.accountability.scrub import scrub
from civicgrid.cases.models import Case, CaseArea
from civicgrid.catalog.models import Category, Department
from civicgrid.db import UtcDateTime
from civicgrid.errors import Invalid
from civicgrid.grid.models import Area, AreaLevel
from civicgrid.settings import Settings

FORMATS = ("csv", "geojson", "parquet")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "geojson": "application/geo+json",
    "parquet": "application/vnd.apache.parquet",
}
ISO_FORMAT = "%Y-%m-%dT%H:%M:%SZ"  # Arrow's %S carries the microseconds
COORDINATE_DIGITS = 6  # about 0.1 m: finer would only be noise (and bloat)

# (name, type) of every exported field, in order; area_<level> columns follow.
FIELDS: tuple[tuple[str, str], ...] = (
    ("tracking_id", "str"),
    ("category", "str"),
    ("category_name", "str"),
    ("department", "str"),
    ("status", "str"),
    ("channel", "str"),
    ("created_at", "time"),
    ("first_response_at", "time"),
    ("first_response_due", "time"),
    ("first_response_breached", "bool"),
    ("resolved_at", "time"),
    ("resolution_due", "time"),
    ("resolution_breached", "bool"),
    ("closed_at", "time"),
    ("rating", "int"),
    ("reopen_count", "int"),
    ("escalation_level", "int"),
    ("title", "str"),
    ("description", "str"),
    ("address", "str"),
    ("lat", "float"),
    ("lon", "float"),
    ("h3_cell", "str"),
    ("location_precision", "str"),
    ("outside_grid", "bool"),
)
ARROW_TYPES = {
    "str": pa.string(),
    "time": pa.timestamp("us", tz="UTC"),
    "bool": pa.bool_(),
    "int": pa.int32(),
    "float": pa.float64(),
}
_CASE_COLUMNS = (
    "id",
    "tracking_id",
    "status",
    "channel",
    "created_at",
    "first_response_at",
    "first_response_due",
    "first_response_breached",
    "resolved_at",
    "resolution_due",
    "resolution_breached",
    "closed_at",
    "rating",
    "reopen_count",
    "escalation_level",
    "title",
    "description",
    "address",
    "lat",
    "lon",
    "h3_cell",
    "outside_grid",
)


def _raw(column: Any) -> Any:
    """A time column as the driver returns it: Arrow reads aware and naive (UTC) values
    alike, so the per-value conversion of ``UtcDateTime`` would only cost time."""
    if isinstance(column.type, UtcDateTime):
        return type_coerce(column, DateTime(timezone=True)).label(column.key)
    return column


def check_format(name: str) -> str:
    """``name`` if it is an export format."""
    if name not in FORMATS:
        raise Invalid(
            "format must be one of %(formats)s", params={"formats": FORMATS}, field="format"
        )
    return name


@dataclass(frozen=True)
class ExportFilter:
    """Which cases to export; every filter optional (filing time from/to, ids, statuses)."""

    created_from: datetime | None = None
    created_to: datetime | None = None
    category_id: int | None = None
    department_id: int | None = None
    area_id: int | None = None
    status: tuple[str, ...] = ()
    channel: str | None = None

    def apply(self, query: Select[Any]) -> Select[Any]:
        """``query`` narrowed to the matching cases."""
        if self.created_from is not None:
            query = query.where(Case.created_at >= self.created_from)
        if self.created_to is not None:
            query = query.where(Case.created_at < self.created_to)
        for column, value in (
            (Case.category_id, self.category_id),
            (Case.department_id, self.department_id),
            (Case.channel, self.channel),
        ):
            if value is not None:
                query = query.where(column == value)
        if self.status:
            query = query.where(Case.status.in_(self.status))
        if self.area_id is not None:
            query = query.where(
                Case.id.in_(select(CaseArea.case_id).where(CaseArea.area_id == self.area_id))
            )
        return query


def _slug(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "level"


class CaseExport:
    """One export of the matching cases; ``stream(fmt)`` yields the file's bytes in chunks."""

    def __init__(self, session: Session, *, settings: Settings, filters: ExportFilter) -> None:
        self.session = session
        self.filters = filters
        self.batch = settings.open_data_batch_rows
        self.sensitive_resolution = settings.open_data_sensitive_h3_resolution
        levels = session.execute(
            select(AreaLevel.id, AreaLevel.name).order_by(AreaLevel.rank, AreaLevel.id)
        ).all()
        self.levels = [(level_id, f"area_{_slug(name)}") for level_id, name in levels]
        self.fields: list[tuple[str, str]] = [*FIELDS, *((col, "str") for _, col in self.levels)]
        self.rows = 0

    @property
    def names(self) -> list[str]:
        """The exported field names, in order."""
        return [name for name, _ in self.fields]

    def _query(self) -> Select[Any]:
        query = (
            select(
                *(_raw(getattr(Case, name)) for name in _CASE_COLUMNS),
                Category.code.label("category"),
                Category.name.label("category_name"),
                Category.sensitive.label("sensitive"),
                Department.code.label("department"),
            )
            .join(Category, Category.id == Case.category_id)
            .join(Department, Department.id == Case.department_id)
        )
        for level_id, column in self.levels:
            placed, area = aliased(CaseArea), aliased(Area)
            query = (
                query.outerjoin(
                    placed, and_(placed.case_id == Case.id, placed.level_id == level_id)
                )
                .outerjoin(area, area.id == placed.area_id)
                .add_columns(area.code.label(column))
            )
        # Filing order: what readers expect, and Parquet row groups skippable by created_at.
        return self.filters.apply(query).order_by(Case.created_at, Case.id)

    def batches(self) -> Iterator[pa.RecordBatch]:
        """The public columns, ``OPEN_DATA_BATCH_ROWS`` rows at a time, read through a cursor
        and typed in Arrow (which then writes every format's values quickly)."""
        schema = self.schema()
        # Core, not ORM, execution: the rows are plain tuples, read through a server cursor.
        # (Options on the statement: on the connection they would outlive this export.)
        query = self._query().execution_options(stream_results=True, yield_per=self.batch)
        result = self.session.connection().execute(query)
        keys = list(result.keys())
        for rows in result.partitions():
            raw = dict(zip(keys, zip(*rows, strict=True), strict=True))
            self.rows += len(rows)
            yield pa.RecordBatch.from_pydict(self._public(raw), schema=schema)

    def _as_text(self, batch: pa.RecordBatch) -> pa.RecordBatch:
        """The batch with its times as ISO 8601 UTC text (for CSV and GeoJSON)."""
        arrays = [
            pc.strftime(column, format=ISO_FORMAT) if kind == "time" else column
            for column, (_, kind) in zip(batch.columns, self.fields, strict=True)
        ]
        return pa.RecordBatch.from_arrays(arrays, names=self.names)

    def _public(self, raw: dict[str, tuple[Any, ...]]) -> dict[str, Any]:
        """A batch's columns as they may be published (column by column: it is faster)."""
        columns: dict[str, Any] = {name: raw[name] for name, _ in self.fields if name in raw}
        for name in ("title", "description", "address"):
            columns[name] = [scrub(text) for text in raw[name]]
        lat = np.array(raw["lat"], dtype=np.float64)  # None becomes NaN
        lon = np.array(raw["lon"], dtype=np.float64)
        placed = ~(np.isnan(lat) | np.isnan(lon))
        cells = list(raw["h3_cell"])
        precision = np.where(placed, "exact", "none").astype(object)
        for i in np.flatnonzero(np.array(raw["sensitive"], dtype=bool)).tolist():
            # Free text about a sensitive problem may name the very place coarsened.
            columns["address"][i] = columns["description"][i] = ""
            if placed[i]:
                cells[i], lat[i], lon[i] = self._coarse(lat[i], lon[i], cells[i])
                precision[i] = f"h3_cell:{h3.get_resolution(cells[i])}"
        columns["h3_cell"], columns["location_precision"] = cells, precision.tolist()
        # NaN becomes null in Arrow.
        columns["lat"] = pa.array(np.round(lat, COORDINATE_DIGITS), from_pandas=True)
        columns["lon"] = pa.array(np.round(lon, COORDINATE_DIGITS), from_pandas=True)
        return columns

    def _coarse(self, lat: float, lon: float, cell: str | None) -> tuple[str, float, float]:
        """The centre of the case's cell at the sensitive resolution (never a finer one)."""
        if cell is None:
            cell = h3.latlng_to_cell(lat, lon, self.sensitive_resolution)
        elif h3.get_resolution(cell) > self.sensitive_resolution:
            cell = h3.cell_to_parent(cell, self.sensitive_resolution)
        centre_lat, centre_lon = h3.cell_to_latlng(cell)
        return cell, centre_lat, centre_lon

    def stream(self, fmt: str) -> Iterator[bytes]:
        """The whole export in format ``fmt``, chunk by chunk."""
        writer = {"csv": self.csv, "geojson": self.geojson, "parquet": self.parquet}
        return writer[check_format(fmt)]()

    def csv(self) -> Iterator[bytes]:
        """CSV with a header row (RFC 4180 quoting); times ISO 8601 UTC, booleans true/false."""
        sink = _Sink()
        header = True
        for batch in self.batches():
            options = pacsv.WriteOptions(include_header=header, quoting_style="needed")
            pacsv.write_csv(self._as_text(batch), sink, options)
            header = False
            yield sink.drain()
        if header:
            yield (",".join(f'"{name}"' for name in self.names) + "\n").encode("utf-8")

    def geojson(self) -> Iterator[bytes]:
        """A FeatureCollection of Points (WGS84 lon, lat); a case with no place has none."""
        yield b'{"type":"FeatureCollection","features":['
        first = True
        for batch in self.batches():
            parts = []
            for properties in self._as_text(batch).to_pylist():
                lat, lon = properties.pop("lat"), properties.pop("lon")
                feature = {
                    "type": "Feature",
                    "id": properties["tracking_id"],
                    "geometry": None
                    if lat is None
                    else {"type": "Point", "coordinates": [lon, lat]},
                    "properties": properties,
                }
                parts.append(("" if first else ",") + json.dumps(feature, ensure_ascii=False))
                first = False
            yield "\n".join(parts).encode("utf-8")
        yield b"]}\n"

    def schema(self) -> pa.Schema:
        """The Parquet schema: typed columns, times as UTC microseconds."""
        return pa.schema([pa.field(name, ARROW_TYPES[kind]) for name, kind in self.fields])

    def parquet(self) -> Iterator[bytes]:
        """Parquet (zstd), one row group per batch, flushed as each is written."""
        sink = _Sink()
        schema = self.schema()
        with pq.ParquetWriter(sink, schema, compression="zstd") as writer:
            for batch in self.batches():
                writer.write_batch(batch)
                yield sink.drain()
        yield sink.drain()


class _Sink(io.RawIOBase):
    """A write-only file that hands over what was written so far (pyarrow writes to it)."""

    def __init__(self) -> None:
        super().__init__()
        self.chunks: list[bytes] = []
        self.size = 0

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        chunk = bytes(data)
        self.chunks.append(chunk)
        self.size += len(chunk)
        return len(chunk)

    def tell(self) -> int:
        return self.size

    def drain(self) -> bytes:
        """Everything written since the last drain."""
        out = b"".join(self.chunks)
        self.chunks.clear()
        return out


def export_names(levels: Sequence[str]) -> list[str]:
    """Field names of an export for grid levels named ``levels`` (for documentation)."""
    return [name for name, _ in FIELDS] + [f"area_{_slug(level)}" for level in levels]
