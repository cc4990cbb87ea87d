"""Place points in every level of the grid and in an H3 cell, one point or a million at once.

Points are grouped by H3 cell and each cell is decided once per level: a cell wholly inside
one area gives that area to all its points, a cell touching no area leaves them outside, and
only points of cells on a border get an exact point-in-polygon test. Results are exactly those
of testing every point against every polygon (see tests/grid/test_placement.py).
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from itertools import repeat
from typing import Any

import h3.api.basic_int as h3_int
import numpy as np
import numpy.typing as npt
import shapely
from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from civicgrid.grid.models import Area, AreaLevel

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
CellArray = npt.NDArray[np.uint64]
BoolArray = npt.NDArray[np.bool_]
GeomArray = npt.NDArray[np.object_]

NO_AREA = -1
"""Area id given in :class:`PlacedArrays` where no area of a level contains the point."""
GROUP_RESOLUTION = 9
"""H3 resolution of the cells whose decisions are shared by their points (~0.1 km2 each)."""
GROUP_RESOLUTIONS = range(8, 11)
"""Resolutions fine enough to group by and coarse enough to share: the grid's own if in here."""

_OUTSIDE = -1
_BORDER = -2
# Cells are grown by this fraction before testing: H3 edges are great-circle arcs, not the
# straight lon/lat lines between vertices, and the gap (under 1 mm at res 9) must not let a
# point of a cell fall outside the polygon we tested.
_CELL_MARGIN = 1e-3
_CACHE_LIMIT = 1_000_000


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


@dataclass(frozen=True)
class PlacedArrays:
    """Placements of many points as arrays, for bulk import: no Python object per point."""

    level_ids: IntArray
    """(levels,) level ids, deepest level first (rank descending, then level id)."""
    area_ids: IntArray
    """(points, levels) int64: the area of each level holding the point, or NO_AREA."""
    deepest_area_ids: IntArray
    """(points,) int64: the deepest area holding the point, or NO_AREA outside the grid."""
    h3_indexes: CellArray
    """(points,) uint64 H3 index at the grid's resolution; 0 where the point has no coordinates."""
    h3_cells: GeomArray
    """(points,) object: the H3 cell as a string (shared per cell), or None."""

    @property
    def outside_grid(self) -> BoolArray:
        """(points,) bool: True where no area contains the point."""
        return np.asarray(self.deepest_area_ids == NO_AREA)


