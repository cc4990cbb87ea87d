"""Accuracy on real data: placed community district vs the board NYC 311 recorded for the case.

Skipped cleanly when ../shared is absent. The figure and the causes of the disagreements are
written up in docs/grid.md.
"""

from __future__ import annotations

import csv
import math
import re
from pathlib import Path

import numpy as np
import shapely
from sqlalchemy.orm import Session

from civicgrid.grid import loader, service
from civicgrid.grid.placement import NO_AREA, grid_index
from tests.conftest import shared_file

BOROUGH_CODES = {"MANHATTAN": 1, "BRONX": 2, "BROOKLYN": 3, "QUEENS": 4, "STATEN ISLAND": 5}
BOARD = re.compile(r"^(\d{1,2}) (MANHATTAN|BRONX|BROOKLYN|QUEENS|STATEN ISLAND)$")
METRES_PER_DEGREE = 111_320.0
NEAR_BORDER_M = 150.0


def board_to_boro_cd(board: str) -> int | None:
    """ "12 MANHATTAN" -> 112; None for "0 Unspecified", "Unspecified QUEENS" and the like."""
    match = BOARD.match(board.strip().upper())
    if match is None or int(match.group(1)) == 0:
        return None
    return BOROUGH_CODES[match.group(2)] * 100 + int(match.group(1))


def test_board_to_boro_cd() -> None:
    assert board_to_boro_cd("12 MANHATTAN") == 112
    assert board_to_boro_cd("01 STATEN ISLAND") == 501
    assert board_to_boro_cd("0 Unspecified") is None
    assert board_to_boro_cd("Unspecified QUEENS") is None


def _metres(geom: shapely.Geometry, lon: float, lat: float) -> float:
    # Degrees to metres at this latitude: accurate to a few percent across the city.
    scale = np.array([METRES_PER_DEGREE * math.cos(math.radians(lat)), METRES_PER_DEGREE])
    local = shapely.transform(geom, lambda xy: (xy - [lon, lat]) * scale)
    return float(shapely.distance(local, shapely.Point(0, 0)))


def _cause(
    placed: str | None, expected: str, shapes: dict[str, shapely.Geometry], lon: float, lat: float
) -> str:
    """The likely reason a case landed in another district than its recorded board."""
    if placed is None:
        return "outside every district (water or beyond the city line)"
    if int(placed) % 100 > 50:
        return f"inside joint-interest area {placed} (park, airport), which has no board of its own"
    if expected not in shapes:
        return f"board {expected} has no polygon in the boundary file"
    away = _metres(shapes[expected], lon, lat)
    if away <= NEAR_BORDER_M:
        return f"{away:.1f} m from district {expected}: a point on or near the border"
    return f"{away:.0f} m from district {expected}: the recorded board or the geocode is wrong"


def _load_nyc(session: Session) -> None:
    loader.load_geojson(
        session,
        path=shared_file("nyc_boundaries", "boroughs.geojson"),
        level="borough",
        name_property="BoroName",
        code_property="BoroCode",
    )
    loader.load_geojson(
        session,
        path=shared_file("nyc_boundaries", "community_districts.geojson"),
        level="community_district",
        name_property="BoroCD",
        name_template="Community district {BoroCD}",
        code_property="BoroCD",
        parent_level="borough",
    )


def _cases(path: Path) -> list[tuple[float, float, str, str]]:
    """(lat, lon, BoroCD, unique_key) of every row with coordinates and a valid board."""
    rows = []
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            cd = board_to_boro_cd(row["community_board"])
            if cd is not None and row["latitude"] and row["longitude"]:
                rows.append(
                    (float(row["latitude"]), float(row["longitude"]), str(cd), row["unique_key"])
                )
    return rows


def test_placed_district_agrees_with_the_recorded_board(session: Session) -> None:
    cases = _cases(shared_file("nyc311", "nyc311_fullcols_1000_2024-04.csv"))
    _load_nyc(session)
    districts = service.list_areas(session, level="community_district")
    codes = {a.id: a.code for a in districts}
    shapes = {a.code: shapely.from_geojson(a.geometry) for a in districts}
    lats = np.array([c[0] for c in cases])
    lons = np.array([c[1] for c in cases])
    placed = grid_index(session, 9).place_arrays(lats, lons)
    column = list(placed.level_ids).index(districts[0].level_id)
    found = [codes.get(int(i)) if i != NO_AREA else None for i in placed.area_ids[:, column]]

    wrong = [(c, f) for c, f in zip(cases, found, strict=True) if f != c[2]]
    agreement = 1 - len(wrong) / len(cases)
    print(
        f"\nNYC 311 April 2024, {len(cases)} cases with coordinates and a board: "
        f"placed district == recorded board for {agreement:.2%}"
    )
    for (lat, lon, expected, key), got in wrong:
        print(
            f"  case {key} at {lat:.5f},{lon:.5f}: board {expected}, placed {got}; "
            f"{_cause(got, expected, shapes, lon, lat)}"
        )
    assert len(cases) > 900
    assert agreement >= 0.98
