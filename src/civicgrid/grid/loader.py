"""Load a boundary file (GeoJSON, any CRS) into one level of the area hierarchy."""

from __future__ import annotations

import json
import math
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyproj
import shapely
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.catalog.models import Department
from civicgrid.errors import Invalid
from civicgrid.grid.models import Area, AreaLevel
from civicgrid.grid.service import known_levels, level_named

_WGS84 = pyproj.CRS.from_user_input("OGC:CRS84")
_POLYGONAL = ("Polygon", "MultiPolygon")
_CODE_LENGTH, _NAME_LENGTH = 64, 200  # String lengths of Area.code and Area.name


@dataclass
class LoadReport:
    """What a boundary file load did, for the command's summary and the tests."""

    level: str
    level_id: int
    source_crs: str
    created: int = 0
    updated: int = 0
    repaired: int = 0
    """Invalid geometries made valid with shapely.make_valid."""
    merged: int = 0
    """Features folded into an earlier feature with the same code (their union is loaded)."""
    skipped: list[str] = field(default_factory=list)
    """One message per feature that was not loaded, saying why."""
    warnings: list[str] = field(default_factory=list)
    without_parent: list[str] = field(default_factory=list)
    """Codes of loaded areas that overlap no area of the parent level."""


@dataclass
class _Feature:
    number: int
    code: str
    name: str
    department_code: str | None
    geometry: Any


def load_geojson(
    session: Session,
    *,
    path: Path,
    level: str,
    name_property: str,
    code_property: str,
    parent_level: str | None = None,
    department_property: str | None = None,
    source_crs: str | None = None,
    name_template: str | None = None,
) -> LoadReport:
    """Load a GeoJSON FeatureCollection as the areas of ``level``, updating areas already there.

    ``name_template`` (e.g. "CD {BoroCD}") takes precedence over ``name_property``.
    """
    if name_template is not None:
        _check_template(name_template)
    collection = _read_collection(path)
    crs = _source_crs(collection, source_crs)
    parent = _parent_level_or_raise(session, parent_level, level) if parent_level else None
    area_level = _level_for_load(session, name=level, parent=parent)
    report = LoadReport(level=level, level_id=area_level.id, source_crs=crs.to_string())
    features = _read_features(
        collection["features"],
        report=report,
        code_property=code_property,
        name_property=name_property,
        name_template=name_template,
        department_property=department_property,
    )
    _to_wgs84(features, crs)
    # Repaired before merging: a union of invalid polygons can fail.
    features = _merge(_repair(features, report), report)
    if not features:
        problems = "; ".join(report.skipped[:5]) or "the file has no features"
        raise Invalid(
            "no area could be loaded from %(path)s: %(problems)s",
            params={"path": path, "problems": problems},
            field="code_property",
        )
    areas = _upsert(session, area_level, features, report)
    if parent is not None:
        _assign_parents(session, areas, parent, report)
    session.flush()
    return report


def _check_template(template: str) -> None:
    try:
        fields = [name for _, name, _, _ in string.Formatter().parse(template) if name]
    except ValueError:
        fields = []
    if not fields:
        raise Invalid(
            "name template '%(template)s' must name properties in braces, e.g. \"{BoroName}\" or "
            '"CD {BoroCD}"',
            params={"template": template},
            field="name_template",
        )


