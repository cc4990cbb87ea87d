"""Run Alembic migrations from code (`civicgrid db upgrade`, tests, the demo)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine

from civicgrid.errors import NotFound

MIGRATIONS_DIR = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config() -> Config:
    """Alembic configuration pointing at the repository's migrations folder."""
    if not (MIGRATIONS_DIR / "env.py").exists():
        raise NotFound(
            f"migrations folder not found at {MIGRATIONS_DIR}; "
            "install civicgrid from its source tree (pip install -e .)"
        )
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database behind ``engine`` up to ``revision``."""
    cfg = alembic_config()
    with engine.begin() as connection:
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, revision)


def check(engine: Engine) -> None:
    """Fail when the models and the migrations disagree (`alembic check`)."""
    cfg = alembic_config()
    with engine.connect() as connection:
        cfg.attributes["connection"] = connection
        command.check(cfg)
