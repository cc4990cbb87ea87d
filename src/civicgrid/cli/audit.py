"""`civicgrid audit`: the signing key, signed checkpoints, and verification of the ledger."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from civicgrid.audit import keys, service
from civicgrid.cli.common import console, load_settings, open_database
from civicgrid.db import transaction

app = typer.Typer(help="The tamper-evident audit ledger.", no_args_is_help=True)

PublicKeyOption = Annotated[
    Path | None,
    typer.Option(help="Public key (PEM) to check signatures with (default: the ledger's key)."),
]


@app.command("keygen")
def keygen() -> None:
    """Create the Ed25519 key that signs checkpoints (refuses to replace an existing one)."""
    path = load_settings().resolved_audit_key_file
    public = keys.generate(path)
    console.print(f"signing key written to {path} (keep it secret); public key beside it (.pub)")
    typer.echo(keys.public_pem(public) or "")


@app.command("checkpoint")
def checkpoint() -> None:
    """Sign the ledger's current head, so later tampering with earlier entries shows."""
    settings = load_settings()
    engine, factory = open_database(settings)
    try:
        with transaction(factory) as session:
            cp = service.checkpoint(session, key_path=settings.resolved_audit_key_file)
            typer.echo(f"signed entry {cp.seq} ({cp.head_hash}) with key {cp.key_id}")
    finally:
        engine.dispose()


@app.command("verify")
def verify(
    export: Annotated[
        Path | None, typer.Option(help="Also write the ledger to this file for outside checks.")
    ] = None,
    from_file: Annotated[
        Path | None, typer.Option(help="Verify an exported file instead of the database.")
    ] = None,
    public_key: PublicKeyOption = None,
) -> None:
    """Check every hash, the order of the chain and every signature; exit 1 at the first fault."""
    settings = load_settings()
    key_file = public_key or settings.resolved_audit_key_file
    key = keys.load_public(key_file) if key_file.exists() else None
    if from_file is not None:
        _report(service.verify_export(from_file, public_key=key))
        return
    engine, factory = open_database(settings)
    try:
        with transaction(factory) as session:
            verdict = service.verify(session, public_key=key)
            if export is not None and verdict.ok:
                with export.open("w", encoding="utf-8") as out:
                    service.export(session, out, public_key=key)
                console.print(f"exported {verdict.entries} entries to {export}")
    finally:
        engine.dispose()
    _report(verdict)


def _report(verdict: service.Verdict) -> None:
    if verdict.problem is not None:
        console.print(f"[red]ledger is NOT intact:[/red] {verdict.problem.message}")
        raise typer.Exit(code=1)
    typer.echo(f"ledger intact: {verdict.entries} entries, {verdict.checkpoints} checkpoints")
