"""The `civicgrid` command: every command group registered explicitly."""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from civicgrid.cli import apikey, audit, db, demo, export, grid, importer, model, serve, sla, user
from civicgrid.cli.common import console
from civicgrid.errors import CivicgridError


class _Group(TyperGroup):
    """Shows a domain error's message (what to fix) instead of a traceback, exit code 1."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except CivicgridError as exc:
            console.print(f"[red]error:[/red] {exc.message}", highlight=False)
            raise typer.Exit(code=1) from exc


app = typer.Typer(
    cls=_Group,
    help="civicgrid: responsive city governance.",
    no_args_is_help=True,
    add_completion=False,
)
app.add_typer(apikey.app, name="apikey")
app.add_typer(audit.app, name="audit")
app.add_typer(db.app, name="db")
app.add_typer(grid.app, name="grid")
app.add_typer(model.app, name="model")
app.add_typer(user.app, name="user")
app.add_typer(sla.app, name="sla")
app.command("serve")(serve.serve)
app.command("worker")(serve.worker)
app.command("import")(importer.import_command)
app.command("demo")(demo.demo_command)
app.command("export")(export.export_command)
app.add_typer(export.accountability, name="accountability")
