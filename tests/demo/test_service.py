"""The demo city: the small bundled one always, the full New York one when ../shared is here."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicgrid.accounts.models import User
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.catalog.models import Category, Department, RoutingRule
from civicgrid.demo import nyc, service, synthetic
from civicgrid.grid.models import Area, AreaLevel
from civicgrid.settings import Settings
from civicgrid.sla.models import Holiday, SlaPolicy
from tests.conftest import shared_file

COUNTED = (Case, CaseEvent, User, Department, Category, RoutingRule, SlaPolicy, Holiday, Area)


def counts(session: Session) -> dict[str, int]:
    return {
        model.__name__: session.scalar(select(func.count()).select_from(model)) or 0
        for model in COUNTED
    }


def test_small_demo(session: Session, settings: Settings) -> None:
    report = service.load_demo(session, settings=settings, small=True)
    assert report.variant == "small"
    assert report.cases == synthetic.CASES
    assert [i.rejected for i in report.imports] == [0]
    loaded = counts(session)
    levels = dict(session.execute(select(AreaLevel.name, AreaLevel.rank)).all())
    assert levels == {"borough": 0, "district": 1}
    boroughs = session.scalars(
        select(Area).join(AreaLevel).where(AreaLevel.name == "borough")
    ).all()
    assert sorted(b.name for b in boroughs) == sorted(nyc.BOROUGHS.values())
    assert all(b.supervisor_id is not None for b in boroughs)
    park = session.scalar(select(Area).where(Area.code == "164"))
    assert park is not None
    assert park.name == "Manhattan joint interest area 64 (Central Park)"
    default = session.scalar(select(Department).where(Department.is_default.is_(True)))
    assert default is not None
    assert default.code == "311"
    nypd = session.scalar(select(Department).where(Department.code == "NYPD"))
    assert nypd is not None
    assert nypd.name == "New York City Police Department"
    roles = dict(session.execute(select(User.username, User.role)).all())
    assert roles["admin"] == "administrator"
    assert roles["supervisor-staten-island"] == "supervisor"
    assert roles["caseworker-nypd"] == "caseworker"
    noise = session.scalar(select(Category).where(Category.code == "noise-residential"))
    assert noise is not None
    assert noise.group == "Noise and public safety"
    policy = session.scalar(select(SlaPolicy).where(SlaPolicy.category_id == noise.id))
    assert policy is not None
    assert (policy.unit, policy.first_response) == ("working_hours", 2)
    assert loaded["Holiday"] > 0
    assert session.scalar(select(func.count(Case.id)).where(Case.sla_policy_id.is_(None))) == 0
    placed = session.scalar(select(func.count(Case.id)).where(Case.area_id.is_not(None)))
    assert placed
    assert placed > synthetic.CASES * 0.9

    again = service.load_demo(session, settings=settings, small=True)
    assert again.imports[0].already_imported == synthetic.CASES
    assert counts(session) == loaded


def test_full_demo(session: Session, settings: Settings) -> None:
    for name in service.FULL_CASE_FILES:
        shared_file("nyc311", name)
    shared_file("nyc_boundaries", "community_districts.geojson")
    report = service.load_demo(session, settings=settings)
    assert report.variant == "full"
    assert report.cases >= 10_000
    districts = session.scalar(
        select(func.count(Area.id)).join(AreaLevel).where(AreaLevel.name == "district")
    )
    assert districts == 71
    brooklyn = session.scalar(select(Area).where(Area.name == "Brooklyn CD 11"))
    assert brooklyn is not None
    assert brooklyn.code == "311"
    loaded = counts(session)
    again = service.load_demo(session, settings=settings)
    assert again.cases == report.cases
    assert counts(session) == loaded


def test_small_demo_data_is_what_the_generator_makes(tmp_path: Path) -> None:
    shipped = Path(service.demo_data(Settings(shared_dir=tmp_path), small=True).districts).parent
    synthetic.write(tmp_path)
    made = (tmp_path / "cases.csv").read_text(encoding="utf-8")
    assert made == (shipped / "cases.csv").read_text(encoding="utf-8")
    for name in ("small_city_boroughs.geojson", "small_city_districts.geojson"):
        ours = json.loads((tmp_path / name).read_text(encoding="utf-8"))
        theirs = json.loads((shipped / name).read_text(encoding="utf-8"))
        assert [f["properties"] for f in ours["features"]] == [
            f["properties"] for f in theirs["features"]
        ]


def test_district_names() -> None:
    assert nyc.district_name(311) == "Brooklyn CD 11"
    assert nyc.district_name(228) == "Bronx joint interest area 28 (Pelham Bay Park)"
    assert nyc.district_name(480) == "Queens joint interest area 80 (LaGuardia Airport)"
    assert nyc.district_name(699) == "Borough 6 joint interest area 99"
    assert nyc.group_for("NOPE") == nyc.OTHER_GROUP
