"""Reading rows by columns gives exactly what reading them one by one gives, rejects included."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from civicgrid.cases.columns import to_datetimes
from civicgrid.intake import columns
from civicgrid.intake.columns import ColumnParser, ParsedRows
from civicgrid.intake.mapping import load_mapping
from civicgrid.intake.rows import RowParser, RowRejected, SourceRow
from tests.conftest import shared_file
from tests.intake.conftest import NYC_HEADER, nyc_row

FIELDS = [
    "external_id", "created", "status", "channel", "category_code", "category_name",
    "category_group", "closed", "updated", "lat", "lon", "department_code", "department_name",
    "title", "description", "address", "resolution", "attributes", "values",
]  # fmt: skip


def one_by_one(parser: RowParser, batch: list[list[str]]) -> tuple[list, list]:
    rows, rejected = [], []
    for i, values in enumerate(batch):
        try:
            rows.append(parser.parse(values))
        except RowRejected as exc:
            rejected.append((i, exc.kind, exc.reason))
    return rows, rejected


def as_rows(parsed: ParsedRows) -> list[dict[str, object]]:
    dates = {name: to_datetimes(getattr(parsed, name)) for name in ("created", "closed", "updated")}
    found = []
    for i in range(len(parsed)):
        row: dict[str, object] = {}
        for name in FIELDS:
            if name in dates:
                row[name] = dates[name][i]
            elif name in ("lat", "lon"):
                value = float(getattr(parsed, name)[i])
                row[name] = None if np.isnan(value) else value
            elif name == "attributes":
                row[name] = json.loads(parsed.attributes[i])
            else:
                row[name] = getattr(parsed, name)[i]
        found.append(row)
    return found


def expected(rows: list[SourceRow]) -> list[dict[str, object]]:
    return [{name: getattr(r, name) for name in FIELDS} for r in rows]


def same_as_one_by_one(mapping: str, header: list[str], batch: list[list[str]]) -> ParsedRows:
    found = load_mapping(mapping)
    parsed, rejected = ColumnParser(RowParser(found, header)).parse(batch)
    rows, reasons = one_by_one(RowParser(found, header), batch)
    assert as_rows(parsed) == expected(rows)
    assert [(i, exc.kind, exc.reason) for i, exc in rejected] == reasons
    assert parsed.position.tolist() == [
        i for i in range(len(batch)) if i not in {r[0] for r in reasons}
    ]
    return parsed


def test_clean_and_doubtful_rows_alike() -> None:
    batch = [
        nyc_row("1"),
        nyc_row("2", created_date="2024-02-30T10:00:00.000"),
        nyc_row("3", latitude="95.5"),
        nyc_row("4", status="Lost in the mail"),
        nyc_row("5", complaint_type=" "),
        nyc_row("6")[:5],
        nyc_row("7", latitude="", longitude=""),
        nyc_row("8", latitude="0", longitude="0"),
        nyc_row("9", latitude="nan"),
        nyc_row("10", longitude=""),
        nyc_row("11", created_date="04/15/2024 10:51:00 PM", closed_date=""),
        nyc_row("12", created_date="2024-03-10 02:30", status="Open", closed_date=""),
        nyc_row("13", created_date="2024-11-03T01:30:00", status="Open", closed_date=""),
        nyc_row("14", closed_date="2024-04-14T01:00:00.000"),
        nyc_row("15", status="", closed_date="", resolution_action_updated_date=""),
        nyc_row(
            "16",
            status="Closed",
            closed_date="",
            resolution_action_updated_date="2024-04-17T09:00:00",
        ),
        nyc_row("17", status="Closed", closed_date="", resolution_action_updated_date=""),
        nyc_row("18", resolution_action_updated_date="2024-04-14T00:00:00"),
        nyc_row("", complaint_type="Street Condition"),
        nyc_row("x" * 65),
        nyc_row("19", agency=" DOT ", descriptor="", location_type="", city=" ", latitude="1e400"),
        nyc_row("20", created_date=" 2024-04-15T22:51:00.000 ", latitude=" 40.7 "),
        nyc_row("21", created_date="2024-04-15T22:51:00Z"),
        nyc_row("22", created_date="2024-04-15"),
        nyc_row("23", created_date="2024-04-15T22:51:00.123456", open_data_channel_type="FAX"),
        nyc_row("24", created_date="now"),
    ]
    parsed = same_as_one_by_one("nyc311", NYC_HEADER, batch)
    assert len(parsed) == 13


def test_clean_rows_are_read_by_columns_only(monkeypatch: pytest.MonkeyPatch) -> None:
    batch = [nyc_row(str(k), latitude=f"40.{k:04d}") for k in range(50)]
    parsed = same_as_one_by_one("nyc311", NYC_HEADER, batch)
    assert len(parsed) == 50
    parser = ColumnParser(RowParser(load_mapping("nyc311"), NYC_HEADER))

    def refuse(values: list[str]) -> SourceRow:
        raise AssertionError("a clean row was read one by one")

    monkeypatch.setattr(parser.rows, "parse", refuse)
    assert len(parser.parse(batch)[0]) == 50
    assert parser.parse([])[0].values == []


def test_points_in_one_column() -> None:
    header = ["CaseID", "Opened", "Category", "Request.Type", "Point", "Status", "Closed"]
    batch = [
        ["1", "04/30/2014 02:51:52 PM", "Sewer", "Odor", "(37.77, -122.39)", "Open", ""],
        ["2", "04/30/2014 02:51:52 PM", "Sewer", "Odor", "", "Open", ""],
        ["3", "04/30/2014 02:51:52 PM", "Sewer", "Odor", "somewhere", "Open", ""],
        ["4", "04/30/2014 02:51:52 PM", "Sewer", "Odor", "(0, 0)", "Open", ""],
    ]
    parsed = same_as_one_by_one("sf311", header, batch)
    assert len(parsed) == 3


@pytest.mark.parametrize(
    ("parts", "mapping"),
    [
        (("nyc311", "nyc311_2026-06_10000.csv"), "nyc311"),
        (("nyc311", "nyc311_fullcols_1000_2024-04.csv"), "nyc311"),
        (("sf311", "sf311_cases10000_2008_2016.csv"), "sf311"),
        (("la311", "la311_2017-12_subset9999.csv"), "la311"),
        (("la311", "la311_2018-01_mini10000.csv"), "la311"),
    ],
)
def test_real_exports(parts: tuple[str, str], mapping: str) -> None:
    path: Path = shared_file(*parts)
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.reader(handle)
        header = [name.strip() for name in next(reader)]
        batch = [row for _, row in zip(range(3000), reader, strict=False)]
    same_as_one_by_one(mapping, header, batch)


def test_a_row_the_column_checks_doubt_is_read_one_by_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(columns, "_EXTERNAL_ID_LENGTH", 1)  # "10" and "11" now look too long
    batch = [nyc_row("1"), nyc_row("10"), nyc_row("2", latitude="x"), nyc_row("11"), nyc_row("3")]
    parser = ColumnParser(RowParser(load_mapping("nyc311"), NYC_HEADER))
    parsed, rejected = parser.parse(batch)
    assert parsed.position.tolist() == [0, 1, 3, 4]
    assert parsed.external_id == ["1", "10", "11", "3"]
    assert [i for i, _ in rejected] == [2]
    assert as_rows(parsed) == expected(one_by_one(RowParser(load_mapping("nyc311"), NYC_HEADER),
                                                  [batch[i] for i in (0, 1, 3, 4)])[0])  # fmt: skip
