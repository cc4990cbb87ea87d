"""API keys per client application: issued, listed, revoked, audited; and `civicgrid apikey`."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from civicgrid.audit.models import AuditEntry
from civicgrid.cli.main import app
from civicgrid.errors import Conflict, Forbidden, Invalid, NotFound
from civicgrid.open311 import apikeys

runner = CliRunner()


def test_keys_are_hashed_revocable_and_audited(session: Session) -> None:
    key, plain = apikeys.create(session, name="Mobile app", contact="dev@example.org")
    assert plain not in (key.key_hash, key.key_prefix)
    assert key.key_prefix == plain[:8]
    assert apikeys.authenticate(session, plain).id == key.id
    with pytest.raises(Conflict, match="Mobile app 2"):
        apikeys.create(session, name="Mobile app")
    with pytest.raises(Invalid):
        apikeys.create(session, name="  ")
    apikeys.revoke(session, name="Mobile app", actor="cli:ann")
    with pytest.raises(Forbidden):
        apikeys.authenticate(session, plain)
    with pytest.raises(Forbidden):
        apikeys.authenticate(session, None)
    with pytest.raises(Conflict):
        apikeys.revoke(session, name="Mobile app")
    with pytest.raises(NotFound):
        apikeys.revoke(session, name="Nobody")
    assert [k.name for k in apikeys.list_(session)] == ["Mobile app"]
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.subject == "apikey:Mobile app")
    ).all()
    assert actions == ["open311.apikey_created", "open311.apikey_revoked"]


def test_the_apikey_commands(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CIVICGRID_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.setenv("CIVICGRID_DATA_DIR", str(tmp_path))
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    created = runner.invoke(app, ["apikey", "create", "FixMyStreet", "--contact", "fms@x.org"])
    assert created.exit_code == 0, created.output
    plain = created.stdout.strip().splitlines()[-1]
    assert len(plain) > 40
    listed = runner.invoke(app, ["apikey", "list"])
    assert "FixMyStreet" in listed.output
    assert plain[:8] in listed.output
    assert plain not in listed.output
    assert runner.invoke(app, ["apikey", "revoke", "FixMyStreet"]).exit_code == 0
    again = runner.invoke(app, ["apikey", "revoke", "FixMyStreet"])
    assert again.exit_code == 1
    assert "already revoked" in again.output
