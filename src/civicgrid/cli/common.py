"""What every command needs: settings, an engine and a session factory, Rich output."""

from __future__ import annotations

from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from civicgrid.db import make_engine, make_session_factory
from civicgrid.settings import Settings

console = Console(stderr=True)


def load_settings() -> Settings:
    """Settings from the environment (CIVICGRID_*)."""
    return Settings()


def open_database(settings: Settings) -> tuple[Engine, sessionmaker[Session]]:
    """Engine and session factory for the configured database (creating DATA_DIR)."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    engine = make_engine(settings.resolved_database_url)
    return engine, make_session_factory(engine)
