"""Placement speed: 1,000,000 points into NYC community districts + boroughs (points/s).

    .venv/bin/python bench/placement.py [--points N] [--baseline]

Loads ../shared/data/nyc_boundaries into a temporary SQLite database through the grid service,
then times GridIndex.place_arrays on a fresh index (every cell decided) and again on the same
index (cell decisions cached, as for an importer's later batches). Two point sets: uniform over
the city's bounding box (water included: the worst case, every cell of the city), and points
drawn around real 311 locations. --baseline also times the old per-point STRtree predicate
query on 50,000 points. Skips cleanly when ../shared is absent.
"""

from __future__ import annotations

import argparse
import csv
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import shapely

from civicgrid import migrate
from civicgrid.db import make_engine, make_session_factory, transaction
from civicgrid.grid import loader
from civicgrid.grid.placement import GridIndex, grid_index

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def load_index(db: Path) -> GridIndex:
    engine = make_engine(f"sqlite:///{db}")
    migrate.upgrade(engine)
    boundaries = DATA / "nyc_boundaries"
    with transaction(make_session_factory(engine)) as session:
        loader.load_geojson(
            session,
            path=boundaries / "boroughs.geojson",
            level="borough",
            name_property="BoroName",
            code_property="BoroCode",
        )
        loader.load_geojson(
            session,
            path=boundaries / "community_districts.geojson",
            level="community_district",
            name_property="BoroCD",
            code_property="BoroCD",
            parent_level="borough",
        )
        index = grid_index(session, 9)
    engine.dispose()
    return index


def uniform_points(index: GridIndex, count: int, rng: np.random.Generator) -> tuple:
    min_lon, min_lat, max_lon, max_lat = shapely.total_bounds(index.geometries)
    return rng.uniform(min_lat, max_lat, count), rng.uniform(min_lon, max_lon, count)


def points_like_311(count: int, rng: np.random.Generator) -> tuple:
    """Real 311 locations, each reused with up to ~300 m of jitter."""
    with (DATA / "nyc311" / "nyc311_2026-06_10000.csv").open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r.get("latitude") and r.get("longitude")]
    lat = np.array([float(r["latitude"]) for r in rows])
    lon = np.array([float(r["longitude"]) for r in rows])
    pick = rng.integers(0, len(lat), count)
    return lat[pick] + rng.normal(0, 0.002, count), lon[pick] + rng.normal(0, 0.002, count)


def timed(index: GridIndex, lats: np.ndarray, lons: np.ndarray) -> float:
    start = time.perf_counter()
    index.place_arrays(lats, lons)
    return time.perf_counter() - start


def baseline(index: GridIndex, lats: np.ndarray, lons: np.ndarray) -> float:
    """The previous implementation's core: an STRtree query with the predicate per point."""
    start = time.perf_counter()
    index.tree.query(shapely.points(lons, lats), predicate="intersects")
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=1_000_000)
    parser.add_argument("--baseline", action="store_true")
    args = parser.parse_args()
    if not (DATA / "nyc_boundaries" / "community_districts.geojson").exists():
        print(f"skipped: {DATA} is absent (../shared is not beside the checkout)")
        return 0
    rng = np.random.default_rng(42)
    with tempfile.TemporaryDirectory() as tmp:
        index = load_index(Path(tmp) / "bench.db")
    sets = {
        "uniform over the city's bbox": uniform_points(index, args.points, rng),
        "around real 311 locations": points_like_311(args.points, rng),
    }
    print(f"{len(index.area_ids)} areas in {len(index.levels)} levels; {args.points:,} points")
    for name, (lats, lons) in sets.items():
        fresh = GridIndex(
            [
                (int(a), int(lv), int(r), shapely.to_geojson(g))
                for a, lv, r, g in zip(
                    index.area_ids, index.level_ids, index.ranks, index.geometries, strict=True
                )
            ],
            9,
        )
        cold = timed(fresh, lats, lons)
        warm = timed(fresh, lats, lons)
        print(
            f"{name:30s} cold {args.points / cold:12,.0f} points/s ({cold:.2f} s)   "
            f"warm {args.points / warm:12,.0f} points/s ({warm:.2f} s)"
        )
    if args.baseline:
        lats, lons = sets["uniform over the city's bbox"]
        n = 50_000
        took = baseline(index, lats[:n], lons[:n])
        print(f"{'baseline (STRtree predicate)':30s} {n / took:12,.0f} points/s on {n:,} points")
    return 0


if __name__ == "__main__":
    sys.exit(main())
