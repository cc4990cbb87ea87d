"""Placement of points in the grid: every level, outside points, and optimised == brute force."""

from __future__ import annotations

import json
from typing import Any

import h3
import numpy as np
import pytest
import shapely
from shapely.geometry import Point, box, mapping
from sqlalchemy.orm import Session

from civicgrid.grid import placement
from civicgrid.grid.placement import NO_AREA, GridIndex, grid_index
from tests import factories
from tests.conftest import shared_file

Row = tuple[int, int, int, str]
REGION = (-74.0, 40.7, -73.9, 40.8)


def brute_force(rows: list[Row], levels: np.ndarray, lats: np.ndarray, lons: np.ndarray) -> Any:
    """Every point against every polygon, unprepared: the answer the index must give."""
    expected = np.full((len(lats), len(levels)), NO_AREA, dtype=np.int64)
    column = {int(level): col for col, level in enumerate(levels)}
    for area_id, level_id, _, text in sorted(rows, reverse=True):  # lowest id written last
        hit = shapely.intersects_xy(shapely.from_geojson(text), lons, lats)
        expected[hit, column[level_id]] = area_id
    return expected


def voronoi(seeds: int, region: tuple[float, float, float, float], rng: Any) -> list[Any]:
    """A tessellation of ``region`` into ``seeds`` polygons sharing their borders."""
    frame = box(*region)
    xs = rng.uniform(region[0], region[2], seeds)
    ys = rng.uniform(region[1], region[3], seeds)
    cells = shapely.get_parts(shapely.voronoi_polygons(shapely.multipoints(np.c_[xs, ys])))
    return [shapely.intersection(cell, frame) for cell in cells]


@pytest.fixture(scope="module")
def synthetic_rows() -> list[Row]:
    """Three levels: 4 boroughs, 40 districts (one with a hole), overlapping zones."""
    rng = np.random.default_rng(7)
    boroughs = voronoi(4, REGION, rng)
    districts = voronoi(40, REGION, rng)
    districts[0] = districts[0].difference(districts[0].centroid.buffer(0.004))
    zones = [
        Point(-73.95, 40.75).buffer(0.01),
        Point(-73.94, 40.75).buffer(0.01),  # overlaps the first: lowest id must win
        shapely.MultiPolygon(
            [box(-73.99, 40.71, -73.98, 40.72), box(-73.97, 40.71, -73.96, 40.72)]
        ),
    ]
    # Ids interleave the levels so that "lowest id" and "deepest level" are not the same order.
    shapes = [(2, 2, z) for z in zones] + [(1, 1, d) for d in districts]
    shapes += [(0, 0, b) for b in boroughs]
    order = rng.permutation(len(shapes))
    return [
        (int(rank_id) + 1, shapes[i][0] + 10, shapes[i][1], json.dumps(mapping(shapes[i][2])))
        for rank_id, i in enumerate(order)
    ]


