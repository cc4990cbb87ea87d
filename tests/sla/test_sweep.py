"""The deadline sweep: warnings, breaches, escalation up the grid, the job and the CLI."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, delete, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from civicgrid.cases.models import Case, CaseEvent
from civicgrid.catalog.models import Category, Department
from civicgrid.cli.main import app
from civicgrid.grid.models import Area
from civicgrid.jobs import registered_jobs
from civicgrid.settings import Settings
from civicgrid.sla import service
from civicgrid.sla.models import Calendar, Holiday
from civicgrid.sla.sweep import SweepReport, sweep_sla_deadlines
from tests import factories
from tests.sla import make_case, make_user, ny

# Filed Monday 2026-02-02 09:00 under an 8h / 40h policy: first response warned at 15:00 and
# due at 17:00 that day; resolution warned Thursday 15:00 and due Friday 2026-02-06 17:00.
FILED = ny(2026, 2, 2, 9)
FIRST_WARN, FIRST_DUE = ny(2026, 2, 2, 15), ny(2026, 2, 2, 17)
RESOLUTION_DUE = ny(2026, 2, 6, 17)


def square(session: Session, level: str, rank: int, parent: Area | None = None) -> Area:
    return factories.area(session, level_name=level, rank=rank, bounds=(0, 0, 1, 1), parent=parent)


@pytest.fixture
def grid(session: Session) -> dict[str, Area]:
    """City > borough > district; the borough and the city have named supervisors."""
    city = square(session, "city", 0)
    borough = square(session, "borough", 1, city)
    district = square(session, "district", 2, borough)
    city.supervisor_id = make_user(session, display_name="Carl City").id
    borough.supervisor_id = make_user(session, display_name="Brenda Borough").id
    session.flush()
    return {"city": city, "borough": borough, "district": district}


def filed_case(session: Session, settings: Settings, **fields: Any) -> Case:
    """A case filed at FILED under an 8h first-response, 40h resolution policy."""
    cal = factories.calendar(session)
    category = factories.category(session)
    factories.sla_policy(
        session, category_id=category.id, calendar_id=cal.id, first_response=8, resolution=40
    )
    case = make_case(session, category_id=category.id, **fields)
    service.start_clocks(session, case=case, now=FILED, settings=settings)
    session.flush()
    return case


def events(session: Session, case: Case, kind: str) -> list[CaseEvent]:
    query = select(CaseEvent).where(CaseEvent.case_id == case.id, CaseEvent.kind == kind)
    return list(session.scalars(query.order_by(CaseEvent.id)))


def sweep(session: Session, settings: Settings, now: datetime) -> SweepReport:
    return sweep_sla_deadlines(session, settings, now=now)


def test_warning_at_three_quarters_of_the_budget(session: Session, settings: Settings) -> None:
    case = filed_case(session, settings)
    assert case.first_response_warn_at == FIRST_WARN
    assert sweep(session, settings, ny(2026, 2, 2, 14, 59)) == SweepReport()
    assert sweep(session, settings, FIRST_WARN) == SweepReport(warned=1)
    assert case.first_response_warned is True
    assert case.first_response_breached is False
    [warning] = events(session, case, "sla_warning")
    assert warning.data == {
        "clock": "first_response",
        "due": FIRST_DUE.astimezone(UTC).isoformat(),
    }
    assert warning.body == "First-response deadline approaching: due 2026-02-02 17:00 EST."
    assert warning.actor == "system:sla"
    assert warning.created_at == FIRST_WARN
    assert sweep(session, settings, FIRST_WARN) == SweepReport()
    assert len(events(session, case, "sla_warning")) == 1


def test_breaches_escalate_up_two_levels_then_stop_at_the_top(
    session: Session, settings: Settings, grid: dict[str, Area]
) -> None:
    case = filed_case(session, settings, area_id=grid["district"].id)
    # The first-response warning is overdue too, but a warning after the deadline is noise.
    assert sweep(session, settings, FIRST_DUE) == SweepReport(breached=1, escalated=1)
    assert (case.first_response_breached, case.first_response_warned) == (True, True)
    assert (case.escalation_level, case.escalated_area_id) == (1, grid["borough"].id)
    assert events(session, case, "sla_warning") == []
    [breach] = events(session, case, "sla_breached")
    assert breach.data["clock"] == "first_response"
    assert breach.body == "First-response deadline missed: it was due 2026-02-02 17:00 EST."

    assert sweep(session, settings, RESOLUTION_DUE) == SweepReport(breached=1, escalated=1)
    assert (case.escalation_level, case.escalated_area_id) == (2, grid["city"].id)
    to_borough, to_city = events(session, case, "escalated")
    assert to_borough.data == {
        "area_id": grid["borough"].id,
        "area_name": grid["borough"].name,
        "supervisor_id": grid["borough"].supervisor_id,
        "supervisor": "Brenda Borough",
        "level": 1,
    }
    assert to_city.data["supervisor"] == "Carl City"
    assert to_city.data["level"] == 2
    assert to_city.body == f"Escalated to {grid['city'].name} (level 2); supervisor Carl City."

    service.restart_resolution_clock(session, case=case, now=ny(2026, 2, 9, 9), settings=settings)
    assert sweep(session, settings, ny(2026, 2, 13, 17)) == SweepReport(breached=1)
    assert (case.escalation_level, case.escalated_area_id) == (2, grid["city"].id)
    assert len(events(session, case, "escalated")) == 2
    assert len(events(session, case, "sla_breached")) == 3


def test_cases_of_one_area_escalate_to_the_same_parent(
    session: Session, settings: Settings, grid: dict[str, Area]
) -> None:
    first, second = (filed_case(session, settings, area_id=grid["district"].id) for _ in "ab")
    assert sweep(session, settings, FIRST_DUE) == SweepReport(breached=2, escalated=2)
    assert first.escalated_area_id == second.escalated_area_id == grid["borough"].id


def test_escalation_to_an_area_without_a_supervisor(session: Session, settings: Settings) -> None:
    borough = square(session, "borough", 1)
    district = square(session, "district", 2, borough)
    case = filed_case(session, settings, area_id=district.id)
    assert sweep(session, settings, FIRST_DUE) == SweepReport(breached=1, escalated=1)
    [escalated] = events(session, case, "escalated")
    assert (escalated.data["supervisor_id"], escalated.data["supervisor"]) == (None, None)
    assert escalated.body == f"Escalated to {borough.name} (level 1); no supervisor named."


def test_case_outside_the_grid_is_breached_but_not_escalated(
    session: Session, settings: Settings
) -> None:
    case = filed_case(session, settings, outside_grid=True)
    assert sweep(session, settings, FIRST_DUE) == SweepReport(breached=1)
    assert case.first_response_breached is True
    assert (case.escalation_level, case.escalated_area_id) == (0, None)
    assert events(session, case, "escalated") == []


def test_both_clocks_missed_in_one_sweep_escalate_twice(
    session: Session, settings: Settings, grid: dict[str, Area]
) -> None:
    case = filed_case(session, settings, area_id=grid["district"].id)
    assert sweep(session, settings, RESOLUTION_DUE) == SweepReport(breached=2, escalated=2)
    assert (case.escalation_level, case.escalated_area_id) == (2, grid["city"].id)


def test_first_response_clock_stops_once_answered(session: Session, settings: Settings) -> None:
    case = filed_case(session, settings, first_response_at=ny(2026, 2, 2, 10))
    assert sweep(session, settings, FIRST_DUE) == SweepReport()
    assert case.first_response_breached is False


def test_paused_cases_are_skipped(session: Session, settings: Settings) -> None:
    case = filed_case(session, settings)
    service.pause(case=case, now=ny(2026, 2, 2, 10))
    assert sweep(session, settings, RESOLUTION_DUE) == SweepReport()
    service.resume(session, case=case, now=ny(2026, 2, 2, 11))
    assert case.first_response_due == ny(2026, 2, 3, 10)
    assert sweep(session, settings, ny(2026, 2, 3, 10)) == SweepReport(breached=1)


@pytest.mark.parametrize("status", ["resolved", "closed"])
def test_finished_cases_are_skipped(session: Session, settings: Settings, status: str) -> None:
    case = filed_case(session, settings, status=status)
    assert sweep(session, settings, RESOLUTION_DUE) == SweepReport()
    assert events(session, case, "sla_breached") == []


@pytest.mark.parametrize("status", ["new", "in_progress", "waiting", "reopened"])
def test_open_cases_are_swept(session: Session, settings: Settings, status: str) -> None:
    filed_case(session, settings, status=status)
    assert sweep(session, settings, FIRST_WARN) == SweepReport(warned=1)


def test_sweep_works_through_cases_in_batches(session: Session, settings: Settings) -> None:
    cases = [filed_case(session, settings) for _ in range(5)]
    report = sweep_sla_deadlines(session, settings, now=FIRST_WARN, batch_size=2)
    assert report == SweepReport(warned=5)
    assert all(case.first_response_warned for case in cases)
    again = sweep_sla_deadlines(session, settings, now=FIRST_WARN, batch_size=2)
    assert again == SweepReport()


def test_sweep_runs_at_the_current_time_by_default(session: Session, settings: Settings) -> None:
    case = make_case(session, resolution_due=datetime(2020, 1, 6, 17, tzinfo=UTC))
    assert sweep_sla_deadlines(session, settings) == SweepReport(breached=1)
    assert case.resolution_breached is True
    assert str(SweepReport(1, 2, 3)) == "1 warned, 2 breached, 3 escalated"


def test_sweep_is_a_registered_job(session: Session, settings: Settings) -> None:
    [job] = [job for job in registered_jobs() if job.name == "sweep_sla_deadlines"]
    assert job.interval(settings) == settings.sweep_interval_seconds
    assert job.func(session, settings) == SweepReport()


# --- the command line -------------------------------------------------------------------


@pytest.fixture
def cli_env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    monkeypatch.setenv("CIVICGRID_DATABASE_URL", database_url)
    monkeypatch.setenv("CIVICGRID_DATA_DIR", str(tmp_path))
    return CliRunner()


@pytest.fixture
def committed_case(engine: Engine) -> Iterator[Case]:
    """An overdue case committed for real, since the CLI opens its own connection."""
    with Session(engine, expire_on_commit=False) as db:
        case = make_case(db, resolution_due=datetime(2020, 1, 6, 17, tzinfo=UTC))
        db.commit()
    yield case
    with Session(engine) as db:
        db.execute(delete(CaseEvent).where(CaseEvent.case_id == case.id))
        db.execute(delete(Case).where(Case.id == case.id))
        db.execute(delete(Category).where(Category.id == case.category_id))
        db.execute(delete(Department).where(Department.id == case.department_id))
        db.commit()


def test_cli_sweep_prints_the_report(
    cli_env: CliRunner, committed_case: Case, engine: Engine
) -> None:
    result = cli_env.invoke(app, ["sla", "sweep"])
    assert result.exit_code == 0, result.output
    assert "SLA sweep: 0 warned, 1 breached, 0 escalated" in result.stdout
    with Session(engine) as db:
        assert db.get_one(Case, committed_case.id).resolution_breached is True
    again = cli_env.invoke(app, ["sla", "sweep"])
    assert "SLA sweep: 0 warned, 0 breached, 0 escalated" in again.stdout


@pytest.fixture
def calendar_name(engine: Engine) -> Iterator[str]:
    name = "CLI holiday test"
    yield name
    with Session(engine) as db:
        cal_id = db.scalar(select(Calendar.id).where(Calendar.name == name))
        db.execute(delete(Holiday).where(Holiday.calendar_id == cal_id))
        db.execute(delete(Calendar).where(Calendar.id == cal_id))
        db.commit()


def test_cli_holidays_creates_the_calendar_and_loads_once(
    cli_env: CliRunner, calendar_name: str, engine: Engine
) -> None:
    args = ["sla", "holidays", "--calendar", calendar_name, "--country", "US"]
    args += ["--subdivision", "NY", "--year", "2026", "--year", "2027"]
    result = cli_env.invoke(app, [*args, "--timezone", "America/Chicago"])
    assert result.exit_code == 0, result.output
    assert "2026-07-03  Independence Day (observed)" in result.stdout
    assert "2027-12-24  Christmas Day (observed)" in result.stdout
    with Session(engine) as db:
        cal = db.scalars(select(Calendar).where(Calendar.name == calendar_name)).one()
        assert (cal.timezone, cal.work_start, cal.work_end) == ("America/Chicago", "09:00", "17:00")
    again = cli_env.invoke(app, args)
    assert again.exit_code == 0, again.output
    assert "0 holidays added" in again.output


def test_cli_holidays_explains_an_unknown_country(cli_env: CliRunner, calendar_name: str) -> None:
    args = ["sla", "holidays", "--calendar", calendar_name, "--country", "XX", "--year", "2026"]
    result = cli_env.invoke(app, args)
    assert result.exit_code == 1
    assert "cannot load public holidays" in result.output
