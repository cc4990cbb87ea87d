"""All of civicgrid's settings, read from ``CIVICGRID_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """One instance's configuration. Every field is documented in docs/settings.md."""

    model_config = SettingsConfigDict(env_prefix="CIVICGRID_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("./var"),
        description="Directory for the embedded SQLite database, uploads and reject files.",
    )
    database_url: str | None = Field(
        default=None,
        description="SQLAlchemy URL; when unset, SQLite at DATA_DIR/civicgrid.db. "
        "PostgreSQL example: postgresql+psycopg://postgres@127.0.0.1:5432/civicgrid.",
    )
    host: str = Field(default="127.0.0.1", description="Address `civicgrid serve` listens on.")
    port: int = Field(default=8000, description="Port `civicgrid serve` listens on.")
    timezone: str = Field(
        default="America/New_York",
        description="IANA time zone of the city, used when a calendar names none.",
    )
    h3_resolution: int = Field(
        default=9,
        ge=0,
        le=15,
        description="H3 resolution of the proximity cell given to each case.",
    )
    sla_warning_fraction: float = Field(
        default=0.75,
        gt=0,
        lt=1,
        description="Share of a deadline's working time after which a warning is raised.",
    )
    sweep_interval_seconds: int = Field(
        default=60, ge=1, description="How often the deadline sweep runs in the worker."
    )
    embedded_worker: bool = Field(
        default=True,
        description="Run periodic jobs inside `civicgrid serve` (the embedded set-up). "
        "Turn off when separate `civicgrid worker` processes run them.",
    )
    shared_dir: Path = Field(
        default=Path("../shared"),
        description="Folder holding the real data sets (data/nyc311, data/nyc_boundaries) "
        "that `civicgrid demo` loads; a smaller bundled demo is used when absent.",
    )
    page_size: int = Field(default=50, ge=1, description="Default page size of list endpoints.")
    max_page_size: int = Field(
        default=1000, ge=1, description="Largest page size a client may ask for."
    )
    log_level: str = Field(default="INFO", description="Python logging level.")
    audit_key_file: Path | None = Field(
        default=None,
        description="Ed25519 private key that signs audit checkpoints "
        "(default: audit-ed25519.pem in the data directory).",
    )

    @property
    def resolved_audit_key_file(self) -> Path:
        """The ledger's signing key file: the explicit one, or one in the data directory."""
        return self.audit_key_file or self.data_dir / "audit-ed25519.pem"

    @property
    def resolved_database_url(self) -> str:
        """The database URL in use: the explicit one, or SQLite in the data directory."""
        if self.database_url:
            return normalize_database_url(self.database_url)
        return f"sqlite:///{(self.data_dir / 'civicgrid.db').resolve()}"


def normalize_database_url(url: str) -> str:
    """Make plain ``postgresql://`` URLs use psycopg 3, the driver civicgrid ships with."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url
