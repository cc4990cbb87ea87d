"""Build the demo city, New York: grid, agencies, categories, deadlines, staff and 311 cases.

The full demo reads the city's own files from SHARED_DIR/data (boundaries and two 311
samples); without them, or with ``small``, it uses the invented data shipped in demo/data.
Every step finds what an earlier run made, so running the demo again adds nothing.
"""

from __future__ import annotations

import csv
import json
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, MetaData, func, select
from sqlalchemy.orm import Session

from civicgrid import migrate
from civicgrid.accounts import service as accounts
from civicgrid.cases.models import Case
from civicgrid.catalog.models import Category, Department, RoutingRule
from civicgrid.demo import nyc
from civicgrid.errors import NotFound
from civicgrid.grid import loader
from civicgrid.grid import service as grid
from civicgrid.intake.importer import ImportReport, Progress, import_file
from civicgrid.intake.mapping import category_code, load_mapping
from civicgrid.settings import Settings
from civicgrid.sla import service as sla
from civicgrid.sla.models import SlaPolicy

FULL_CASE_FILES = ("nyc311_fullcols_1000_2024-04.csv", "nyc311_2026-06_10000.csv")


@dataclass(frozen=True)
class DemoData:
    """Where the demo's files are: the two boundary files and the 311 case files."""

    variant: str
    boroughs: Path
    districts: Path
    cases: tuple[Path, ...]


@dataclass
class DemoReport:
    """What the demo loaded, for the command's summary and the tests."""

    variant: str
    imports: list[ImportReport] = field(default_factory=list)
    cases: int = 0
    """Cases in the database once the demo is loaded."""


def demo_data(settings: Settings, *, small: bool) -> DemoData:
    """The full demo's files when SHARED_DIR/data has them (and not ``small``), else the bundled."""
    data = settings.shared_dir / "data"
    full = DemoData(
        variant="full",
        boroughs=data / "nyc_boundaries" / "boroughs.geojson",
        districts=data / "nyc_boundaries" / "community_districts.geojson",
        cases=tuple(data / "nyc311" / name for name in FULL_CASE_FILES),
    )
    if not small and all(p.is_file() for p in (full.boroughs, full.districts, *full.cases)):
        return full
    bundled = Path(str(resources.files("civicgrid.demo").joinpath("data")))
    return DemoData(
        variant="small",
        boroughs=bundled / "small_city_boroughs.geojson",
        districts=bundled / "small_city_districts.geojson",
        cases=(bundled / "cases.csv",),
    )


def prepare_database(engine: Engine, *, reset: bool = False) -> None:
    """Migrate the database; with ``reset``, drop every table first."""
    if reset:
        tables = MetaData()
        tables.reflect(bind=engine)
        tables.drop_all(bind=engine)
    migrate.upgrade(engine)


def load_demo(
    session: Session, *, settings: Settings, small: bool = False, progress: Progress | None = None
) -> DemoReport:
    """Load the demo city into a migrated database within the session's transaction."""
    data = demo_data(settings, small=small)
    report = DemoReport(variant=data.variant)
    load_grid(session, data=data)
    complaints = _complaints(data.cases)
    load_departments(session, agencies=sorted({agency for _, agency in complaints.values()}))
    years = _years(data.cases)
    load_categories(session, complaints=complaints)
    load_deadlines(session, years=years)
    load_staff(session)
    for path in data.cases:
        report.imports.append(
            import_file(
                session,
                path=path,
                mapping="nyc311",
                settings=settings,
                rejects_path=settings.data_dir / "rejects" / f"{path.name}.rejects.csv",
                progress=progress,
            )
        )
    report.cases = case_count(session)
    return report


def load_grid(session: Session, *, data: DemoData) -> None:
    """Boroughs and community districts (named "Brooklyn CD 11"), districts under boroughs."""
    loader.load_geojson(
        session,
        path=data.boroughs,
        level="borough",
        name_property="BoroName",
        code_property="BoroCode",
    )
    with _named_districts(data.districts) as districts:
        loader.load_geojson(
            session,
            path=districts,
            level="district",
            name_property="name",
            code_property="BoroCD",
            parent_level="borough",
        )


@contextmanager
def _named_districts(path: Path) -> Iterator[Path]:
    """The districts file with a ``name`` property added, in a temporary file."""
    collection: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    for feature in collection["features"]:
        props = feature.setdefault("properties", {})
        props["name"] = nyc.district_name(int(props["BoroCD"]))
    with tempfile.TemporaryDirectory() as tmp:
        named = Path(tmp) / "community_districts.geojson"
        named.write_text(json.dumps(collection), encoding="utf-8")
        yield named


