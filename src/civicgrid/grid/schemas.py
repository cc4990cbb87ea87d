"""JSON shapes of the grid API: areas as GeoJSON (RFC 7946) and area levels (Pydantic only)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

Position = Annotated[list[float], Field(min_length=2, max_length=3)]
"""[longitude, latitude] in WGS84."""


class PolygonGeometry(BaseModel):
    """A GeoJSON Polygon: an outer ring, then any holes."""

    type: Literal["Polygon"]
    coordinates: list[list[Position]]


class MultiPolygonGeometry(BaseModel):
    """A GeoJSON MultiPolygon."""

    type: Literal["MultiPolygon"]
    coordinates: list[list[list[Position]]]


Geometry = Annotated[PolygonGeometry | MultiPolygonGeometry, Field(discriminator="type")]


class AreaProperties(BaseModel):
    """What a map or a client needs to know about an area besides its shape."""

    id: int
    code: str
    name: str
    level: str = Field(description="Name of the area's level, e.g. borough.")
    level_id: int
    parent_id: int | None
    department_id: int | None = Field(description="Department answerable for the area.")


class AreaFeature(BaseModel):
    """One area as a GeoJSON Feature; ``geometry`` is null when asked for without it."""

    type: Literal["Feature"] = "Feature"
    id: int
    bbox: list[float] = Field(
        min_length=4, max_length=4, description="[min_lon, min_lat, max_lon, max_lat]"
    )
    properties: AreaProperties
    geometry: Geometry | None


class AreaFeatureCollection(BaseModel):
    """Areas as a GeoJSON FeatureCollection."""

    type: Literal["FeatureCollection"] = "FeatureCollection"
    features: list[AreaFeature]


class AreaLevelRead(BaseModel):
    """One level of the hierarchy; rank 0 is the top."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    rank: int
    area_count: int = Field(description="Number of areas loaded at this level.")
