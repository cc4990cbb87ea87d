"""Place points in every level of the grid (shapely STRtree) and in an H3 cell."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import h3
import numpy as np
import shapely
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicgrid.grid.models import Area, AreaLevel


@dataclass(frozen=True)
class Placement:
    """Where a point lies: one area per level that contains it, deepest first."""

    areas: tuple[tuple[int, int], ...]
    """(level_id, area_id) pairs, ordered from the deepest level to the top."""
    h3_cell: str | None

    @property
    def deepest_area_id(self) -> int | None:
        """The most local area containing the point, or None outside the grid."""
        return self.areas[0][1] if self.areas else None

    @property
    def outside_grid(self) -> bool:
        """True when no area contains the point (or it has no point at all)."""
        return not self.areas

    @property
    def area_ids(self) -> list[int]:
        """Every containing area, deepest first."""
        return [area_id for _, area_id in self.areas]


class GridIndex:
    """An STRtree over every area; query one point or a whole array of them."""

    def __init__(
        self, rows: Sequence[tuple[int, int, int, str]], h3_resolution: int, key: object = None
    ) -> None:
        self.key = key
        self.h3_resolution = h3_resolution
        self.area_ids = np.array([r[0] for r in rows], dtype=np.int64)
        self.level_ids = np.array([r[1] for r in rows], dtype=np.int64)
        self.ranks = np.array([r[2] for r in rows], dtype=np.int64)
        geoms = [shapely.from_geojson(r[3]) for r in rows]
        self.geometries = np.array(geoms, dtype=object)
        shapely.prepare(self.geometries)
        self.tree = shapely.STRtree(self.geometries)

    def place(self, lat: float | None, lon: float | None) -> Placement:
        """Placement of one point; None coordinates are outside the grid."""
        if lat is None or lon is None:
            return Placement(areas=(), h3_cell=None)
        return self.place_many(np.array([lat]), np.array([lon]))[0]

    def place_many(self, lats: np.ndarray, lons: np.ndarray) -> list[Placement]:
        """Placements of many points at once; NaN coordinates are outside the grid."""
        count = len(lats)
        valid = ~(np.isnan(lats) | np.isnan(lons))
        points = shapely.points(np.where(valid, lons, 0.0), np.where(valid, lats, 0.0))
        hits: list[list[int]] = [[] for _ in range(count)]
        if len(self.area_ids):
            point_idx, geom_idx = self.tree.query(points, predicate="intersects")
            for p, g in zip(point_idx.tolist(), geom_idx.tolist(), strict=True):
                if valid[p]:
                    hits[p].append(g)
        return [
            Placement(
                areas=self._ordered(hits[i]),
                h3_cell=h3.latlng_to_cell(float(lats[i]), float(lons[i]), self.h3_resolution)
                if valid[i]
                else None,
            )
            for i in range(count)
        ]

    def _ordered(self, geom_indexes: list[int]) -> tuple[tuple[int, int], ...]:
        # One area per level: the deepest level first; on shared borders the lowest id wins.
        by_level: dict[int, tuple[int, int, int]] = {}
        for g in geom_indexes:
            level, area, rank = int(self.level_ids[g]), int(self.area_ids[g]), int(self.ranks[g])
            if level not in by_level or area < by_level[level][1]:
                by_level[level] = (rank, area, level)
        ordered = sorted(by_level.values(), key=lambda t: -t[0])
        return tuple((level, area) for _, area, level in ordered)


_lock = threading.Lock()
_cache: dict[tuple[str, int], GridIndex] = {}


def _grid_key(session: Session) -> tuple[int, int | None, datetime | None]:
    count, max_id, changed = session.execute(
        select(func.count(Area.id), func.max(Area.id), func.max(Area.updated_at))
    ).one()
    return int(count), max_id, changed


def grid_index(session: Session, h3_resolution: int) -> GridIndex:
    """The index for the session's database, rebuilt only when areas have changed."""
    bind = session.get_bind()
    cache_key = (str(bind.engine.url), h3_resolution)
    key = _grid_key(session)
    with _lock:
        cached = _cache.get(cache_key)
        if cached is not None and cached.key == key:
            return cached
    rows = session.execute(
        select(Area.id, Area.level_id, AreaLevel.rank, Area.geometry).join(
            AreaLevel, Area.level_id == AreaLevel.id
        )
    ).all()
    index = GridIndex([tuple(r) for r in rows], h3_resolution, key=key)  # type: ignore[misc]
    with _lock:
        _cache[cache_key] = index
    return index
