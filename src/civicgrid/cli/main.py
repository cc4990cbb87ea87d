"""The `civicgrid` command: every command group registered explicitly."""

from __future__ import annotations

import typer

from civicgrid.cli import db, serve, sla, user

app = typer.Typer(
    help="civicgrid: responsive city governance.", no_args_is_help=True, add_completion=False
)
app.add_typer(db.app, name="db")
app.add_typer(user.app, name="user")
app.add_typer(sla.app, name="sla")
app.command("serve")(serve.serve)
app.command("worker")(serve.worker)
