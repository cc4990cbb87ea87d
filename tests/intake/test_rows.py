"""Reading one row: dates, coordinates, statuses, and the reasons rows are rejected."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from civicgrid.intake.mapping import load_mapping
from civicgrid.intake.rows import DateParser, RowParser, RowRejected, resolve_columns
from tests.intake.conftest import NYC_HEADER, nyc_row


def test_dates_in_the_mappings_formats_and_iso_become_utc() -> None:
    parser = DateParser(["%m/%d/%Y %I:%M:%S %p", "%d.%m.%Y"], "America/Los_Angeles")
    assert parser.parse("04/30/2014 02:51:52 PM") == datetime(2014, 4, 30, 21, 51, 52, tzinfo=UTC)
    assert parser.parse("30.04.2014") == datetime(2014, 4, 30, 7, tzinfo=UTC)
    assert parser.formats[0] == "%d.%m.%Y"  # the last format that matched is tried first
    assert parser.parse("2014-04-30T14:51:52") == datetime(2014, 4, 30, 21, 51, 52, tzinfo=UTC)
    assert parser.parse("2014-04-30T14:51:52+00:00") == datetime(
        2014, 4, 30, 14, 51, 52, tzinfo=UTC
    )
    assert parser.parse("yesterday") is None
    assert parser.parse("yesterday") is None  # from the cache


def parse(**fields: str) -> object:
    return RowParser(load_mapping("nyc311"), NYC_HEADER).parse(nyc_row("1", **fields))


def test_a_full_row_in_our_types() -> None:
    row = parse()
    assert row.external_id == "1"
    assert row.created == datetime(2024, 4, 16, 2, 51, tzinfo=UTC)
    assert row.closed == datetime(2024, 4, 16, 5, 10, tzinfo=UTC)
    assert row.status == "closed"
    assert row.channel == "phone"
    assert (row.lat, row.lon) == (40.6799, -73.907)
    assert row.category_code == "noise-residential"
    assert row.department_code == "NYPD"
    assert row.title == "Noise - Residential"
    assert row.description == "Loud Music/Party (Residential Building/House)"
    assert row.address == "100 FULTON STREET, BROOKLYN 11233"
    assert row.attributes["community_board"] == "03 BROOKLYN"


@pytest.mark.parametrize(
    ("fields", "kind", "reason"),
    [
        ({"created_date": "2024-13-45"}, "bad date", "created_date '2024-13-45' is not a date"),
        ({"created_date": ""}, "bad date", "created_date is empty"),
        ({"closed_date": "soon", "status": "Open"}, "bad date", "closed_date 'soon'"),
        ({"latitude": "north"}, "bad coordinates", "latitude 'north' is not a number"),
        ({"latitude": "nan"}, "bad coordinates", "not a finite number"),
        ({"latitude": "140.7"}, "bad coordinates", "out of range"),
        ({"latitude": "40.7", "longitude": "-273.9"}, "bad coordinates", "out of range"),
        ({"longitude": ""}, "bad coordinates", "longitude is empty"),
        ({"status": "Lost"}, "unknown status", "'Lost' is not in the mapping's"),
        ({"complaint_type": " "}, "missing category", "no category: complaint_type is empty"),
        ({"unique_key": ""}, "missing id", "unique_key is empty"),
        ({"unique_key": "9" * 65}, "bad id", "longer than 64"),
        (
            {"closed_date": "", "resolution_action_updated_date": ""},
            "missing closed date",
            "closed_date is empty",
        ),
        ({"closed_date": "2024-04-01T00:00:00.000"}, "closed before created", "before created"),
    ],
)
def test_rejected_rows_say_why(fields: dict[str, str], kind: str, reason: str) -> None:
    with pytest.raises(RowRejected, match=reason) as caught:
        parse(**fields)
    assert caught.value.kind == kind


def test_swapped_coordinates_are_pointed_out() -> None:
    with pytest.raises(RowRejected, match="look swapped"):
        parse(latitude="-173.9", longitude="40.7")


def test_wrong_number_of_fields() -> None:
    parser = RowParser(load_mapping("nyc311"), NYC_HEADER)
    with pytest.raises(RowRejected, match="has 3 fields but the header has 19"):
        parser.parse(["1", "2", "3"])


def test_no_place_and_zero_zero_are_outside_the_grid_not_rejected() -> None:
    assert (parse(latitude="", longitude="").lat, parse(latitude="0", longitude="0").lon) == (
        None,
        None,
    )


def test_status_comes_from_the_closed_date_when_the_file_has_none() -> None:
    header = [h for h in NYC_HEADER if h != "status"]
    parser = RowParser(load_mapping("nyc311"), header)
    values = nyc_row("1")
    del values[NYC_HEADER.index("status")]
    assert parser.parse(values).status == "closed"
    values[header.index("closed_date")] = ""
    assert parser.parse(values).status == "new"


def test_a_closed_status_without_closed_date_uses_the_last_update() -> None:
    row = parse(closed_date="", resolution_action_updated_date="2024-04-16T02:00:00.000")
    assert row.closed == datetime(2024, 4, 16, 6, tzinfo=UTC)


def test_points_in_both_notations() -> None:
    mapping = load_mapping("sf311")
    header = ["CaseID", "Opened", "Category", "Request.Type", "Point"]
    parser = RowParser(mapping, header)
    opened = "04/30/2014 02:51:52 PM"
    row = parser.parse(["1", opened, "Sewer Issues", "Odor", "(37.774, -122.395)"])
    assert (row.lat, row.lon) == (37.774, -122.395)
    row = parser.parse(["1", opened, "Sewer Issues", "Odor", "POINT (-122.395 37.774)"])
    assert (row.lat, row.lon) == (37.774, -122.395)
    with pytest.raises(RowRejected, match="neither"):
        parser.parse(["1", opened, "Sewer Issues", "Odor", "somewhere"])


def test_columns_match_regardless_of_case() -> None:
    mapping = load_mapping("la311")
    index = resolve_columns(mapping, ["srnumber", "createddate", "requesttype", "SRNumber"])
    assert index["SRNumber"] == 3  # the exact spelling wins
    assert index["CreatedDate"] == 1
    assert "ClosedDate" not in index
