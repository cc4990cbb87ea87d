"""Open data: CSV, GeoJSON and Parquet exports carry no contact detail, phone number or
e-mail address in any format, coarsen sensitive places, validate as GeoJSON, and stream."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import geojson_validator
import h3
import jsonschema
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.accountability.export import FORMATS, CaseExport, ExportFilter, export_names
from civicgrid.cases.models import Case, ReporterContact
from civicgrid.errors import Invalid
from civicgrid.settings import Settings
from tests.accountability.conftest import NORTH, Town, at, file, move
from tests.accountability.histories import JUNE
from tests.conftest import SHARED_DATA

SPECS = SHARED_DATA.parent / "specs" / "geojson"
HIDDEN_POINT = (40.7256789, -74.0055555)
CONTACT = {"name": "Ada Lovelace", "email": "ada.l@example.org", "phone": "+1 212 555 0199"}
# Everything that must never leave: contacts, and what residents wrote that names them.
NEVER = [
    "Ada Lovelace",
    "ada.l@example.org",
    "555 0199",
    "917-555-0142",
    "bob.smith@mail.example.com",
    "13812345678",
    "wang@qq.com",
    "12 Secret Lane",
    "40.725679",
    "-74.005556",
]


@pytest.fixture
def cases(session: Session, settings: Settings, town: Town) -> dict[str, Case]:
    found = {
        "plain": file(
            session,
            settings,
            title="Hole, call 917-555-0142",
            description="Call me on 917-555-0142 or write to bob.smith@mail.example.com.",
            contact=CONTACT,
        ),
        "sensitive": file(
            session,
            settings,
            category="shelter",
            point=HIDDEN_POINT,
            address="12 Secret Lane",
            description="Family at 12 Secret Lane, call +1 212 555 0199",
            contact=CONTACT,
        ),
        "nowhere": file(
            session,
            settings,
            category="graffiti",
            point=None,
            address="Corner of Pearl St",
            description="Tag",
            contact={"phone": "+1 212 555 0199"},
            channel="phone",
        ),
        "chinese": file(
            session,
            settings,
            description="路灯坏了\uff0c请拨打13812345678或发邮件wang@qq.com联系",
            point=NORTH,
            now=at(2),
        ),
    }
    move(session, settings, found["plain"], "resolved", at(3))
    session.flush()
    return found


def run(session: Session, settings: Settings, fmt: str, **filters: Any) -> tuple[bytes, int]:
    export = CaseExport(session, settings=settings, filters=ExportFilter(**filters))
    data = b"".join(export.stream(fmt))
    return data, export.rows


def csv_rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8"))))


def decoded(fmt: str, data: bytes) -> str:
    """Every value of the export as text (Parquet is compressed: read it back)."""
    if fmt == "parquet":
        return json.dumps(pq.read_table(io.BytesIO(data)).to_pylist(), default=str)
    return data.decode("utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_contact_detail_phone_or_email_in_any_format(
    session: Session, settings: Settings, cases: dict[str, Case], fmt: str
) -> None:
    data, rows = run(session, settings, fmt)
    assert rows == 4
    text = decoded(fmt, data)
    for secret in NEVER:
        assert secret not in text, f"{secret!r} leaked into the {fmt} export"
    stored = session.scalars(select(ReporterContact)).all()
    assert len(stored) == 3  # the contacts exist; the export just never reads them
    for case in cases.values():
        assert case.resident_key_hash
        assert case.resident_key_hash not in text
    assert "[phone]" in text
    assert "[email]" in text


def test_csv_fields_and_scrubbed_text(
    session: Session, settings: Settings, cases: dict[str, Case]
) -> None:
    data, _ = run(session, settings, "csv")
    rows = {r["tracking_id"]: r for r in csv_rows(data)}
    assert list(rows[cases["plain"].tracking_id]) == export_names(["city", "district"])
    plain = rows[cases["plain"].tracking_id]
    assert plain["description"] == "Call me on [phone] or write to [email]."
    assert plain["title"] == "Hole, call [phone]"
    assert plain["status"] == "resolved"
    assert plain["created_at"] == "2026-06-01T14:00:00.000000Z"
    assert plain["resolved_at"] == "2026-06-03T14:00:00.000000Z"
    assert plain["first_response_breached"] == "false"
    assert plain["rating"] == ""
    assert (plain["area_city"], plain["area_district"]) == ("TOWN", "N")
    assert (plain["lat"], plain["lon"]) == ("40.731235", "-73.991235")
    assert plain["location_precision"] == "exact"
    chinese = rows[cases["chinese"].tracking_id]
    assert chinese["description"] == "路灯坏了\uff0c请拨打[phone]或发邮件[email]联系"
    nowhere = rows[cases["nowhere"].tracking_id]
    assert (nowhere["lat"], nowhere["lon"], nowhere["location_precision"]) == ("", "", "none")
    assert nowhere["address"] == "Corner of Pearl St"


def test_sensitive_places_are_coarsened_to_their_cell_centre(
    session: Session, settings: Settings, cases: dict[str, Case]
) -> None:
    data, _ = run(session, settings, "csv")
    row = {r["tracking_id"]: r for r in csv_rows(data)}[cases["sensitive"].tracking_id]
    resolution = settings.open_data_sensitive_h3_resolution
    cell = h3.latlng_to_cell(*HIDDEN_POINT, resolution)
    centre = h3.cell_to_latlng(cell)
    assert row["h3_cell"] == cell
    assert (float(row["lat"]), float(row["lon"])) == pytest.approx(centre, abs=1e-6)
    assert row["location_precision"] == f"h3_cell:{resolution}"
    assert (row["address"], row["description"]) == ("", "")
    assert row["category"] == "shelter"
    # A finer setting than the case's own cell keeps the case's cell, never a finer one.
    finer = settings.model_copy(update={"open_data_sensitive_h3_resolution": 12})
    data, _ = run(session, finer, "csv")
    row = {r["tracking_id"]: r for r in csv_rows(data)}[cases["sensitive"].tracking_id]
    assert row["h3_cell"] == cases["sensitive"].h3_cell
    coarse = settings.model_copy(update={"open_data_sensitive_h3_resolution": 10})
    cases["sensitive"].h3_cell = None  # e.g. imported without a cell
    data, _ = run(session, coarse, "csv")
    row = {r["tracking_id"]: r for r in csv_rows(data)}[cases["sensitive"].tracking_id]
    assert row["h3_cell"] == h3.latlng_to_cell(*HIDDEN_POINT, 10)


def test_geojson_passes_the_validator_and_the_official_schema(
    session: Session, settings: Settings, cases: dict[str, Case]
) -> None:
    data, _ = run(session, settings, "geojson")
    collection = json.loads(data)
    assert geojson_validator.validate_structure(collection) == {}
    checked = geojson_validator.validate_geometries(collection)
    assert checked["invalid"] == {}
    assert checked["problematic"] == {}
    features = {f["id"]: f for f in collection["features"]}
    assert features[cases["nowhere"].tracking_id]["geometry"] is None
    point = features[cases["plain"].tracking_id]["geometry"]
    assert point == {"type": "Point", "coordinates": [-73.991235, 40.731235]}
    props = features[cases["plain"].tracking_id]["properties"]
    assert "lat" not in props
    assert props["first_response_breached"] is False
    schema_file = SPECS / "FeatureCollection.json"
    if not schema_file.exists():
        pytest.skip(f"{schema_file} is absent (../shared is not beside the checkout)")
    jsonschema.validate(collection, json.loads(schema_file.read_text()))


def test_an_empty_export_is_still_valid(session: Session, settings: Settings, town: Town) -> None:
    data, rows = run(session, settings, "geojson")
    assert rows == 0
    assert json.loads(data) == {"type": "FeatureCollection", "features": []}
    data, _ = run(session, settings, "csv")
    assert list(csv.reader(io.StringIO(data.decode()))) == [export_names(["city", "district"])]
    data, _ = run(session, settings, "parquet")
    assert pq.read_table(io.BytesIO(data)).num_rows == 0


def test_parquet_is_typed_and_written_a_row_group_per_batch(
    session: Session, settings: Settings, cases: dict[str, Case]
) -> None:
    small = settings.model_copy(update={"open_data_batch_rows": 2})
    export = CaseExport(session, settings=small, filters=ExportFilter())
    chunks = list(export.stream("parquet"))
    assert len(chunks) == 3  # header and first row group, second row group, footer
    parquet = pq.ParquetFile(io.BytesIO(b"".join(chunks)))
    assert parquet.metadata.num_row_groups == 2
    table = parquet.read()
    assert table.schema.field("created_at").type == pa.timestamp("us", tz="UTC")
    assert table.schema.field("rating").type == pa.int32()
    assert table.num_rows == 4
    assert sorted(table.column("tracking_id").to_pylist()) == sorted(
        c.tracking_id for c in cases.values()
    )


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_text_formats_stream_a_chunk_per_batch(
    session: Session, settings: Settings, cases: dict[str, Case], fmt: str
) -> None:
    small = settings.model_copy(update={"open_data_batch_rows": 1})
    chunks: Iterator[bytes] = CaseExport(session, settings=small, filters=ExportFilter()).stream(
        fmt
    )
    assert len(list(chunks)) >= 4  # one per case at least


def test_filters_narrow_the_export(
    session: Session, settings: Settings, town: Town, cases: dict[str, Case]
) -> None:
    def ids(**filters: Any) -> set[str]:
        data, _ = run(session, settings, "csv", **filters)
        return {r["tracking_id"] for r in csv_rows(data)}

    assert ids(category_id=town.shelter.id) == {cases["sensitive"].tracking_id}
    assert ids(department_id=town.parks.id) == {cases["nowhere"].tracking_id}
    assert ids(status=("resolved",)) == {cases["plain"].tracking_id}
    assert ids(channel="phone") == {cases["nowhere"].tracking_id}
    assert ids(area_id=town.south.id) == set()
    assert len(ids(area_id=town.north.id)) == 3
    assert ids(created_from=at(2), created_to=JUNE.end) == {cases["chinese"].tracking_id}


def test_an_unknown_format_is_refused(session: Session, settings: Settings, town: Town) -> None:
    with pytest.raises(Invalid, match="csv, geojson, parquet"):
        CaseExport(session, settings=settings, filters=ExportFilter()).stream("xlsx")


def test_field_names_follow_the_grid_levels() -> None:
    names = export_names(["Community District", "borough"])
    assert names[-2:] == ["area_community_district", "area_borough"]
    assert export_names(["???"])[-1] == "area_level"
