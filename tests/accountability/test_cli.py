"""`civicgrid export` and `civicgrid accountability refresh` end to end on a fresh SQLite file."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from civicgrid.cli.main import app
from civicgrid.db import make_engine, make_session_factory, transaction
from civicgrid.settings import Settings
from tests.accountability.conftest import SOUTH, at, file, make_town, move

runner = CliRunner()


@pytest.fixture
def city_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "city.db"
    monkeypatch.setenv("CIVICGRID_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("CIVICGRID_DATA_DIR", str(tmp_path))
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    engine = make_engine(f"sqlite:///{db}")
    settings = Settings(data_dir=tmp_path, database_url=f"sqlite:///{db}")
    with transaction(make_session_factory(engine)) as session:
        make_town(session)
        north = file(session, settings, description="ring 212-555-0134", contact={"name": "Zed"})
        move(session, settings, north, "resolved", at(2))
        file(session, settings, point=SOUTH, category="shelter", now=at(1, month=7))
    engine.dispose()
    return db


def test_export_writes_each_format(city_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "cases.geojson"
    result = runner.invoke(app, ["export", "--format", "geojson", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "2 cases written to" in result.output
    features = json.loads(out.read_text())["features"]
    assert len(features) == 2
    assert not (tmp_path / "cases.geojson.partial").exists()
    parquet = tmp_path / "cases.parquet"
    assert (
        runner.invoke(app, ["export", "--format", "parquet", "--output", str(parquet)]).exit_code
        == 0
    )
    assert pq.read_table(parquet).num_rows == 2


def test_export_to_standard_output_with_filters(city_db: Path) -> None:
    args = [
        "export",
        "--format",
        "csv",
        "--output",
        "-",
        "--from",
        "2026-06-01",
        "--to",
        "2026-06-30",
    ]
    result = runner.invoke(app, [*args, "--status", "resolved", "--category", "pothole"])
    assert result.exit_code == 0, result.output
    [row] = list(csv.DictReader(io.StringIO(result.stdout)))
    assert row["description"] == "ring [phone]"
    assert "Zed" not in result.stdout
    july = runner.invoke(app, ["export", "--format", "csv", "--output", "-", "--channel", "api"])
    assert len(list(csv.DictReader(io.StringIO(july.stdout)))) == 2


def test_export_errors_name_the_fix(city_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    result = runner.invoke(
        app, ["export", "--format", "csv", "--output", str(out), "--department", "NOPE"]
    )
    assert result.exit_code == 1
    assert "no department with code 'NOPE'" in result.output
    assert not out.exists()
    bad = runner.invoke(app, ["export", "--format", "xlsx", "--output", str(out)])
    assert bad.exit_code == 2


def test_refresh_builds_then_updates_the_monthly_figures(city_db: Path) -> None:
    first = runner.invoke(app, ["accountability", "refresh"])
    assert first.exit_code == 0, first.output
    assert "full rebuild: 2 months" in first.output
    again = runner.invoke(app, ["accountability", "refresh"])
    assert "refresh: 0 months" in again.output
    full = runner.invoke(app, ["accountability", "refresh", "--full"])
    assert "full rebuild: 2 months" in full.output
