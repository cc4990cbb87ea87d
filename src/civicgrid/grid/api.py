"""JSON routes of the grid: areas as GeoJSON, and the levels of the hierarchy."""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from civicgrid.deps import DbSession
from civicgrid.errors import error_responses
from civicgrid.grid import service
from civicgrid.grid.models import Area
from civicgrid.grid.schemas import AreaFeature, AreaFeatureCollection, AreaLevelRead
from civicgrid.schemas import NO_NUL

router = APIRouter(tags=["grid"])
_MAX_ID = 2**31 - 1  # ids are 32-bit integers on PostgreSQL; larger ones cannot exist

WithGeometry = Annotated[
    bool, Query(description="Include each area's polygon; false for a lighter list.")
]


@router.get("/areas", response_model=AreaFeatureCollection, responses=error_responses(422))
def list_areas(
    session: DbSession,
    level: Annotated[
        str | None,
        Query(max_length=64, pattern=NO_NUL, description="Only areas of this level (its name)."),
    ] = None,
    parent_id: Annotated[
        int | None, Query(ge=1, le=_MAX_ID, description="Only the children of this area.")
    ] = None,
    geometry: WithGeometry = True,
) -> dict[str, Any]:
    """Areas as a GeoJSON FeatureCollection, filtered by level and parent."""
    areas = service.list_areas(session, level=level, parent_id=parent_id)
    names = _level_names(session)
    return {
        "type": "FeatureCollection",
        "features": [_feature(a, names, with_geometry=geometry) for a in areas],
    }


@router.get(
    "/areas/{area_id}",
    response_model=AreaFeature,
    responses=error_responses(404, 422),
)
def get_area(
    session: DbSession,
    area_id: Annotated[int, Path(ge=1, le=_MAX_ID)],
    geometry: WithGeometry = True,
) -> dict[str, Any]:
    """One area as a GeoJSON Feature."""
    area = service.get_area_or_raise(session, area_id)
    return _feature(area, _level_names(session), with_geometry=geometry)


@router.get("/area-levels", response_model=list[AreaLevelRead])
def list_area_levels(session: DbSession) -> list[AreaLevelRead]:
    """The levels of the hierarchy, top first, with how many areas each holds."""
    counts = service.area_counts(session)
    return [
        AreaLevelRead(id=lvl.id, name=lvl.name, rank=lvl.rank, area_count=counts.get(lvl.id, 0))
        for lvl in service.list_levels(session)
    ]


def _level_names(session: DbSession) -> dict[int, str]:
    return {lvl.id: lvl.name for lvl in service.list_levels(session)}


def _feature(area: Area, level_names: dict[int, str], *, with_geometry: bool) -> dict[str, Any]:
    return {
        "type": "Feature",
        "id": area.id,
        "bbox": [area.min_lon, area.min_lat, area.max_lon, area.max_lat],
        "properties": {
            "id": area.id,
            "code": area.code,
            "name": area.name,
            "level": level_names[area.level_id],
            "level_id": area.level_id,
            "parent_id": area.parent_id,
            "department_id": area.department_id,
        },
        "geometry": json.loads(area.geometry) if with_geometry else None,
    }
