"""`civicgrid audit` end to end on a fresh SQLite file: keygen, checkpoint, verify, export."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from civicgrid.audit import service
from civicgrid.cli.main import app
from civicgrid.db import make_engine, make_session_factory, transaction

runner = CliRunner()


@pytest.fixture
def ledger_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "audit.db"
    monkeypatch.setenv("CIVICGRID_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("CIVICGRID_DATA_DIR", str(tmp_path))
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    engine = make_engine(f"sqlite:///{db}")
    with transaction(make_session_factory(engine)) as session:
        for i in range(4):
            service.record(session, actor="user:ann", action="config.changed", subject=f"x:{i}")
    engine.dispose()
    return db


def test_keygen_checkpoint_verify_export(ledger_db: Path, tmp_path: Path) -> None:
    made = runner.invoke(app, ["audit", "keygen"])
    assert made.exit_code == 0, made.output
    assert "BEGIN PUBLIC KEY" in made.stdout
    assert runner.invoke(app, ["audit", "keygen"]).exit_code == 1
    signed = runner.invoke(app, ["audit", "checkpoint"])
    assert signed.exit_code == 0, signed.output
    assert "signed entry 4" in signed.stdout
    export = tmp_path / "ledger.jsonl"
    ok = runner.invoke(app, ["audit", "verify", "--export", str(export)])
    assert ok.exit_code == 0, ok.output
    assert "ledger intact: 4 entries, 1 checkpoints" in ok.stdout
    outside = runner.invoke(app, ["audit", "verify", "--from-file", str(export)])
    assert outside.exit_code == 0, outside.output


def test_verify_names_the_first_bad_entry(ledger_db: Path) -> None:
    with sqlite3.connect(ledger_db) as conn:
        conn.execute("UPDATE audit_entries SET subject = 'x:forged' WHERE seq = 3")
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 1
    assert "entry 3 was altered" in result.output


def test_checkpoint_without_key_says_how(ledger_db: Path) -> None:
    result = runner.invoke(app, ["audit", "checkpoint"])
    assert result.exit_code == 1
    assert "civicgrid audit keygen" in result.output
