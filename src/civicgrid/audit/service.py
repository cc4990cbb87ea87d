"""Appending to the audit ledger, signing its head, verifying it and exporting it."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from civicgrid.audit import chain, keys
from civicgrid.audit.models import AuditCheckpoint, AuditEntry
from civicgrid.db import utcnow
from civicgrid.errors import Invalid

# Any constant works: it names the one PostgreSQL advisory lock that serialises appends.
_APPEND_LOCK = 7_340_032_001
EXPORT_FORMAT = "civicgrid-audit-export-v1"


def digest(value: str) -> str:
    """SHA-256 of a text the ledger must vouch for without disclosing (a reply, a purpose)."""
    return hashlib.sha256(value.encode()).hexdigest()


def record(
    session: Session,
    *,
    actor: str,
    action: str,
    subject: str,
    details: dict[str, Any] | None = None,
    now: datetime | None = None,
) -> AuditEntry:
    """Append one official action to the ledger, chained to the entry before it."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _APPEND_LOCK})
    head = session.execute(
        select(AuditEntry.seq, AuditEntry.entry_hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq, prev = (head[0] + 1, head[1]) if head else (1, chain.GENESIS)
    recorded_at = (now or utcnow()).astimezone(UTC)
    body = json.dumps(details or {}, ensure_ascii=False, sort_keys=True, default=str)
    entry = AuditEntry(
        seq=seq,
        recorded_at=recorded_at,
        actor=actor[:160],
        action=action[:64],
        subject=subject[:160],
        details=body,
        prev_hash=prev,
    )
    entry.entry_hash = chain.entry_hash(
        seq=seq,
        recorded_at=chain.canonical_time(recorded_at),
        actor=entry.actor,
        action=entry.action,
        subject=entry.subject,
        details=body,
        prev_hash=prev,
    )
    session.add(entry)
    session.flush()
    return entry


def checkpoint(session: Session, *, key_path: Path, now: datetime | None = None) -> AuditCheckpoint:
    """Sign the current head of the chain with the Ed25519 key at ``key_path``."""
    private_key = keys.load_private(key_path)
    head = session.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).first()
    if head is None:
        raise Invalid("the audit ledger is empty: there is nothing to sign yet")
    signed_at = now or utcnow()
    message = chain.checkpoint_message(
        seq=head.seq, head_hash=head.entry_hash, signed_at=chain.canonical_time(signed_at)
    )
    cp = AuditCheckpoint(
        seq=head.seq,
        head_hash=head.entry_hash,
        signed_at=signed_at,
        key_id=chain.key_id(private_key.public_key()),
        signature=chain.sign(private_key, message),
    )
    session.add(cp)
    session.flush()
    return cp


@dataclass(frozen=True)
class Verdict:
    """The outcome of a verification: how much was checked and the first problem, if any."""

    entries: int
    checkpoints: int
    problem: chain.Problem | None

    @property
    def ok(self) -> bool:
        """True when the chain and every signature hold."""
        return self.problem is None


def _entry_rows(session: Session) -> Iterator[dict[str, Any]]:
    stmt = select(AuditEntry).order_by(AuditEntry.seq, AuditEntry.id)
    for entry in session.scalars(stmt.execution_options(yield_per=2000)):
        yield _entry_dict(entry)


def _entry_dict(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "recorded_at": chain.canonical_time(entry.recorded_at),
        "actor": entry.actor,
        "action": entry.action,
        "subject": entry.subject,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
        "entry_hash": entry.entry_hash,
    }


def _checkpoint_rows(session: Session) -> list[dict[str, Any]]:
    return [
        {
            "seq": cp.seq,
            "head_hash": cp.head_hash,
            "signed_at": chain.canonical_time(cp.signed_at),
            "key_id": cp.key_id,
            "signature": cp.signature,
        }
        for cp in session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.id))
    ]


def verify(session: Session, *, public_key: Ed25519PublicKey | None) -> Verdict:
    """Check the whole chain in the database, and every checkpoint when a key is given."""
    count = session.scalar(select(func.count()).select_from(AuditEntry)) or 0
    hashes, problem = chain.verify_entries(_entry_rows(session))
    checkpoints = _checkpoint_rows(session)
    if problem is None and checkpoints:
        if public_key is None:
            raise Invalid("the ledger has signed checkpoints: give the public key to check them")
        problem = chain.verify_checkpoints(checkpoints, hashes, public_key)
    return Verdict(entries=count, checkpoints=len(checkpoints), problem=problem)


def export(session: Session, out: IO[str], *, public_key: Ed25519PublicKey | None) -> int:
    """Stream the ledger as JSON lines: a header, every entry, then every checkpoint."""
    header = {"format": EXPORT_FORMAT, "public_key": keys.public_pem(public_key)}
    out.write(json.dumps(header) + "\n")
    n = 0
    for row in _entry_rows(session):
        out.write(json.dumps({"entry": row}, ensure_ascii=False) + "\n")
        n += 1
    for cp in _checkpoint_rows(session):
        out.write(json.dumps({"checkpoint": cp}) + "\n")
    return n


def verify_export(path: Path, *, public_key: Ed25519PublicKey | None = None) -> Verdict:
    """Verify an exported ledger file with no database: the chain, then the signatures."""
    with path.open(encoding="utf-8") as fh:
        header = json.loads(fh.readline() or "{}")
        if header.get("format") != EXPORT_FORMAT:
            raise Invalid(f"{path} is not a civicgrid audit export ({EXPORT_FORMAT})")
        lines = [json.loads(line) for line in fh if line.strip()]
    entries = [line["entry"] for line in lines if "entry" in line]
    checkpoints = [line["checkpoint"] for line in lines if "checkpoint" in line]
    hashes, problem = chain.verify_entries(entries)
    if problem is None and checkpoints:
        key = public_key or keys.public_from_pem(header.get("public_key"))
        if key is None:
            raise Invalid("the export has checkpoints but no public key: pass --public-key")
        problem = chain.verify_checkpoints(checkpoints, hashes, key)
    return Verdict(entries=len(entries), checkpoints=len(checkpoints), problem=problem)