class GridIndex:
    """Every area's polygon, per level, ready to place one point or a whole array of them."""

    def __init__(
        self,
        rows: Sequence[tuple[int, int, int, str]],
        h3_resolution: int,
        key: object = None,
        *,
        group_resolution: int | None = None,
    ) -> None:
        self.key = key
        self.h3_resolution = h3_resolution
        if group_resolution is None:
            # Grouping by the cells the points need anyway saves a second pass through h3.
            fits = GROUP_RESOLUTIONS[0] <= h3_resolution <= GROUP_RESOLUTIONS[-1]
            group_resolution = h3_resolution if fits else GROUP_RESOLUTION
        self.group_resolution = group_resolution
        self.area_ids = np.array([r[0] for r in rows], dtype=np.int64)
        self.level_ids = np.array([r[1] for r in rows], dtype=np.int64)
        self.ranks = np.array([r[2] for r in rows], dtype=np.int64)
        geoms = [shapely.from_geojson(r[3]) for r in rows]
        self.geometries = np.array(geoms, dtype=object)
        shapely.prepare(self.geometries)
        self.tree = shapely.STRtree(self.geometries)
        levels = {
            (int(rank), int(level)) for rank, level in zip(self.ranks, self.level_ids, strict=True)
        }
        ordered = sorted(levels, key=lambda pair: (-pair[0], pair[1]))
        self.levels = np.array([level for _, level in ordered], dtype=np.int64)
        """Level ids, deepest first: the columns of :attr:`PlacedArrays.area_ids`."""
        self._members = [np.flatnonzero(self.level_ids == lvl) for lvl in self.levels]
        self._trees = [shapely.STRtree(self.geometries[m]) for m in self._members]
        empty = np.zeros((0, len(self.levels)), dtype=np.int64)
        self._cache: tuple[CellArray, IntArray] = (np.zeros(0, dtype=np.uint64), empty)
        self._borders: list[dict[int, IntArray]] = [{} for _ in self.levels]
        """Per level: the areas touching each border cell met so far."""
        self._geos_lock = threading.Lock()
        self._whole_cells: dict[int, tuple[tuple[int, int], ...]] = {}
        """Placements of cells met so far that no level's border crosses (see :meth:`place`)."""

    def place(self, lat: float | None, lon: float | None) -> Placement:
        """Placement of one point; None coordinates are outside the grid.

        A point in a cell that lies whole inside (or outside) the areas of every level is
        placed from that cell's remembered answer: filing one report at a time, the arrays'
        fixed cost was most of the work.
        """
        if lat is None or lon is None:
            return Placement(areas=(), h3_cell=None)
        cell = None
        if self.group_resolution == self.h3_resolution and abs(lat) <= 90 and abs(lon) <= 180:
            cell = h3_int.latlng_to_cell(lat, lon, self.h3_resolution)  # NaN fails the test
            areas = self._whole_cells.get(cell)
            if areas is not None:
                return Placement(areas=areas, h3_cell=h3_int.int_to_str(cell))
        placement = self.place_many(np.array([lat], dtype=float), np.array([lon], dtype=float))[0]
        if cell is not None and not self._on_border(cell):
            if len(self._whole_cells) >= _CACHE_LIMIT:
                self._whole_cells.clear()
            self._whole_cells[cell] = placement.areas
        return placement

    def _on_border(self, cell: int) -> bool:
        """Whether ``cell`` (just decided) straddles an area's border at some level."""
        known_cells, known = self._cache
        at = int(np.searchsorted(known_cells, np.uint64(cell)))
        if at == len(known_cells) or int(known_cells[at]) != cell:
            return True  # not remembered (the cache was just emptied): do not assume
        return bool((known[at] == _BORDER).any())

    def place_many(self, lats: npt.ArrayLike, lons: npt.ArrayLike) -> list[Placement]:
        """Placements of many points at once; NaN coordinates are outside the grid."""
        placed = self.place_arrays(lats, lons)
        levels = [int(level) for level in placed.level_ids]
        return [
            Placement(
                areas=tuple(
                    (level, area)
                    for level, area in zip(levels, row, strict=True)
                    if area != NO_AREA
                ),
                h3_cell=cell,
            )
            for row, cell in zip(placed.area_ids.tolist(), placed.h3_cells.tolist(), strict=True)
        ]

    def place_arrays(self, lats: npt.ArrayLike, lons: npt.ArrayLike) -> PlacedArrays:
        """Place every point (WGS84 degrees); NaN or out-of-range coordinates are outside."""
        lats, lons = np.asarray(lats, dtype=np.float64), np.asarray(lons, dtype=np.float64)
        if lats.shape != lons.shape or lats.ndim != 1:
            raise ValueError("lats and lons must be one-dimensional arrays of the same length")
        count = len(lats)
        valid = np.isfinite(lats) & np.isfinite(lons) & (np.abs(lats) <= 90) & (np.abs(lons) <= 180)
        where = np.flatnonzero(valid)
        geom_idx = np.full((count, len(self.levels)), _OUTSIDE, dtype=np.int64)
        h3_indexes = np.zeros(count, dtype=np.uint64)
        h3_cells = np.full(count, None, dtype=object)
        if len(where):
            lat, lon = lats[where], lons[where]
            unique, inverse = np.unique(_cells(lat, lon, self.h3_resolution), return_inverse=True)
            h3_indexes[where] = unique[inverse]
            names = np.empty(len(unique), dtype=object)
            names[:] = [h3_int.int_to_str(c) for c in unique.tolist()]
            h3_cells[where] = names[inverse]
            # H3 is not exactly hierarchical (children poke out of their parent), so cells of
            # another resolution are computed from the points, never derived from these.
            groups, group_of_point = unique, inverse
            if self.group_resolution != self.h3_resolution:
                group_cells = _cells(lat, lon, self.group_resolution)
                groups, group_of_point = np.unique(group_cells, return_inverse=True)
            # GEOS prepared geometries are not thread-safe (libgeos/geos#825) and shapely
            # releases the GIL: web requests sharing this index take turns.
            with self._geos_lock:
                decided = self._decisions(groups)[group_of_point]
                geom_idx[where] = self._resolve_borders(decided, groups, group_of_point, lat, lon)
        area_ids = np.where(geom_idx >= 0, self.area_ids[np.maximum(geom_idx, 0)], NO_AREA)
        return PlacedArrays(
            level_ids=self.levels.copy(),
            area_ids=area_ids,
            deepest_area_ids=_first_found(area_ids),
            h3_indexes=h3_indexes,
            h3_cells=h3_cells,
        )

    def _decisions(self, cells: CellArray) -> IntArray:
        """Per unique cell and level: the area covering the cell, _OUTSIDE or _BORDER."""
        # Cached by cell, so an importer's later batches skip the polygon tests.
        known_cells, known = self._cache
        pos = np.searchsorted(known_cells, cells)
        hit = np.zeros(len(cells), dtype=bool)
        in_range = pos < len(known_cells)
        hit[in_range] = known_cells[pos[in_range]] == cells[in_range]
        result = np.empty((len(cells), len(self.levels)), dtype=np.int64)
        result[hit] = known[pos[hit]]
        if not hit.all():
            result[~hit] = fresh = self._decide(cells[~hit])
            self._remember(cells[~hit], fresh)
        return result

    def _remember(self, cells: CellArray, decisions: IntArray) -> None:
        known_cells, known = self._cache
        if len(known_cells) + len(cells) > _CACHE_LIMIT:
            known_cells, known = known_cells[:0], known[:0]
        merged_cells = np.concatenate([known_cells, cells])
        order = np.argsort(merged_cells, kind="stable")
        self._cache = (merged_cells[order], np.concatenate([known, decisions])[order])

    def _decide(self, cells: CellArray) -> IntArray:
        polygons, wraps = _cell_polygons(cells)
        decisions = np.full((len(cells), len(self.levels)), _OUTSIDE, dtype=np.int64)
        for col in range(len(self.levels)):
            cell_idx, geom = self._touching(col, polygons, wraps)
            hits = np.bincount(cell_idx, minlength=len(cells))
            single = hits[cell_idx] == 1
            covered = np.zeros(len(cell_idx), dtype=bool)
            covered[single] = shapely.covers(
                self.geometries[geom[single]], polygons[cell_idx[single]]
            )
            decisions[hits > 0, col] = _BORDER
            decisions[cell_idx[covered], col] = geom[covered]
        decisions[wraps] = _BORDER
        return decisions

    def _touching(
        self, col: int, polygons: GeomArray, wraps: BoolArray
    ) -> tuple[IntArray, IntArray]:
        """(cell, geometry) pairs of the level's areas that touch each cell, by cell."""
        members = self._members[col]
        cell_idx, local = self._trees[col].query(polygons)
        geom = members[local]
        touching = shapely.intersects(self.geometries[geom], polygons[cell_idx])
        cell_idx, geom = cell_idx[touching], geom[touching]
        # A cell across the antimeridian has no honest lon/lat polygon: try every area.
        wrapped = np.flatnonzero(wraps)
        cell_idx = np.concatenate([cell_idx, np.repeat(wrapped, len(members))])
        geom = np.concatenate([geom, np.tile(members, len(wrapped))])
        order = np.argsort(cell_idx, kind="stable")
        return cell_idx[order], geom[order]

    def _border_areas(self, col: int, cells: CellArray) -> tuple[IntArray, IntArray]:
        """As :meth:`_touching` for border cells, each cell's areas worked out once."""
        known = self._borders[col]
        keys: list[int] = cells.tolist()
        new = [i for i, cell in enumerate(keys) if cell not in known]
        if new:
            if len(known) + len(new) > _CACHE_LIMIT:
                known.clear()
                new = list(range(len(keys)))
            cell_idx, geom = self._touching(col, *_cell_polygons(cells[new]))
            splits = np.searchsorted(cell_idx, np.arange(1, len(new)))
            for position, areas in zip(new, np.split(geom, splits), strict=True):
                known[keys[position]] = areas
        found = [known[cell] for cell in keys]
        sizes = np.array([len(areas) for areas in found], dtype=np.int64)
        return np.repeat(np.arange(len(keys)), sizes), np.concatenate(found).astype(np.int64)

    def _resolve_borders(
        self,
        decided: IntArray,
        groups: CellArray,
        group_of_point: IntArray,
        lat: FloatArray,
        lon: FloatArray,
    ) -> IntArray:
        """Exact point-in-polygon tests for the points whose cell lies on a border."""
        result = decided.copy()
        for col in range(len(self.levels)):
            points = np.flatnonzero(decided[:, col] == _BORDER)
            if not len(points):
                continue
            border, cell_of_point = np.unique(group_of_point[points], return_inverse=True)
            cell_idx, geom = self._border_areas(col, groups[border])
            # Each point is tested only against the areas touching its cell.
            counts = np.bincount(cell_idx, minlength=len(border))
            starts = np.cumsum(counts) - counts
            per_point = counts[cell_of_point]
            point_idx = np.repeat(np.arange(len(points)), per_point)
            offsets = np.arange(len(point_idx)) - np.repeat(
                np.cumsum(per_point) - per_point, per_point
            )
            geom = geom[np.repeat(starts[cell_of_point], per_point) + offsets]
            at = points[point_idx]
            inside = shapely.intersects_xy(self.geometries[geom], lon[at], lat[at])
            point_idx, geom = point_idx[inside], geom[inside]
            # On a shared border the point touches several areas of the level: lowest id wins.
            order = np.lexsort((self.area_ids[geom], point_idx))
            firsts, first_at = np.unique(point_idx[order], return_index=True)
            result[points, col] = _OUTSIDE
            result[points[firsts], col] = geom[order][first_at]
        return result


