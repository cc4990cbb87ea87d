"""Three small cities to import into: a box per city, split into two districts each."""

from __future__ import annotations

import csv
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.orm import Session

from civicgrid.catalog.models import Department
from civicgrid.grid.models import Area
from civicgrid.sla.models import Calendar
from tests import factories

# (min_lon, min_lat, max_lon, max_lat); each city is cut in two at the longitude given.
CITIES = {
    "nyc": ((-74.30, 40.45, -73.65, 40.95), -73.90),
    "sf": ((-122.55, 37.68, -122.35, 37.84), -122.45),
    "la": ((-118.70, 33.70, -118.10, 34.35), -118.40),
}


@dataclass
class Grid:
    """The areas of the test cities, and the reference data an import relies on."""

    cities: dict[str, Area]
    west: dict[str, Area]
    east: dict[str, Area]
    hotline: Department
    calendar: Calendar


@pytest.fixture
def grid(session: Session) -> Grid:
    """Cities with west and east districts, a default department, a calendar and policy."""
    hotline = factories.department(session, code="HOTLINE", is_default=True)
    cities, west, east = {}, {}, {}
    for name, ((x0, y0, x1, y1), cut) in CITIES.items():
        city = factories.area(
            session, level_name="city", rank=0, bounds=(x0, y0, x1, y1), code=name
        )
        cities[name] = city
        west[name] = factories.area(
            session,
            level_name="district",
            rank=1,
            bounds=(x0, y0, cut, y1),
            parent=city,
            code=f"{name}-w",
        )
        east[name] = factories.area(
            session,
            level_name="district",
            rank=1,
            bounds=(cut, y0, x1, y1),
            parent=city,
            code=f"{name}-e",
        )
    calendar = factories.calendar(session)
    factories.sla_policy(
        session,
        category_id=None,
        calendar_id=calendar.id,
        unit="working_hours",
        first_response=8,
        resolution=40,
    )
    return Grid(cities, west, east, hotline, calendar)


def write_csv(path: Path, header: Sequence[str], rows: Sequence[Sequence[str]]) -> Path:
    """A CSV file as a city's export would be."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def read_rejects(path: Path) -> list[dict[str, str]]:
    """The rows of a reject file."""
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


NYC_HEADER = [
    "unique_key", "created_date", "closed_date", "agency", "agency_name", "complaint_type",
    "descriptor", "location_type", "incident_zip", "incident_address", "city", "status",
    "resolution_description", "resolution_action_updated_date", "community_board", "borough",
    "open_data_channel_type", "latitude", "longitude",
]  # fmt: skip


def nyc_row(key: str, **fields: str) -> list[str]:
    """A row of the full NYC export: a closed noise complaint in Brooklyn unless told otherwise."""
    row = {
        "unique_key": key,
        "created_date": "2024-04-15T22:51:00.000",
        "closed_date": "2024-04-16T01:10:00.000",
        "agency": "NYPD",
        "agency_name": "New York City Police Department",
        "complaint_type": "Noise - Residential",
        "descriptor": "Loud Music/Party",
        "location_type": "Residential Building/House",
        "incident_zip": "11233",
        "incident_address": "100 FULTON STREET",
        "city": "BROOKLYN",
        "status": "Closed",
        "resolution_description": "The Police Department responded and fixed the condition.",
        "resolution_action_updated_date": "2024-04-16T01:10:00.000",
        "community_board": "03 BROOKLYN",
        "borough": "BROOKLYN",
        "open_data_channel_type": "PHONE",
        "latitude": "40.6799",
        "longitude": "-73.9070",
    }
    row.update(fields)
    return [row[name] for name in NYC_HEADER]
