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
    tile_url: str = Field(
        default="https://tile.openstreetmap.org/{z}/{x}/{y}.png",
        description="Map tile URL template of the web pages' maps; empty for no tiles "
        "(boundaries and markers are still drawn).",
    )
    tile_attribution: str = Field(
        default="© OpenStreetMap contributors",
        description="Attribution shown on the maps for the tile server.",
    )
    secret_key: str | None = Field(
        default=None,
        description="Key that signs the web session cookie; when unset, a random key is "
        "kept in DATA_DIR/secret_key. Give every app process the same one.",
    )
    session_max_age_seconds: int = Field(
        default=8 * 3600, ge=60, description="How long a staff login lasts without activity."
    )
    cookie_secure: bool = Field(
        default=False,
        description="Send the session cookie over HTTPS only (turn on behind TLS).",
    )
    default_locale: str = Field(
        default="en",
        pattern=r"^(en|zh_CN)$",
        description="Language of the web pages when the browser asks for neither en nor zh-CN.",
    )
    photo_max_bytes: int = Field(
        default=8 * 1024 * 1024, ge=1024, description="Largest photo a resident may upload."
    )
    photo_max_pixels: int = Field(
        default=40_000_000,
        ge=10_000,
        description="Largest photo in pixels (width x height) accepted; larger ones are refused.",
    )
    audit_key_file: Path | None = Field(
        default=None,
        description="Ed25519 private key that signs audit checkpoints "
        "(default: audit-ed25519.pem in the data directory).",
    )
    open311_root: str = Field(
        default="/open311/v2/",
        pattern=r"^/([A-Za-z0-9._~-]+/)*$",
        description="URL path under which the Open311 GeoReport v2 API is served.",
    )
    open311_jurisdiction_id: str = Field(
        default="civicgrid",
        min_length=1,
        description="The Open311 jurisdiction_id this city answers to (e.g. its web domain); "
        "requests naming another are refused with 404.",
    )
    open311_contact: str = Field(
        default="Ask the city's civicgrid administrator.",
        description="Who Open311 client developers contact, e.g. for an API key "
        "(shown in discovery.json).",
    )
    open311_idempotency_days: int = Field(
        default=7,
        ge=1,
        description="Days an Open311 Idempotency-Key is remembered; a retry within them "
        "gets the first answer back.",
    )
    open311_queue_requests: bool = Field(
        default=False,
        description="Answer Open311 POSTs with a token and file the cases in the worker "
        "(services report type 'batch') instead of filing them at once.",
    )
    reply_weak_threshold: float = Field(
        default=0.35,
        ge=0,
        le=1,
        description="Overall reply-quality score (0-1) below which a public reply is flagged "
        "as weak for supervisors (a suggestion; it never blocks the reply).",
    )
    triage_enabled: bool = Field(
        default=True,
        description="Suggest a category, department and duplicates for every new case "
        "(with the serving model, if one is approved and serving).",
    )
    triage_model_dir: Path | None = Field(
        default=None,
        description="Directory of trained model artifacts (default: DATA_DIR/models).",
    )
    triage_duplicate_rings: int = Field(
        default=2,
        ge=0,
        le=20,
        description="H3 rings around a new case searched for duplicates, unless its "
        "category sets its own (about 175 m a ring at resolution 9).",
    )
    triage_duplicate_window_hours: float = Field(
        default=14 * 24,
        gt=0,
        description="How far back open cases are searched for duplicates, unless the "
        "category sets its own window.",
    )
    triage_duplicate_threshold: float = Field(
        default=0.8,
        ge=0,
        le=1,
        description="Score (0-1) from which an open case is suggested as a duplicate.",
    )
    triage_duplicate_limit: int = Field(
        default=3, ge=1, le=20, description="Most duplicate suggestions kept per new case."
    )
    triage_minutes_saved_per_case: float = Field(
        default=2.0,
        ge=0,
        description="Estimated staff minutes saved by each accepted or auto-applied "
        "suggestion (shown on the model's monthly report).",
    )
    ranking_weights: dict[str, float] = Field(
        default={
            "response": 0.25,
            "resolution": 0.25,
            "on_time": 0.2,
            "satisfaction": 0.2,
            "reopen": 0.1,
        },
        description="Weight of each rate in a ranking's score (JSON object; keys among "
        "response, resolution, on_time, satisfaction, reopen; reopen counts as 1 - rate).",
    )
    ranking_grade_bounds: tuple[float, float, float] = Field(
        default=(0.9, 0.8, 0.7),
        description="Lowest score for grades A, B and C (JSON list, descending); lower is D.",
    )
    ranking_min_sample: int = Field(
        default=30,
        ge=1,
        description="Cases a department or area needs in a month (and each rate in its "
        "score) to be graded; smaller units are listed without a grade.",
    )
    equity_min_sample: int = Field(
        default=20, ge=2, description="Resolved cases an area or channel needs to be tested."
    )
    equity_alpha: float = Field(
        default=0.05,
        gt=0,
        lt=1,
        description="Significance level of the equity test, after Holm's correction.",
    )
    accountability_refresh_interval_seconds: int = Field(
        default=300, ge=1, description="How often the worker refreshes the monthly figures."
    )
    accountability_rebuild_hours: float = Field(
        default=24,
        ge=0,
        description="Rebuild every month's figures from scratch this often (0: never).",
    )
    open_data_sensitive_h3_resolution: int = Field(
        default=8,
        ge=0,
        le=15,
        description="H3 resolution to whose cell centre open data moves the places of cases "
        "in sensitive categories (coarser than H3_RESOLUTION is coarser).",
    )
    open_data_batch_rows: int = Field(
        default=5000,
        ge=100,
        description="Rows an open-data export reads from the database at a time (and "
        "rows per Parquet row group).",
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
