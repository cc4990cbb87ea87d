"""`civicgrid user create --password` and `civicgrid user password`: web logins from the CLI."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from civicgrid.accounts.models import User
from civicgrid.accounts.password import verify_password
from civicgrid.cli.main import app
from civicgrid.db import make_engine, make_session_factory

runner = CliRunner()


@pytest.fixture
def fresh_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "cli.db"
    monkeypatch.setenv("CIVICGRID_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("CIVICGRID_DATA_DIR", str(tmp_path))
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return db


def _hash(db: Path, username: str) -> str | None:
    with make_session_factory(make_engine(f"sqlite:///{db}"))() as session:
        return session.scalar(select(User.password_hash).where(User.username == username))


def test_create_with_a_prompted_password_then_change_it(fresh_db: Path) -> None:
    created = runner.invoke(
        app,
        ["user", "create", "ann", "--role", "supervisor", "--ask-password"],
        input="a long enough secret\na long enough secret\n",
    )
    assert created.exit_code == 0, created.output
    assert verify_password(_hash(fresh_db, "ann"), "a long enough secret")
    changed = runner.invoke(app, ["user", "password", "ann", "--password", "another long secret"])
    assert changed.exit_code == 0, changed.output
    assert verify_password(_hash(fresh_db, "ann"), "another long secret")
    short = runner.invoke(app, ["user", "password", "ann", "--password", "short"])
    assert short.exit_code == 1
    assert "at least 10 characters" in short.output


def test_create_without_a_password_has_no_web_login(fresh_db: Path) -> None:
    assert runner.invoke(app, ["user", "create", "bo", "--role", "command"]).exit_code == 0
    assert _hash(fresh_db, "bo") is None
