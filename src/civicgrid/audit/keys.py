"""The ledger's Ed25519 signing key: created once, kept in a file only its owner can read."""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
    load_pem_private_key,
    load_pem_public_key,
)

from civicgrid.errors import Conflict, Invalid


def generate(path: Path) -> Ed25519PublicKey:
    """Write a new private key to ``path`` (mode 0600) and its public key beside it (.pub)."""
    if path.exists():
        raise Conflict(f"{path} already exists: a ledger keeps its key; remove it deliberately")
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    public = key.public_key()
    public_path(path).write_text(public_pem(public) or "", encoding="ascii")
    return public


def public_path(private_path: Path) -> Path:
    """Where the public half of ``private_path`` is kept."""
    return private_path.with_name(private_path.name + ".pub")


def load_private(path: Path) -> Ed25519PrivateKey:
    """The signing key at ``path``; a clear error when it is missing or not Ed25519."""
    if not path.exists():
        raise Invalid(f"no signing key at {path}: create one with `civicgrid audit keygen`")
    key = load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise Invalid(f"{path} is not an Ed25519 private key")
    return key


def load_public(path: Path) -> Ed25519PublicKey:
    """A public key from a PEM file; given the private key file, its public half."""
    if not path.exists():
        raise Invalid(f"no key file at {path}")
    content = path.read_text(encoding="ascii")
    key = public_from_pem(content)
    if key is not None:
        return key
    if "PRIVATE KEY" in content:
        return load_private(path).public_key()
    raise Invalid(f"{path} holds no Ed25519 public key")


def public_pem(key: Ed25519PublicKey | None) -> str | None:
    """PEM text of a public key (None stays None)."""
    if key is None:
        return None
    return key.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo).decode("ascii")


def public_from_pem(text: str | None) -> Ed25519PublicKey | None:
    """Parse PEM text into a public key; None when there is none or it is not Ed25519."""
    if not text or "PUBLIC KEY" not in text:
        return None
    key = load_pem_public_key(text.encode("ascii"))
    return key if isinstance(key, Ed25519PublicKey) else None
