"""The audit ledger on the test database: the chain holds, and any direct tampering shows."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from civicgrid.audit import keys, service
from civicgrid.audit.models import AuditEntry
from civicgrid.errors import Conflict, Invalid

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _fill(session: Session, n: int = 5) -> list[AuditEntry]:
    return [
        service.record(
            session,
            actor=f"user:clerk{i}",
            action="config.changed",
            subject=f"category:c{i}",
            details={"i": i, "text": "道路 repair"},
            now=T0 + timedelta(minutes=i),
        )
        for i in range(n)
    ]


def _first_seq(session: Session) -> int:
    return session.scalar(select(AuditEntry.seq).order_by(AuditEntry.seq).limit(1)) or 1


def test_untouched_chain_verifies(session: Session) -> None:
    entries = _fill(session)
    assert [e.seq for e in entries] == list(range(entries[0].seq, entries[0].seq + 5))
    assert entries[1].prev_hash == entries[0].entry_hash
    verdict = service.verify(session, public_key=None)
    assert verdict.ok
    assert verdict.entries >= 5


def test_altered_entry_is_named(session: Session) -> None:
    entries = _fill(session)
    target = entries[2].seq
    session.execute(
        text("UPDATE audit_entries SET actor = 'user:mallory' WHERE seq = :s"), {"s": target}
    )
    session.expire_all()
    problem = service.verify(session, public_key=None).problem
    assert problem is not None
    assert problem.seq == target
    assert "altered" in problem.message


def test_removed_entry_is_named(session: Session) -> None:
    entries = _fill(session)
    target = entries[1].seq
    session.execute(text("DELETE FROM audit_entries WHERE seq = :s"), {"s": target})
    session.expire_all()
    problem = service.verify(session, public_key=None).problem
    assert problem is not None
    assert problem.seq == target
    assert "missing" in problem.message


def test_inserted_entry_is_named(session: Session) -> None:
    entries = _fill(session)
    # Make room after entry 2 and slip a forged entry in, keeping the numbering dense.
    after = entries[2]
    session.execute(
        text("UPDATE audit_entries SET seq = seq + 1000 WHERE seq > :s"), {"s": after.seq}
    )
    session.add(
        AuditEntry(
            seq=after.seq + 1,
            recorded_at=T0,
            actor="user:mallory",
            action="case.closed",
            subject="case:X",
            details="{}",
            prev_hash=after.entry_hash,
            entry_hash="f" * 64,
        )
    )
    session.flush()
    session.execute(
        text("UPDATE audit_entries SET seq = seq - 999 WHERE seq > :s"), {"s": after.seq + 1}
    )
    session.expire_all()
    problem = service.verify(session, public_key=None).problem
    assert problem is not None
    assert problem.seq == after.seq + 1


def test_reordered_entries_are_named(session: Session) -> None:
    entries = _fill(session)
    a, b = entries[1].seq, entries[3].seq
    session.execute(text("UPDATE audit_entries SET seq = -1 WHERE seq = :a"), {"a": a})
    session.execute(text("UPDATE audit_entries SET seq = :a WHERE seq = :b"), {"a": a, "b": b})
    session.execute(text("UPDATE audit_entries SET seq = :b WHERE seq = -1"), {"b": b})
    session.expire_all()
    problem = service.verify(session, public_key=None).problem
    assert problem is not None
    assert problem.seq == a


def test_checkpoint_signs_head_and_catches_rewritten_history(
    session: Session, tmp_path: Path
) -> None:
    key_path = tmp_path / "k.pem"
    public = keys.generate(key_path)
    entries = _fill(session, 3)
    cp = service.checkpoint(session, key_path=key_path)
    assert cp.seq == entries[-1].seq
    assert service.verify(session, public_key=public).ok
    # Truncating the tail keeps a valid-looking chain; the signed head says otherwise.
    session.execute(text("DELETE FROM audit_entries WHERE seq = :s"), {"s": entries[-1].seq})
    session.expire_all()
    problem = service.verify(session, public_key=public).problem
    assert problem is not None
    assert "checkpoint" in problem.message


def test_checkpoint_with_wrong_key_fails(session: Session, tmp_path: Path) -> None:
    keys.generate(tmp_path / "a.pem")
    other = keys.generate(tmp_path / "b.pem")
    _fill(session, 2)
    service.checkpoint(session, key_path=tmp_path / "a.pem")
    problem = service.verify(session, public_key=other).problem
    assert problem is not None
    assert "bad signature" in problem.message


def test_checkpoints_need_a_key_to_verify(session: Session, tmp_path: Path) -> None:
    keys.generate(tmp_path / "a.pem")
    _fill(session, 1)
    service.checkpoint(session, key_path=tmp_path / "a.pem")
    with pytest.raises(Invalid, match="public key"):
        service.verify(session, public_key=None)


def test_export_verifies_outside_and_shows_edits(session: Session, tmp_path: Path) -> None:
    key_path = tmp_path / "k.pem"
    public = keys.generate(key_path)
    _fill(session, 4)
    service.checkpoint(session, key_path=key_path)
    out = tmp_path / "ledger.jsonl"
    with out.open("w", encoding="utf-8") as fh:
        written = service.export(session, fh, public_key=public)
    assert written == service.verify(session, public_key=public).entries
    assert service.verify_export(out).ok
    lines = out.read_text(encoding="utf-8").splitlines()
    forged = json.loads(lines[2])
    forged["entry"]["subject"] = "case:forged"
    lines[2] = json.dumps(forged)
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    problem = service.verify_export(out).problem
    assert problem is not None
    assert problem.seq == forged["entry"]["seq"]


def test_export_format_is_checked(tmp_path: Path) -> None:
    bogus = tmp_path / "x.jsonl"
    bogus.write_text('{"format": "other"}\n', encoding="utf-8")
    with pytest.raises(Invalid, match="not a civicgrid audit export"):
        service.verify_export(bogus)


def test_empty_ledger_cannot_be_signed(session: Session, tmp_path: Path) -> None:
    keys.generate(tmp_path / "k.pem")
    if session.scalar(select(AuditEntry.id).limit(1)) is not None:
        pytest.skip("entries committed by other tests are present")
    with pytest.raises(Invalid, match="empty"):
        service.checkpoint(session, key_path=tmp_path / "k.pem")


def test_keys_are_not_replaced_and_errors_are_clear(tmp_path: Path) -> None:
    path = tmp_path / "k.pem"
    public = keys.generate(path)
    assert path.stat().st_mode & 0o777 == 0o600
    with pytest.raises(Conflict):
        keys.generate(path)
    assert keys.public_pem(keys.load_public(path)) == keys.public_pem(public)
    assert keys.public_pem(keys.load_public(keys.public_path(path))) == keys.public_pem(public)
    with pytest.raises(Invalid, match="keygen"):
        keys.load_private(tmp_path / "missing.pem")
    (tmp_path / "junk.pem").write_text("hello", encoding="ascii")
    with pytest.raises(Invalid, match="no Ed25519 public key"):
        keys.load_public(tmp_path / "junk.pem")
    with pytest.raises(Invalid, match="no key file"):
        keys.load_public(tmp_path / "nope.pem")
