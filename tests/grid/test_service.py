"""Loading boundary files into the grid, the hierarchy queries, and the `civicgrid grid` CLI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pyproj
import pytest
import shapely
from shapely.geometry import box, mapping
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from civicgrid import migrate
from civicgrid.cli.main import app as cli
from civicgrid.db import make_engine, make_session_factory
from civicgrid.errors import Invalid, NotFound
from civicgrid.grid import loader, service
from civicgrid.grid.models import Area, AreaLevel
from tests import factories


def feature(code: Any, geometry: Any, **props: Any) -> dict[str, Any]:
    """A GeoJSON Feature with a ``code`` property (omitted when None)."""
    properties = {"code": code, **props} if code is not None else dict(props)
    geom = geometry if isinstance(geometry, dict) else mapping(geometry)
    return {"type": "Feature", "properties": properties, "geometry": geom}


def write(path: Path, features: list[dict[str, Any]], crs: str | None = None) -> Path:
    """A FeatureCollection file, with a legacy ``crs`` member when ``crs`` is given."""
    data: dict[str, Any] = {"type": "FeatureCollection", "features": features}
    if crs:
        data["crs"] = {"type": "name", "properties": {"name": crs}}
    path.write_text(json.dumps(data))
    return path


def load(session: Session, path: Path, level: str, **kwargs: Any) -> loader.LoadReport:
    kwargs.setdefault("name_property", "name")
    kwargs.setdefault("code_property", "code")
    return loader.load_geojson(session, path=path, level=level, **kwargs)


def area(session: Session, level: str, code: str) -> Area:
    found = session.scalar(
        select(Area).join(AreaLevel).where(AreaLevel.name == level, Area.code == code)
    )
    assert found is not None
    return found


@pytest.fixture
def two_districts(tmp_path: Path) -> Path:
    return write(
        tmp_path / "districts.geojson",
        [
            feature("W", box(0, 0, 1, 1), name="West"),
            feature("E", box(1, 0, 2, 1), name="East"),
        ],
    )


def test_load_creates_the_level_and_its_areas(session: Session, two_districts: Path) -> None:
    report = load(session, two_districts, "district")
    assert (report.created, report.updated, report.skipped) == (2, 0, [])
    assert report.source_crs == "OGC:CRS84"
    level = session.scalar(select(AreaLevel).where(AreaLevel.name == "district"))
    assert level is not None
    assert level.rank == 0
    east = area(session, "district", "E")
    assert east.name == "East"
    assert east.parent_id is None
    assert (east.min_lon, east.min_lat, east.max_lon, east.max_lat) == (1, 0, 2, 1)
    assert shapely.from_geojson(east.geometry).equals(box(1, 0, 2, 1))


def test_reprojects_state_plane_to_wgs84(session: Session, tmp_path: Path) -> None:
    wgs84 = box(-74.00, 40.70, -73.99, 40.71)
    to_state_plane = pyproj.Transformer.from_crs("OGC:CRS84", "EPSG:2263", always_xy=True)
    feet = shapely.transform(
        wgs84, lambda xy: list(zip(*to_state_plane.transform(*xy.T), strict=True))
    )
    assert feet.bounds[0] > 900_000  # really in US feet, not degrees
    path = write(
        tmp_path / "sp.geojson", [feature(1, feet, name="One")], crs="urn:ogc:def:crs:EPSG::2263"
    )
    report = load(session, path, "district")
    assert "2263" in report.source_crs
    stored = area(session, "district", "1")
    assert stored.min_lon == pytest.approx(-74.00, abs=1e-6)
    assert stored.max_lat == pytest.approx(40.71, abs=1e-6)
    assert shapely.from_geojson(stored.geometry).symmetric_difference(wgs84).area < 1e-12


def test_source_crs_overrides_a_file_without_crs(session: Session, tmp_path: Path) -> None:
    to_state_plane = pyproj.Transformer.from_crs("OGC:CRS84", "EPSG:2263", always_xy=True)
    x, y = to_state_plane.transform(-73.95, 40.75)
    path = write(tmp_path / "sp.geojson", [feature("A", box(x, y, x + 1000, y + 1000))])
    load(session, path, "district", source_crs="EPSG:2263")
    corners = shapely.get_coordinates(shapely.from_geojson(area(session, "district", "A").geometry))
    assert min(abs(lon + 73.95) + abs(lat - 40.75) for lon, lat in corners) < 1e-7


def test_unknown_crs_is_invalid(session: Session, two_districts: Path) -> None:
    with pytest.raises(Invalid, match="EPSG:2263"):
        load(session, two_districts, "district", source_crs="EPSG:999999")


def test_parent_is_the_parent_level_area_overlapping_most(
    session: Session, tmp_path: Path, two_districts: Path
) -> None:
    load(session, two_districts, "district")
    blocks = [
        feature("inside-west", box(0.1, 0.1, 0.2, 0.2)),
        feature("mostly-east", box(0.9, 0.5, 1.5, 0.6)),
        feature("at-sea", box(5, 5, 6, 6)),
    ]
    path = write(tmp_path / "blocks.geojson", blocks)
    report = load(session, path, "block", parent_level="district")
    west, east = area(session, "district", "W"), area(session, "district", "E")
    assert area(session, "block", "inside-west").parent_id == west.id
    assert area(session, "block", "mostly-east").parent_id == east.id
    assert area(session, "block", "at-sea").parent_id is None
    assert report.without_parent == ["at-sea"]
    level = session.scalar(select(AreaLevel).where(AreaLevel.name == "block"))
    assert level is not None
    assert level.rank == 1


def test_unknown_parent_level_is_refused(session: Session, two_districts: Path) -> None:
    with pytest.raises(Invalid, match="parent level 'borough' does not exist") as caught:
        load(session, two_districts, "district", parent_level="borough")
    assert caught.value.field == "parent_level"
    assert session.scalar(select(AreaLevel).where(AreaLevel.name == "district")) is None


def test_a_level_cannot_be_its_own_parent(session: Session, two_districts: Path) -> None:
    load(session, two_districts, "district")
    with pytest.raises(Invalid, match="own parent"):
        load(session, two_districts, "district", parent_level="district")


def test_loading_twice_updates_instead_of_duplicating(session: Session, tmp_path: Path) -> None:
    first = write(tmp_path / "a.geojson", [feature("W", box(0, 0, 1, 1), name="West")])
    load(session, first, "district")
    before = area(session, "district", "W").id
    second = write(tmp_path / "b.geojson", [feature("W", box(0, 0, 3, 1), name="Far West")])
    report = load(session, second, "district")
    assert (report.created, report.updated) == (0, 1)
    rows = session.scalars(select(Area).where(Area.code == "W")).all()
    assert len(rows) == 1
    assert rows[0].id == before
    assert rows[0].name == "Far West"
    assert rows[0].max_lon == 3


def test_invalid_geometry_is_repaired(session: Session, tmp_path: Path) -> None:
    bowtie = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]}
    path = write(tmp_path / "bad.geojson", [feature("X", bowtie), feature("Y", box(2, 2, 3, 3))])
    report = load(session, path, "district")
    assert report.repaired == 1
    assert report.created == 2
    repaired = shapely.from_geojson(area(session, "district", "X").geometry)
    assert repaired.is_valid
    assert repaired.area == pytest.approx(0.5)


def test_feature_without_code_is_skipped_with_a_message(session: Session, tmp_path: Path) -> None:
    path = write(
        tmp_path / "f.geojson",
        [feature("A", box(0, 0, 1, 1)), feature(None, box(1, 0, 2, 1), name="nameless")],
    )
    report = load(session, path, "district")
    assert report.created == 1
    assert len(report.skipped) == 1
    assert "feature 2: no 'code' property (it has: name)" in report.skipped[0]


def test_no_feature_with_the_code_property_is_invalid(
    session: Session, two_districts: Path
) -> None:
    with pytest.raises(Invalid, match="no 'BoroCD' property") as caught:
        load(session, two_districts, "district", code_property="BoroCD")
    assert caught.value.field == "code_property"


def test_features_that_are_not_polygons_are_skipped(session: Session, tmp_path: Path) -> None:
    point = {"type": "Point", "coordinates": [0, 0]}
    path = write(tmp_path / "p.geojson", [feature("P", point), feature("A", box(0, 0, 1, 1))])
    report = load(session, path, "district")
    assert report.created == 1
    assert "not a Polygon" in report.skipped[0]


def test_broken_geometries_are_skipped_with_a_message(session: Session, tmp_path: Path) -> None:
    open_ring = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1]]]}
    flat = {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [2, 2], [0, 0]]]}
    path = write(
        tmp_path / "broken.geojson",
        [feature("O", open_ring), feature("F", flat), feature("A", box(0, 0, 1, 1))],
    )
    report = load(session, path, "district")
    assert report.created == 1
    assert report.skipped == [
        "feature 1 (O): not a Polygon or MultiPolygon",
        "feature 2 (F): no area left once repaired",
    ]


def test_a_file_that_is_not_a_feature_collection_is_invalid(
    session: Session, tmp_path: Path
) -> None:
    path = tmp_path / "x.geojson"
    path.write_text('{"type": "Polygon"}')
    with pytest.raises(Invalid, match="not a GeoJSON FeatureCollection"):
        load(session, path, "district")
    path.write_text('{"type": "FeatureCollection", "features": {}}')
    with pytest.raises(Invalid, match="no features list"):
        load(session, path, "district")
    path.write_text("not json")
    with pytest.raises(Invalid, match="not a GeoJSON"):
        load(session, path, "district")
    with pytest.raises(Invalid, match="does not exist"):
        load(session, tmp_path / "missing.geojson", "district")


def test_names_from_a_template_or_the_code(session: Session, tmp_path: Path) -> None:
    path = write(
        tmp_path / "cd.geojson",
        [feature(None, box(0, 0, 1, 1), BoroCD=311.0), feature(None, box(1, 0, 2, 1), BoroCD=312)],
    )
    load(session, path, "cd", code_property="BoroCD", name_template="CD {BoroCD:.0f}")
    assert area(session, "cd", "311").name == "CD 311"
    report = load(session, path, "plain", code_property="BoroCD", name_property="missing")
    assert area(session, "plain", "312").name == "312"
    assert "named by its code" in report.warnings[0]
    load(session, path, "templated", code_property="BoroCD", name_template="{Missing} CD")
    assert area(session, "templated", "311").name == "311"
    with pytest.raises(Invalid, match="must name properties in braces"):
        load(session, path, "other", code_property="BoroCD", name_template="no braces")
    with pytest.raises(Invalid, match="must name properties in braces"):
        load(session, path, "other", code_property="BoroCD", name_template="CD {BoroCD")


def test_features_sharing_a_code_are_merged(session: Session, tmp_path: Path) -> None:
    path = write(
        tmp_path / "tracts.geojson",
        [feature("Mission", box(0, 0, 1, 1)), feature("Mission", box(1, 0, 2, 1))],
    )
    report = load(session, path, "neighbourhood")
    assert (report.created, report.merged) == (1, 1)
    merged = area(session, "neighbourhood", "Mission")
    assert shapely.from_geojson(merged.geometry).area == pytest.approx(2)


def test_department_from_a_property(session: Session, tmp_path: Path) -> None:
    parks = factories.department(session, code="DPR")
    path = write(
        tmp_path / "d.geojson",
        [feature("A", box(0, 0, 1, 1), dept="DPR"), feature("B", box(1, 0, 2, 1), dept="NOPE")],
    )
    report = load(session, path, "district", department_property="dept")
    assert area(session, "district", "A").department_id == parks.id
    assert area(session, "district", "B").department_id is None
    assert "B: no department with code 'NOPE'" in report.warnings


@pytest.fixture
def hierarchy(session: Session) -> tuple[Area, Area, Area, Area]:
    city = factories.area(session, level_name="city", rank=0, bounds=(0, 0, 2, 2), code="C")
    north = factories.area(
        session, level_name="district", rank=1, bounds=(0, 1, 2, 2), parent=city, code="N"
    )
    south = factories.area(
        session, level_name="district", rank=1, bounds=(0, 0, 2, 1), parent=city, code="S"
    )
    block = factories.area(
        session, level_name="block", rank=2, bounds=(0, 1, 1, 2), parent=north, code="B"
    )
    return city, north, south, block


def test_levels_and_area_lists(session: Session, hierarchy: tuple[Area, ...]) -> None:
    city, north, south, block = hierarchy
    assert [lvl.name for lvl in service.list_levels(session)] == ["city", "district", "block"]
    assert service.area_counts(session)[north.level_id] == 2
    assert [a.code for a in service.list_areas(session, level="district")] == ["N", "S"]
    assert service.list_areas(session, parent_id=north.id) == [block]
    assert service.list_areas(session, level="district", parent_id=city.id) == [north, south]
    assert service.list_areas(session, level="block", parent_id=south.id) == []
    with pytest.raises(Invalid, match="unknown level 'ward'; levels: city, district, block"):
        service.list_areas(session, level="ward")


def test_ancestors_and_descendants(session: Session, hierarchy: tuple[Area, ...]) -> None:
    city, north, south, block = hierarchy
    assert service.ancestors(session, block.id) == [north, city]
    assert service.ancestors(session, city.id) == []
    assert service.descendant_ids(session, city.id) == {city.id, north.id, south.id, block.id}
    assert service.descendant_ids(session, north.id) == {north.id, block.id}
    assert service.descendant_ids(session, south.id) == {south.id}
    with pytest.raises(NotFound, match="area 999999 does not exist"):
        service.descendant_ids(session, 999_999)
    with pytest.raises(NotFound):
        service.ancestors(session, 999_999)


def test_a_parent_cycle_does_not_loop_forever(
    session: Session, hierarchy: tuple[Area, ...]
) -> None:
    city, north, _, block = hierarchy
    city.parent_id = block.id
    session.flush()
    assert service.ancestors(session, block.id) == [north, city]
    assert block.id in service.descendant_ids(session, city.id)


def test_set_responsible(session: Session, hierarchy: tuple[Area, ...]) -> None:
    north = hierarchy[1]
    dept = factories.department(session)
    updated = service.set_responsible(session, area_id=north.id, department_id=dept.id)
    assert updated.department_id == dept.id
    assert updated.supervisor_id is None
    with pytest.raises(Invalid, match="department 999999 does not exist"):
        service.set_responsible(session, area_id=north.id, department_id=999_999)
    with pytest.raises(Invalid, match="user 999999 does not exist"):
        service.set_responsible(session, area_id=north.id, supervisor_id=999_999)
    with pytest.raises(NotFound):
        service.set_responsible(session, area_id=999_999, department_id=dept.id)
    assert service.set_responsible(session, area_id=north.id).department_id is None


# The CLI commits, so it runs against a database of its own, never the rolled-back one.


@pytest.fixture
def cli_env(tmp_path: Path) -> dict[str, str]:
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    engine.dispose()
    return {"CIVICGRID_DATABASE_URL": url, "CIVICGRID_DATA_DIR": str(tmp_path)}


def test_cli_loads_a_file_and_lists_levels(
    cli_env: dict[str, str], tmp_path: Path, two_districts: Path
) -> None:
    runner = CliRunner()
    loaded = runner.invoke(
        cli,
        [
            "grid",
            "load",
            str(two_districts),
            "--level",
            "district",
            "--name-property",
            "{name} district",
            "--code-property",
            "code",
        ],
        env=cli_env,
    )
    assert loaded.exit_code == 0, loaded.output
    assert "2 created" in loaded.output
    blocks = write(
        tmp_path / "b.geojson",
        [feature("b1", box(5, 5, 6, 6), name="Far"), feature(None, box(0, 0, 1, 1))],
    )
    child = runner.invoke(
        cli,
        [
            "grid",
            "load",
            str(blocks),
            "--level",
            "block",
            "--name-property",
            "name",
            "--code-property",
            "code",
            "--parent-level",
            "district",
        ],
        env=cli_env,
    )
    assert child.exit_code == 0, child.output
    assert "no parent found for: b1" in " ".join(child.output.split())
    assert "feature 2: no 'code' property" in " ".join(child.output.split())
    listed = runner.invoke(cli, ["grid", "levels"], env=cli_env)
    assert listed.exit_code == 0, listed.output
    assert "district" in listed.output
    assert "block" in listed.output

    engine = make_engine(cli_env["CIVICGRID_DATABASE_URL"])
    with make_session_factory(engine)() as db:
        names = sorted(a.name for a in db.scalars(select(Area)))
    engine.dispose()
    assert names == ["East district", "Far", "West district"]


def test_cli_reports_a_bad_load_and_fails(cli_env: dict[str, str], two_districts: Path) -> None:
    result = CliRunner().invoke(
        cli,
        [
            "grid",
            "load",
            str(two_districts),
            "--level",
            "district",
            "--name-property",
            "name",
            "--code-property",
            "code",
            "--parent-level",
            "nowhere",
        ],
        env=cli_env,
    )
    assert result.exit_code == 1
    assert "parent level 'nowhere' does not exist" in " ".join(result.output.split())
