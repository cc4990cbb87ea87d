"""Demo logins: `civicgrid demo` gives the demo staff generated passwords, shown once."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from civicgrid.accounts import service
from civicgrid.accounts.models import User
from civicgrid.accounts.password import verify_password
from civicgrid.cli.main import app
from civicgrid.db import make_engine, make_session_factory


def test_only_accounts_without_a_password_get_one(session: Session) -> None:
    kept = service.create(
        session, username="kept", display_name="K", role="operator", password="my own secret"
    )
    bare = service.create(session, username="bare", display_name="B", role="operator")
    given = service.give_missing_passwords(session, [kept, bare])
    assert list(given) == ["bare"]
    assert len(given["bare"]) >= 16
    assert verify_password(bare.password_hash, given["bare"])
    assert verify_password(kept.password_hash, "my own secret")
    assert given["bare"] != service.give_missing_passwords(
        session, [service.create(session, username="x", display_name="X", role="operator")]
    ).get("x")


def _hashes(url: str) -> dict[str, str | None]:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        found = {u.username: u.password_hash for u in session.scalars(select(User))}
    engine.dispose()
    return found


def test_demo_prints_each_staff_login_once(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    env = {
        "CIVICGRID_DATA_DIR": str(tmp_path / "var"),
        "CIVICGRID_DATABASE_URL": url,
        "CIVICGRID_SHARED_DIR": str(tmp_path / "no-shared"),
        "COLUMNS": "120",
    }
    runner = CliRunner()
    first = runner.invoke(app, ["demo", "--small"], env=env)
    assert first.exit_code == 0, first.output
    shown = dict(
        re.findall(r"│ ((?:admin|supervisor-|caseworker-)\S*)\s+│ (\S+)\s+│", first.output)
    )
    hashes = _hashes(url)
    assert "admin" in shown
    assert any(name.startswith("caseworker-") for name in shown)
    assert set(shown) == {name for name, h in hashes.items() if h is not None}
    for username, password in shown.items():
        assert verify_password(hashes[username], password), username
    assert len(set(shown.values())) == len(shown)  # one password per account
    again = runner.invoke(app, ["demo", "--small"], env=env)
    assert again.exit_code == 0, again.output
    assert "already have web passwords" in again.output
    assert not any(password in again.output for password in shown.values())
    assert _hashes(url) == hashes


def test_demo_without_passwords(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    env = {
        "CIVICGRID_DATA_DIR": str(tmp_path / "var"),
        "CIVICGRID_DATABASE_URL": url,
        "CIVICGRID_SHARED_DIR": str(tmp_path / "no-shared"),
    }
    result = CliRunner().invoke(app, ["demo", "--small", "--no-passwords"], env=env)
    assert result.exit_code == 0, result.output
    assert "password" not in result.output
    assert all(h is None for h in _hashes(url).values())