def probe_points(rows: list[Row], count: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Random points, every vertex and edge midpoint (points on borders), and bad points."""
    rng = np.random.default_rng(seed)
    geoms = [shapely.from_geojson(r[3]) for r in rows]
    min_lon, min_lat, max_lon, max_lat = shapely.total_bounds(geoms)
    pad = 0.01
    lons = [rng.uniform(min_lon - pad, max_lon + pad, count)]
    lats = [rng.uniform(min_lat - pad, max_lat + pad, count)]
    for geom in geoms:
        for ring in shapely.get_rings(geom):
            xy = shapely.get_coordinates(ring)
            mid = (xy[:-1] + xy[1:]) / 2
            lons += [xy[:, 0], mid[:, 0]]
            lats += [xy[:, 1], mid[:, 1]]
    lons.append(np.array([np.nan, -73.95, np.nan, 0.0, 181.0, np.inf]))
    lats.append(np.array([40.75, np.nan, np.nan, 95.0, 40.0, 40.0]))
    return np.concatenate(lats), np.concatenate(lons)


@pytest.mark.parametrize(
    ("h3_resolution", "group_resolution"), [(9, 9), (7, 9), (11, 9), (9, 8), (9, 10)]
)
def test_optimised_placement_equals_brute_force(
    synthetic_rows: list[Row], h3_resolution: int, group_resolution: int
) -> None:
    index = GridIndex(synthetic_rows, h3_resolution, group_resolution=group_resolution)
    lats, lons = probe_points(synthetic_rows, 20_000, seed=h3_resolution + group_resolution)
    placed = index.place_arrays(lats, lons)
    expected = brute_force(synthetic_rows, index.levels, lats, lons)
    assert list(index.levels) == [12, 11, 10]  # deepest first
    np.testing.assert_array_equal(placed.area_ids, expected)
    deepest = np.where(expected[:, 0] != NO_AREA, expected[:, 0], expected[:, 1])
    deepest = np.where(deepest != NO_AREA, deepest, expected[:, 2])
    np.testing.assert_array_equal(placed.deepest_area_ids, deepest)
    np.testing.assert_array_equal(placed.outside_grid, deepest == NO_AREA)
    good = np.isfinite(lats) & np.isfinite(lons) & (np.abs(lats) <= 90) & (np.abs(lons) <= 180)
    assert placed.h3_cells[~good].tolist() == [None] * int((~good).sum())
    assert (placed.h3_indexes[~good] == 0).all()
    sample = np.flatnonzero(good)[::97]
    assert placed.h3_cells[sample].tolist() == [
        h3.latlng_to_cell(lats[i], lons[i], h3_resolution) for i in sample
    ]
    # A second call is answered from the cached cell decisions, with the same result.
    np.testing.assert_array_equal(index.place_arrays(lats, lons).area_ids, expected)


def test_border_cells_met_before_and_new_ones_together(synthetic_rows: list[Row]) -> None:
    index = GridIndex(synthetic_rows, 9)
    lats, lons = probe_points(synthetic_rows, 4_000, seed=5)
    index.place_arrays(lats[::3], lons[::3])
    expected = brute_force(synthetic_rows, index.levels, lats, lons)
    np.testing.assert_array_equal(index.place_arrays(lats, lons).area_ids, expected)


def test_cache_overflow_starts_afresh(
    synthetic_rows: list[Row], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(placement, "_CACHE_LIMIT", 50)
    index = GridIndex(synthetic_rows, 9)
    lats, lons = probe_points(synthetic_rows, 2_000, seed=3)
    for chunk in np.array_split(np.arange(len(lats)), 7):
        placed = index.place_arrays(lats[chunk], lons[chunk])
        expected = brute_force(synthetic_rows, index.levels, lats[chunk], lons[chunk])
        np.testing.assert_array_equal(placed.area_ids, expected)
    assert len(index._cache[0]) <= 1_000


def test_placement_across_the_antimeridian() -> None:
    fiji = [
        (1, 1, 0, json.dumps(mapping(box(179.5, -17.5, 180.0, -16.5)))),
        (2, 1, 0, json.dumps(mapping(box(-180.0, -17.5, -179.5, -16.5)))),
    ]
    index = GridIndex(fiji, 9)
    rng = np.random.default_rng(5)
    lons = np.concatenate([rng.uniform(179.9, 180, 500), rng.uniform(-180, -179.9, 500), [180.0]])
    lats = rng.uniform(-17.2, -16.8, len(lons))
    np.testing.assert_array_equal(
        index.place_arrays(lats, lons).area_ids, brute_force(fiji, index.levels, lats, lons)
    )


@pytest.mark.parametrize("count", [20_000])
def test_nyc_placement_equals_brute_force(count: int) -> None:
    rows: list[Row] = []
    for level_id, name in ((1, "boroughs"), (2, "community_districts")):
        data = json.loads(shared_file("nyc_boundaries", f"{name}.geojson").read_text())
        rows += [
            (len(rows) + 1, level_id, level_id - 1, json.dumps(f["geometry"]))
            for f in data["features"]
        ]
    index = GridIndex(rows, 9)
    rng = np.random.default_rng(11)
    lats, lons = probe_points(rows[:3], count, seed=11)  # borders of three boroughs
    lons = np.concatenate([lons, rng.uniform(-74.26, -73.70, count)])
    lats = np.concatenate([lats, rng.uniform(40.49, 40.92, count)])
    expected = brute_force(rows, index.levels, lats, lons)
    np.testing.assert_array_equal(index.place_arrays(lats, lons).area_ids, expected)


def test_place_many_and_place_agree_with_the_arrays(synthetic_rows: list[Row]) -> None:
    index = GridIndex(synthetic_rows, 9)
    lats, lons = probe_points(synthetic_rows, 500, seed=1)
    arrays = index.place_arrays(lats, lons)
    many = index.place_many(lats, lons)
    for i in range(0, len(lats), 37):
        levels = arrays.level_ids[arrays.area_ids[i] != NO_AREA].tolist()
        ids = arrays.area_ids[i][arrays.area_ids[i] != NO_AREA].tolist()
        assert many[i].areas == tuple(zip(levels, ids, strict=True))
        assert many[i].h3_cell == arrays.h3_cells[i]
        one = index.place(float(lats[i]), float(lons[i]))
        assert one == many[i] or np.isnan(lats[i]) or np.isnan(lons[i])
    with pytest.raises(ValueError, match="same length"):
        index.place_arrays(lats[:3], lons[:2])


@pytest.mark.parametrize(("h3_resolution", "group_resolution"), [(9, 9), (9, 8)])
def test_one_point_at_a_time_equals_brute_force_and_remembers_only_whole_cells(
    synthetic_rows: list[Row], h3_resolution: int, group_resolution: int
) -> None:
    index = GridIndex(synthetic_rows, h3_resolution, group_resolution=group_resolution)
    lats, lons = probe_points(synthetic_rows, 1_500, seed=21)
    expected = brute_force(synthetic_rows, index.levels, lats, lons)
    levels = index.levels.tolist()
    for _ in range(2):  # the second pass is answered from the remembered cells
        for i in range(len(lats)):
            placed = index.place(float(lats[i]), float(lons[i]))
            row = expected[i].tolist()
            want = tuple((lvl, a) for lvl, a in zip(levels, row, strict=True) if a != NO_AREA)
            assert placed.areas == want, (lats[i], lons[i])
            good = np.isfinite(lats[i]) and np.isfinite(lons[i]) and abs(lats[i]) <= 90
            good = good and abs(lons[i]) <= 180
            cell = h3.latlng_to_cell(lats[i], lons[i], h3_resolution) if good else None
            assert placed.h3_cell == cell
    whole = index._whole_cells
    if group_resolution != h3_resolution:
        assert not whole  # decisions are kept per group cell: nothing to reuse per point
        return
    assert whole
    known_cells, known = index._cache
    remembered = np.isin(known_cells, np.array(list(whole), dtype=np.uint64))
    assert not (known[remembered] == placement._BORDER).any()


def test_place_into_every_level(session: Session) -> None:
    city = factories.area(session, level_name="city", rank=0, bounds=(0, 0, 2, 2))
    north = factories.area(session, level_name="district", rank=1, bounds=(0, 1, 2, 2), parent=city)
    factories.area(session, level_name="district", rank=1, bounds=(0, 0, 2, 1), parent=city)
    block = factories.area(session, level_name="block", rank=2, bounds=(0, 1, 1, 2), parent=north)
    placed = grid_index(session, 9).place(1.5, 0.5)
    assert placed.areas == (
        (block.level_id, block.id),
        (north.level_id, north.id),
        (city.level_id, city.id),
    )
    assert placed.deepest_area_id == block.id
    assert not placed.outside_grid
    assert placed.area_ids == [block.id, north.id, city.id]
    assert placed.h3_cell == h3.latlng_to_cell(1.5, 0.5, 9)
    # A point in the district but in no block stops at the district.
    assert grid_index(session, 9).place(1.5, 1.5).area_ids == [north.id, city.id]


def test_points_outside_are_flagged_not_rejected(session: Session) -> None:
    factories.area(session, level_name="city", rank=0, bounds=(0, 0, 2, 2))
    index = grid_index(session, 9)
    outside = index.place(50.0, 50.0)
    assert outside.outside_grid
    assert outside.deepest_area_id is None
    assert outside.area_ids == []
    assert outside.h3_cell == h3.latlng_to_cell(50.0, 50.0, 9)
    nowhere = index.place(None, 1.0)
    assert nowhere.outside_grid
    assert nowhere.h3_cell is None
    assert index.place(float("nan"), 1.0).h3_cell is None


def test_shared_border_goes_to_the_lowest_id(session: Session) -> None:
    north = factories.area(session, level_name="district", rank=1, bounds=(0, 1, 2, 2))
    south = factories.area(session, level_name="district", rank=1, bounds=(0, 0, 2, 1))
    assert grid_index(session, 9).place(1.0, 1.0).area_ids == [min(north.id, south.id)]


def test_index_is_rebuilt_when_areas_change(session: Session) -> None:
    factories.area(session, level_name="city", rank=0, bounds=(0, 0, 2, 2))
    first = grid_index(session, 9)
    assert grid_index(session, 9) is first
    added = factories.area(session, level_name="district", rank=1, bounds=(0, 0, 1, 1))
    second = grid_index(session, 9)
    assert second is not first
    assert second.place(0.5, 0.5).deepest_area_id == added.id


def test_an_empty_grid_places_everything_outside() -> None:
    placed = GridIndex([], 9).place_arrays(np.array([1.0, np.nan]), np.array([2.0, 3.0]))
    assert placed.area_ids.shape == (2, 0)
    assert placed.deepest_area_ids.tolist() == [NO_AREA, NO_AREA]
    assert placed.h3_cells.tolist() == [h3.latlng_to_cell(1.0, 2.0, 9), None]
