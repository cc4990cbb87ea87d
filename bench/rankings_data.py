"""The scratch database of bench/rankings.py: the demo city's grid and catalogue, the real
NYC 311 10k rows imported through civicgrid, then resampled in SQL into many months of cases."""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

from sqlalchemy.engine import make_url

from civicgrid import migrate, scratch
from civicgrid.cases.bulk_load import plan_bulk
from civicgrid.db import make_engine, make_session_factory, transaction
from civicgrid.demo import service as demo
from civicgrid.intake.importer import import_file
from civicgrid.settings import Settings, normalize_database_url

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLE = SHARED / "data" / "nyc311" / "nyc311_2026-06_10000.csv"
LAST_MONTH = date(2026, 6, 1)
SHIFTED = [
    "created_at",
    "updated_at",
    "first_response_at",
    "resolved_at",
    "closed_at",
    "first_response_due",
    "first_response_warn_at",
    "resolution_due",
    "resolution_warn_at",
]
COPIED = [
    "category_id",
    "title",
    "description",
    "lat",
    "lon",
    "address",
    "h3_cell",
    "outside_grid",
    "area_id",
    "channel",
    "status",
    "department_id",
    "attributes",
    "sla_policy_id",
    "first_response_warned",
    "first_response_breached",
    "resolution_warned",
    "resolution_breached",
    "escalation_level",
]


def create_database(base: str, reuse: str | None) -> str:
    """The URL of a new scratch database beside ``base`` (or of ``reuse``)."""
    if reuse:
        url = make_url(normalize_database_url(base))
        return url.set(database=reuse).render_as_string(hide_password=False)
    return scratch.create_database(base, "civicgrid_bench_rankings")


def seed(settings: Settings) -> None:
    """Grid, catalogue and deadlines as the demo loads them, and the real 10k rows imported."""
    engine = make_engine(settings.resolved_database_url)
    migrate.upgrade(engine)
    with transaction(make_session_factory(engine)) as session:
        data = demo.demo_data(settings, small=False)
        demo.load_grid(session, data=data)
        complaints = demo._complaints([SAMPLE])
        demo.load_departments(session, agencies=sorted({a for _, a in complaints.values()}))
        demo.load_categories(session, complaints=complaints)
        demo.load_deadlines(session, years=[2024, 2025, 2026, 2027])
        report = import_file(session, path=SAMPLE, mapping="nyc311", settings=settings)
        print(f"  seed: {report.summary()}")
    engine.dispose()


def resample_sql(month_index: int, per_month: int, months: int) -> str:
    """INSERT of ``per_month`` cases drawn from the seed rows, moved ``month_index`` months back
    (in whole days, so deadlines keep their weekdays roughly), in filing order, with areas."""
    back = months - 1 - month_index
    shift = f"make_interval(days => {back * 30} + mod(g * 7, 28))"
    columns = ["tracking_id", "source", "external_id", "rating", "reopen_count", *COPIED, *SHIFTED]
    shifted = [f"s.{c} - {shift} AS {c}" for c in SHIFTED]
    return f"""
WITH picked AS (
    SELECT g, s.seed_id, {", ".join(f"s.{c}" for c in COPIED)}, {", ".join(shifted)}
    FROM generate_series({month_index * per_month + 1}, {(month_index + 1) * per_month}) AS g
    JOIN bench_seed s ON s.rn = 1 + mod(g::bigint * 2654435761, (SELECT count(*) FROM bench_seed))
), ins AS (
    INSERT INTO cases ({", ".join(columns)})
    SELECT 'B' || lpad(to_hex(g), 12, '0'), 'bench', seed_id || '-' || g,
           CASE WHEN resolved_at IS NOT NULL AND mod(g, 10) < 3 THEN 1 + mod(g / 10, 5) END,
           CASE WHEN resolved_at IS NOT NULL AND mod(g, 20) = 7 THEN 1 ELSE 0 END,
           {", ".join(COPIED)}, {", ".join(SHIFTED)}
    FROM picked ORDER BY created_at
    RETURNING id, external_id
)
INSERT INTO case_areas (case_id, area_id, level_id)
SELECT ins.id, ca.area_id, ca.level_id FROM ins
JOIN case_areas ca ON ca.case_id = split_part(ins.external_id, '-', 1)::int
"""


def resample(settings: Settings, cases: int, months: int) -> None:
    """``cases`` cases over ``months`` months, written in bulk mode (indexes built after)."""
    engine = make_engine(settings.resolved_database_url)
    per_month = cases // months
    seed_columns = ", ".join(["id AS seed_id", *(f"c.{c}" for c in COPIED + SHIFTED)])
    with engine.begin() as conn:
        conn.exec_driver_sql("SET LOCAL synchronous_commit = off")
        conn.exec_driver_sql(
            "CREATE TEMP TABLE bench_seed ON COMMIT DROP AS SELECT row_number() OVER "
            f"(ORDER BY id) AS rn, {seed_columns} FROM cases c"
        )
        conn.exec_driver_sql("ALTER TABLE bench_seed ADD PRIMARY KEY (rn)")
        bulk = plan_bulk(conn, expected=cases, mode=True)
        assert bulk is not None
        bulk.set_aside()
        for index in range(months):
            started = time.perf_counter()
            conn.exec_driver_sql(resample_sql(index, per_month, months))
            print(f"  month {index + 1}/{months}: {per_month:,} cases in "
                  f"{time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
        started = time.perf_counter()
        bulk.restore()
        print(f"  indexes rebuilt in {time.perf_counter() - started:.1f} s")
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql(
            "VACUUM ANALYZE cases, case_areas"
        )
    engine.dispose()