def _cells(lat: FloatArray, lon: FloatArray, resolution: int) -> CellArray:
    # The one per-point Python call left: h3 has no vectorised latlng_to_cell.
    cells = map(h3_int.latlng_to_cell, lat.tolist(), lon.tolist(), repeat(resolution))
    return np.fromiter(cells, dtype=np.uint64, count=len(lat))


def _cell_polygons(cells: CellArray) -> tuple[GeomArray, BoolArray]:
    """Each cell as a lon/lat polygon grown by _CELL_MARGIN, and which cells wrap the globe."""
    boundaries: list[Any] = [h3_int.cell_to_boundary(int(c)) for c in cells.tolist()]
    sizes = np.array([len(b) for b in boundaries], dtype=np.int64)
    latlng = np.array([vertex for b in boundaries for vertex in b], dtype=np.float64)
    ring = np.repeat(np.arange(len(cells)), sizes)
    xy = latlng[:, ::-1]
    centre = np.stack([np.bincount(ring, weights=xy[:, k]) / sizes for k in (0, 1)], axis=1)[ring]
    grown = centre + (xy - centre) * (1 + _CELL_MARGIN)
    firsts = np.cumsum(sizes) - sizes
    lon_span = np.maximum.reduceat(xy[:, 0], firsts) - np.minimum.reduceat(xy[:, 0], firsts)
    # Closing each ring: linearrings(indices=...) closes rings that are not closed already.
    polygons = shapely.polygons(shapely.linearrings(grown, indices=ring))
    return np.asarray(polygons), lon_span > 180