def _complaints(paths: Sequence[Path]) -> dict[str, tuple[str, str]]:
    """Category code -> (complaint type, the agency that handles most of its cases)."""
    seen: dict[str, Counter[tuple[str, str]]] = {}
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle):
                kind = (row.get("complaint_type") or "").strip()
                if kind:
                    counts = seen.setdefault(category_code(kind), Counter())
                    counts[(kind, (row.get("agency") or "").strip())] += 1
    return {code: counts.most_common(1)[0][0] for code, counts in seen.items()}


def _years(paths: Sequence[Path]) -> list[int]:
    years: set[int] = set()
    for path in paths:
        with path.open(encoding="utf-8", newline="") as handle:
            years.update(int(row["created_date"][:4]) for row in csv.DictReader(handle))
    # A deadline can run into the next year, so its holidays are loaded too.
    return list(range(min(years), max(years) + 2)) if years else []


def load_departments(session: Session, *, agencies: Sequence[str]) -> None:
    """Every NYC agency of the files, with full names, and the 311 centre as the default."""
    existing = set(session.scalars(select(Department.code)))
    names = load_mapping("nyc311").department_names
    code, name = nyc.DEFAULT_DEPARTMENT
    wanted = {code: name, **{a: nyc.AGENCIES.get(a, (names.get(a, a), ""))[0] for a in agencies}}
    for dept_code, dept_name in wanted.items():
        if dept_code and dept_code not in existing:
            session.add(Department(code=dept_code, name=dept_name, is_default=dept_code == code))
    session.flush()


def load_categories(session: Session, *, complaints: dict[str, tuple[str, str]]) -> None:
    """A category per complaint type, grouped by agency, routed to the agency that handles it."""
    departments = dict(session.execute(select(Department.code, Department.id)).all())
    existing = set(session.scalars(select(Category.code)))
    for code, (kind, agency) in sorted(complaints.items()):
        if code in existing:
            continue
        category = Category(code=code, name=kind[:200], group=nyc.group_for(agency))
        session.add(category)
        session.flush()
        if agency in departments:
            session.add(
                RoutingRule(
                    category_id=category.id, area_id=None, department_id=departments[agency]
                )
            )
    session.flush()


def load_deadlines(session: Session, *, years: Sequence[int]) -> None:
    """The city's working calendar with US/NY holidays, a policy per category group, a default."""
    calendar = sla.ensure_calendar(
        session,
        name=nyc.CALENDAR,
        timezone="America/New_York",
        holiday_country="US",
        holiday_subdivision="NY",
        years=years,
    )
    covered = set(session.scalars(select(SlaPolicy.category_id)))
    categories = session.execute(select(Category.id, Category.group)).all()
    wanted: list[tuple[int | None, nyc.Targets]] = [(None, nyc.DEFAULT_TARGETS)]
    wanted += [(cid, nyc.GROUP_TARGETS[g]) for cid, g in categories if g in nyc.GROUP_TARGETS]
    for category_id, targets in wanted:
        if category_id in covered:
            continue
        session.add(
            SlaPolicy(
                category_id=category_id,
                calendar_id=calendar.id,
                unit=targets.unit,
                first_response=targets.first_response,
                resolution=targets.resolution,
                priority=targets.priority,
            )
        )
    session.flush()


def load_staff(session: Session) -> None:
    """An administrator, a supervisor per borough (answerable for it), a caseworker per agency."""
    _user(session, username="admin", name="Demo administrator", role="administrator")
    for area in grid.list_areas(session, level="borough"):
        username = f"supervisor-{area.name.lower().replace(' ', '-')}"
        supervisor = _user(
            session, username=username, name=f"{area.name} supervisor", role="supervisor"
        )
        if area.supervisor_id is None:
            grid.set_responsible(
                session,
                area_id=area.id,
                department_id=area.department_id,
                supervisor_id=supervisor,
            )
    for code, name in session.execute(select(Department.code, Department.name)):
        _user(
            session,
            username=f"caseworker-{code.lower()}",
            name=f"{name} caseworker",
            role="caseworker",
            department=code,
        )


def _user(
    session: Session, *, username: str, name: str, role: str, department: str | None = None
) -> int:
    try:
        return accounts.get_by_username_or_raise(session, username).id
    except NotFound:
        created = accounts.create(
            session, username=username, display_name=name, role=role, department_code=department
        )
        return created.id


def case_count(session: Session) -> int:
    """How many cases the database holds."""
    return session.scalar(select(func.count(Case.id))) or 0
