"""The docs keep up with the code: every setting and every CLI command is documented."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.core import TyperGroup

from civicgrid.cli.main import app
from civicgrid.settings import Settings

DOCS = Path(__file__).resolve().parents[1] / "docs"


def _commands(group: TyperGroup, prefix: str = "civicgrid") -> list[str]:
    found: list[str] = []
    for name, command in group.commands.items():
        full = f"{prefix} {name}"
        if isinstance(command, TyperGroup):
            found += _commands(command, full)
        else:
            found.append(full)
    return found


def test_every_setting_is_documented() -> None:
    text = (DOCS / "settings.md").read_text()
    missing = [
        f"CIVICGRID_{name.upper()}"
        for name in Settings.model_fields
        if f"CIVICGRID_{name.upper()}" not in text
    ]
    assert not missing, f"add these to docs/settings.md: {missing}"


def test_every_setting_has_a_help_line() -> None:
    assert all(field.description for field in Settings.model_fields.values())


def test_every_command_is_documented() -> None:
    text = (DOCS / "cli.md").read_text()
    group = typer.main.get_command(app)
    assert isinstance(group, TyperGroup)
    commands = _commands(group)
    assert "civicgrid db upgrade" in commands
    missing = [c for c in commands if f"`{c}" not in text]
    assert not missing, f"add these to docs/cli.md: {missing}"
