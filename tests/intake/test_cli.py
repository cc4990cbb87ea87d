"""`civicgrid import` against a fresh SQLite database: it commits, reports and rejects."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from civicgrid.cases.models import Case
from civicgrid.cli.main import app
from civicgrid.db import make_engine
from tests.intake.conftest import NYC_HEADER, nyc_row, read_rejects, write_csv


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {
        "CIVICGRID_DATA_DIR": str(tmp_path / "var"),
        "CIVICGRID_DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        "CIVICGRID_SHARED_DIR": str(tmp_path / "no-shared"),
    }


def cases_in(env: dict[str, str]) -> int:
    engine = make_engine(env["CIVICGRID_DATABASE_URL"])
    with engine.connect() as conn:
        found = conn.scalar(select(func.count(Case.id))) or 0
    engine.dispose()
    return found


def test_import_commits_and_is_idempotent(tmp_path: Path, env: dict[str, str]) -> None:
    rows = [nyc_row("1"), nyc_row("2"), nyc_row("3", created_date="someday"), nyc_row("4")]
    path = write_csv(tmp_path / "nyc.csv", NYC_HEADER, rows)
    runner = CliRunner()
    first = runner.invoke(
        app, ["import", str(path), "--mapping", "nyc311", "--limit", "3"], env=env
    )
    assert first.exit_code == 0, first.output
    assert "3 rows read, 2 imported, 0 already imported, 1 rejected" in first.output
    assert "rejected, bad date: 1" in first.output
    assert "created 1 departments and 1 categories" in first.output
    rejects = Path(env["CIVICGRID_DATA_DIR"]) / "rejects" / "nyc.csv.rejects.csv"
    assert read_rejects(rejects)[0]["unique_key"] == "3"
    assert cases_in(env) == 2

    mine = tmp_path / "mine.rejects.csv"
    again = runner.invoke(
        app,
        ["import", str(path), "--mapping", "nyc311", "--rejects", str(mine), "--no-bulk"],
        env=env,
    )
    assert again.exit_code == 0, again.output
    assert "4 rows read, 1 imported, 2 already imported, 1 rejected" in again.output
    assert mine.exists()
    assert cases_in(env) == 3


def test_import_errors_are_one_line(tmp_path: Path, env: dict[str, str]) -> None:
    path = write_csv(tmp_path / "nyc.csv", NYC_HEADER, [nyc_row("1")])
    result = CliRunner().invoke(app, ["import", str(path), "--mapping", "tokyo311"], env=env)
    assert result.exit_code == 1
    assert "neither a file nor a bundled mapping" in result.output
    result = CliRunner().invoke(app, ["import", str(path), "--mapping", "sf311"], env=env)
    assert result.exit_code == 1
    assert "has no column 'CaseID'" in result.output
