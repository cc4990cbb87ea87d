"""The ledger's hash chain and signatures, as pure functions an outside verifier can reuse.

An entry's hash is SHA-256 over the canonical JSON of its fields and the previous entry's hash;
the first entry's predecessor is 64 zeros. A checkpoint is an Ed25519 signature over
``civicgrid-audit-v1|<seq>|<head hash>|<signed at>``.
"""

from __future__ import annotations

import base64
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

GENESIS = "0" * 64
SIGNED_PREFIX = "civicgrid-audit-v1"


def canonical_time(value: datetime) -> str:
    """The one textual form of a timestamp that goes into a hash (UTC, microseconds)."""
    return value.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def entry_hash(
    *,
    seq: int,
    recorded_at: str,
    actor: str,
    action: str,
    subject: str,
    details: str,
    prev_hash: str,
) -> str:
    """SHA-256 (hex) of an entry's fields and its predecessor's hash."""
    payload = json.dumps(
        [seq, recorded_at, actor, action, subject, details, prev_hash],
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def checkpoint_message(*, seq: int, head_hash: str, signed_at: str) -> bytes:
    """The bytes a checkpoint signs."""
    return f"{SIGNED_PREFIX}|{seq}|{head_hash}|{signed_at}".encode()


def key_id(public_key: Ed25519PublicKey) -> str:
    """A short fingerprint naming the key that signed a checkpoint."""
    raw = public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def sign(private_key: Ed25519PrivateKey, message: bytes) -> str:
    """Base64 Ed25519 signature of ``message``."""
    return base64.b64encode(private_key.sign(message)).decode()


@dataclass(frozen=True)
class Problem:
    """The first thing wrong with a ledger: where, and what."""

    seq: int
    message: str


def verify_entries(entries: Iterable[Mapping[str, Any]]) -> tuple[dict[int, str], Problem | None]:
    """Walk entries in seq order; return each seq's recomputed hash and the first problem."""
    hashes: dict[int, str] = {}
    prev, expected_seq = GENESIS, 1
    for row in entries:
        seq = int(row["seq"])
        if seq != expected_seq:
            what = "missing" if seq > expected_seq else "out of order or duplicated"
            return hashes, Problem(expected_seq, f"entry {expected_seq} is {what} (found {seq})")
        if row["prev_hash"] != prev:
            return hashes, Problem(seq, f"entry {seq} does not follow entry {seq - 1}")
        fields = {k: row[k] for k in ("actor", "action", "subject", "details", "prev_hash")}
        computed = entry_hash(seq=seq, recorded_at=row["recorded_at"], **fields)
        if computed != row["entry_hash"]:
            return hashes, Problem(seq, f"entry {seq} was altered (its hash does not match)")
        hashes[seq] = computed
        prev, expected_seq = computed, seq + 1
    return hashes, None


def verify_checkpoints(
    checkpoints: Iterable[Mapping[str, Any]],
    hashes: Mapping[int, str],
    public_key: Ed25519PublicKey,
) -> Problem | None:
    """Check every checkpoint's signature and that its head is still in the chain."""
    for cp in checkpoints:
        seq = int(cp["seq"])
        message = checkpoint_message(seq=seq, head_hash=cp["head_hash"], signed_at=cp["signed_at"])
        try:
            public_key.verify(base64.b64decode(cp["signature"]), message)
        except (InvalidSignature, ValueError):
            return Problem(seq, f"the checkpoint at entry {seq} has a bad signature")
        if hashes.get(seq) != cp["head_hash"]:
            return Problem(seq, f"entry {seq} no longer matches its signed checkpoint")
    return None
