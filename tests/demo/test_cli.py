"""`civicgrid demo` against a fresh SQLite database: migrates, loads, adds nothing twice."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import func, select
from typer.testing import CliRunner

from civicgrid.cases.models import Case
from civicgrid.cli.main import app
from civicgrid.db import make_engine
from civicgrid.demo import synthetic


def cases_in(url: str) -> int:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = conn.scalar(select(func.count(Case.id))) or 0
    engine.dispose()
    return found


def test_demo_command_twice_then_reset(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    env = {
        "CIVICGRID_DATA_DIR": str(tmp_path / "var"),
        "CIVICGRID_DATABASE_URL": url,
        "CIVICGRID_SHARED_DIR": str(tmp_path / "no-shared"),
    }
    runner = CliRunner()
    first = runner.invoke(app, ["demo"], env=env)
    assert first.exit_code == 0, first.output
    assert f"small demo ready: {synthetic.CASES} cases" in first.output
    second = runner.invoke(app, ["demo", "--small"], env=env)
    assert second.exit_code == 0, second.output
    assert f"0 imported, {synthetic.CASES} already imported" in second.output
    assert cases_in(url) == synthetic.CASES
    reset = runner.invoke(app, ["demo", "--small", "--reset"], env=env)
    assert reset.exit_code == 0, reset.output
    assert f"{synthetic.CASES} imported, 0 already imported" in reset.output
    assert cases_in(url) == synthetic.CASES