def _first_found(area_ids: IntArray) -> IntArray:
    """The first column's area that is not NO_AREA, per row (the deepest containing area)."""
    if area_ids.shape[1] == 0:
        return np.full(area_ids.shape[0], NO_AREA, dtype=np.int64)
    found = area_ids != NO_AREA
    first = np.argmax(found, axis=1)
    picked = area_ids[np.arange(area_ids.shape[0]), first]
    return np.where(found.any(axis=1), picked, NO_AREA)


_lock = threading.Lock()
_cache: dict[tuple[str, int], GridIndex] = {}


GridKey = tuple[int, int | None, datetime | None]


def grid_key_columns() -> tuple[ColumnElement[Any], ...]:
    """The grid's change key as columns over ``areas``: count, highest id, latest change."""
    return (func.count(Area.id), func.max(Area.id), func.max(Area.updated_at))


def grid_key(count: int, max_id: int | None, changed: datetime | None) -> GridKey:
    """The change key from the values of :func:`grid_key_columns`."""
    return int(count), max_id, changed


def _grid_key(session: Session) -> GridKey:
    return grid_key(*session.execute(select(*grid_key_columns())).one())


def grid_index(session: Session, h3_resolution: int, key: GridKey | None = None) -> GridIndex:
    """The index for the session's database, rebuilt only when areas have changed.

    ``key`` is the grid's change key when the caller has read it already (in the same
    transaction, e.g. along with the reference data's token); else it is read here.
    """
    bind = session.get_bind()
    cache_key = (str(bind.engine.url), h3_resolution)
    key = key if key is not None else _grid_key(session)
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
