"""`civicgrid db` and `civicgrid user` against a fresh SQLite database (the CLI commits)."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from civicgrid.cli.main import app

runner = CliRunner()


@pytest.fixture
def fresh_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "cli.db"
    monkeypatch.setenv("CIVICGRID_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("CIVICGRID_DATA_DIR", str(tmp_path))
    return db


def test_upgrade_then_check(fresh_db: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert fresh_db.exists()
    assert runner.invoke(app, ["db", "check"]).exit_code == 0


def test_user_lifecycle(fresh_db: Path) -> None:
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    created = runner.invoke(app, ["user", "create", "ann", "--role", "supervisor", "--name", "Ann"])
    assert created.exit_code == 0, created.output
    first_token = created.stdout.strip().splitlines()[-1]
    assert len(first_token) > 30
    second = runner.invoke(app, ["user", "token", "ann", "--label", "phone"])
    assert second.exit_code == 0
    assert second.stdout.strip() != first_token
    listed = runner.invoke(app, ["user", "list"])
    assert "ann" in listed.output
    assert "supervisor" in listed.output
    revoked = runner.invoke(app, ["user", "revoke", "ann"])
    assert "revoked 2 token(s)" in revoked.output
    bad = runner.invoke(app, ["user", "create", "bob", "--role", "mayor"])
    assert bad.exit_code == 1
    assert "role must be one of" in bad.output
    assert "Traceback" not in bad.output