def _read_collection(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise Invalid("file %(path)s does not exist", params={"path": path}, field="path") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise Invalid(
            "%(path)s is not a GeoJSON (JSON) file: %(exc)s",
            params={"path": path, "exc": exc},
            field="path",
        ) from exc
    if not isinstance(data, dict) or data.get("type") != "FeatureCollection":
        raise Invalid(
            "%(path)s is not a GeoJSON FeatureCollection", params={"path": path}, field="path"
        )
    if not isinstance(data.get("features"), list):
        raise Invalid(
            "%(path)s is not a GeoJSON FeatureCollection: no features list",
            params={"path": path},
            field="path",
        )
    return data


def _source_crs(collection: dict[str, Any], override: str | None) -> pyproj.CRS:
    """The file's CRS: the override, else the legacy ``crs`` member, else WGS84 (RFC 7946)."""
    name = override
    if name is None:
        member = collection.get("crs")
        if isinstance(member, dict):
            name = (member.get("properties") or {}).get("name")
    if not name:
        return _WGS84
    try:
        return pyproj.CRS.from_user_input(name)
    except pyproj.exceptions.CRSError as exc:
        raise Invalid(
            "unknown coordinate reference system '%(name)s'; give one such as EPSG:2263 with "
            "--source-crs",
            params={"name": name},
            field="source_crs",
        ) from exc


def _parent_level_or_raise(session: Session, name: str, child: str) -> AreaLevel:
    if name == child:
        raise Invalid(
            "level '%(child)s' cannot be its own parent level",
            params={"child": child},
            field="parent_level",
        )
    found = level_named(session, name)
    if found is None:
        raise Invalid(
            "parent level '%(name)s' does not exist (%(levels)s); load the parent level first",
            params={"name": name, "levels": known_levels(session)},
            field="parent_level",
        )
    return found


def _level_for_load(session: Session, *, name: str, parent: AreaLevel | None) -> AreaLevel:
    found = level_named(session, name)
    if found is None:
        found = AreaLevel(name=name, rank=parent.rank + 1 if parent else 0)
        session.add(found)
        session.flush()
    return found


def _read_features(
    raw: list[Any],
    *,
    report: LoadReport,
    code_property: str,
    name_property: str,
    name_template: str | None,
    department_property: str | None,
) -> list[_Feature]:
    """Features with a code and a polygon, in file order."""
    features: list[_Feature] = []
    for number, feature in enumerate(raw, start=1):
        props = (feature.get("properties") if isinstance(feature, dict) else None) or {}
        code = _text(props.get(code_property))
        if code is None or len(code) > _CODE_LENGTH:
            problem = "no" if code is None else "a 64+ character"
            report.skipped.append(
                f"feature {number}: {problem} {code_property!r} property (it has: "
                f"{', '.join(sorted(props)) or 'no properties'}); choose another code property"
            )
            continue
        geometry = _geometry(feature.get("geometry"))
        if geometry is None:
            report.skipped.append(f"feature {number} ({code}): not a Polygon or MultiPolygon")
            continue
        name = _name(props, name_property, name_template)
        if name is None:
            report.warnings.append(f"feature {number}: no {name_property!r}; named by its code")
        dept = _text(props.get(department_property)) if department_property else None
        features.append(_Feature(number, code, (name or code)[:_NAME_LENGTH], dept, geometry))
    return features


def _merge(features: list[_Feature], report: LoadReport) -> list[_Feature]:
    """One feature per code: later features sharing a code add their polygons (union)."""
    by_code: dict[str, _Feature] = {}
    for feature in features:
        if feature.code in by_code:
            first = by_code[feature.code]
            first.geometry = shapely.union(first.geometry, feature.geometry)
            report.merged += 1
        else:
            by_code[feature.code] = feature
    return list(by_code.values())


def _text(value: Any) -> str | None:
    """A property value as a code: 311.0 -> "311"; None or blank -> None."""
    if value is None or isinstance(value, dict | list):
        return None
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def _geometry(raw: Any) -> Any:
    if not isinstance(raw, dict) or raw.get("type") not in _POLYGONAL:
        return None
    try:
        geom = shapely.force_2d(shapely.from_geojson(json.dumps(raw)))
    except shapely.errors.GEOSException:
        return None
    return None if geom.is_empty else geom


def _name(props: dict[str, Any], name_property: str, template: str | None) -> str | None:
    if template is None:
        return _text(props.get(name_property))
    values = {key: "" if value is None else value for key, value in props.items()}
    try:
        return template.format_map(values).strip() or None
    except (KeyError, ValueError, TypeError):
        return None


def _to_wgs84(features: list[_Feature], crs: pyproj.CRS) -> None:
    if not features or crs == _WGS84 or crs.to_epsg() == 4326:
        return
    transformer = pyproj.Transformer.from_crs(crs, _WGS84, always_xy=True)

    def reproject(xy: np.ndarray[Any, Any]) -> np.ndarray[Any, Any]:
        lon, lat = transformer.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([lon, lat])

    geoms = shapely.transform(np.array([f.geometry for f in features], dtype=object), reproject)
    for feature, geom in zip(features, geoms, strict=True):
        feature.geometry = geom


def _repair(features: list[_Feature], report: LoadReport) -> list[_Feature]:
    """Make invalid polygons valid, keeping only their polygonal parts."""
    kept: list[_Feature] = []
    for feature in features:
        if not shapely.is_valid(feature.geometry):
            parts = shapely.get_parts(shapely.make_valid(feature.geometry))
            polygons = [p for p in parts if p.geom_type in _POLYGONAL and not p.is_empty]
            if not polygons:
                report.skipped.append(
                    f"feature {feature.number} ({feature.code}): no area left once repaired"
                )
                continue
            feature.geometry = shapely.union_all(polygons)
            report.repaired += 1
        kept.append(feature)
    return kept


def _upsert(
    session: Session, level: AreaLevel, features: list[_Feature], report: LoadReport
) -> list[tuple[Area, Any]]:
    existing = {a.code: a for a in session.scalars(select(Area).where(Area.level_id == level.id))}
    departments = _department_ids(session, {f.department_code for f in features} - {None})
    loaded: list[tuple[Area, Any]] = []
    for feature in features:
        area = existing.get(feature.code)
        if area is None:
            area = Area(level_id=level.id, code=feature.code)
            session.add(area)
            report.created += 1
        else:
            report.updated += 1
        min_lon, min_lat, max_lon, max_lat = (float(v) for v in feature.geometry.bounds)
        area.name = feature.name
        area.geometry = shapely.to_geojson(feature.geometry)
        area.min_lon, area.min_lat, area.max_lon, area.max_lat = min_lon, min_lat, max_lon, max_lat
        if feature.department_code is not None:
            if feature.department_code in departments:
                area.department_id = departments[feature.department_code]
            else:
                report.warnings.append(
                    f"{feature.code}: no department with code {feature.department_code!r}"
                )
        loaded.append((area, feature.geometry))
    session.flush()
    return loaded


def _department_ids(session: Session, codes: set[str | None]) -> dict[str, int]:
    if not codes:
        return {}
    query = select(Department.code, Department.id).where(Department.code.in_(codes))
    return dict(session.execute(query).all())


def _assign_parents(
    session: Session, areas: list[tuple[Area, Any]], parent: AreaLevel, report: LoadReport
) -> None:
    """Each area's parent is the parent-level area it overlaps most."""
    rows = session.execute(
        select(Area.id, Area.geometry).where(Area.level_id == parent.id).order_by(Area.id)
    ).all()
    parent_ids = np.array([r[0] for r in rows], dtype=np.int64)
    parents = np.array([shapely.from_geojson(r[1]) for r in rows], dtype=object)
    shapely.prepare(parents)
    tree = shapely.STRtree(parents)
    for area, geom in areas:
        candidates = np.sort(tree.query(geom))
        # Most areas lie wholly inside their parent: a prepared test spares the intersections.
        inside = candidates[shapely.contains(parents[candidates], geom)]
        if len(inside):
            area.parent_id = int(parent_ids[inside[0]])
            continue
        overlap = shapely.area(shapely.intersection(parents[candidates], geom))
        if not len(candidates) or overlap.max() <= 0:
            area.parent_id = None
            report.without_parent.append(area.code)
            continue
        area.parent_id = int(parent_ids[candidates[int(np.argmax(overlap))]])
