"""Import speed against PostgreSQL: civicgrid's import_file next to plain COPYs (cases/s).

    .venv/bin/python bench/import.py [--rows 1000000] [--repeat 3] [--bulk auto|on|off]
                                     [--profile FILE]

Makes N cases by resampling the real NYC 311 rows (../shared/data/nyc311, 10k file) with
places jittered by about 200 m and times by up to two weeks, writes them to a CSV in a temp
dir, creates a scratch database on CIVICGRID_BENCH_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/test; dropped at the end) and, each repeat, times:

(a) COPY of the CSV into a plain table with the same 12 columns, typed, no index;
(b) civicgrid's import_file of the same CSV: grid placement (boroughs and community districts
    loaded), routing, SLA deadlines, timelines, written through the bulk writer (in bulk
    mode, as the table is empty and the import large, unless --bulk off);
(c) COPY of the rows (b) stored, dumped in binary, into a scratch copy of civicgrid's own
    cases, case_areas and case_events tables with the same indexes and constraints (foreign
    keys to the real areas, categories and departments): what PostgreSQL itself needs to
    store those cases in this schema, with nothing computed.

Each includes its commit. The demo's departments, categories and SLA policies are loaded
first and the case tables are emptied after each repeat, so every repeat does the same work.
Prints cases/s of each, the ratios, and medians. Skips cleanly when ../shared is absent.
"""

from __future__ import annotations

import argparse
import cProfile
import csv
import os
import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path

import numpy as np
import psycopg
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from civicgrid import migrate
from civicgrid.db import make_engine, make_session_factory, transaction
from civicgrid.demo import service as demo
from civicgrid.intake.importer import import_file
from civicgrid.scratch import scratch_database
from civicgrid.settings import Settings

SHARED = Path(__file__).resolve().parents[2] / "shared"
SAMPLE = SHARED / "data" / "nyc311" / "nyc311_2026-06_10000.csv"
JITTER_M = 200.0
PLAIN = """CREATE TABLE plain_copy (
    unique_key bigint, created_date timestamp, closed_date timestamp, agency text,
    complaint_type text, descriptor text, location_type text, incident_zip text, city text,
    borough text, latitude double precision, longitude double precision)"""
ISO = "%Y-%m-%dT%H:%M:%S.000"
CASE_TABLES = ("cases", "case_areas", "case_events")
BULK = {"auto": None, "on": True, "off": False}


def make_rows(path: Path, count: int, seed: int = 311) -> None:
    """``count`` cases resampled from the real sample, places and times jittered."""
    with SAMPLE.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        rows = list(reader)
    col = {name: i for i, name in enumerate(header)}
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(rows), count)
    shifts = rng.uniform(-7 * 86400, 7 * 86400, count).round()
    # About 200 m: one degree of latitude is 111 km; longitude shrinks with cos(40.7 deg).
    d_lat = rng.normal(0, JITTER_M / 111_000, count)
    d_lon = rng.normal(0, JITTER_M / (111_000 * 0.758), count)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for n, (pick, shift, dy, dx) in enumerate(
            zip(picks.tolist(), shifts.tolist(), d_lat.tolist(), d_lon.tolist(), strict=True)
        ):
            row = list(rows[pick])
            row[col["unique_key"]] = str(10**9 + n)
            delta = timedelta(seconds=shift)
            for name in ("created_date", "closed_date"):
                if row[col[name]]:
                    row[col[name]] = (datetime.fromisoformat(row[col[name]]) + delta).strftime(ISO)
            if row[col["latitude"]] and row[col["longitude"]]:
                row[col["latitude"]] = f"{float(row[col['latitude']]) + dy:.8f}"
                row[col["longitude"]] = f"{float(row[col['longitude']]) + dx:.8f}"
            writer.writerow(row)


def plain_copy(url: str, path: Path) -> float:
    """Seconds to COPY the CSV into a fresh plain table, commit included."""
    raw = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(raw) as conn:
        conn.execute("DROP TABLE IF EXISTS plain_copy")
        conn.execute(PLAIN)
        conn.commit()
        started = time.perf_counter()
        with (
            conn.cursor() as cur,
            cur.copy("COPY plain_copy FROM STDIN (FORMAT csv, HEADER true)") as copy,
            path.open("rb") as handle,
        ):
            while block := handle.read(1 << 20):
                copy.write(block)
        conn.commit()
        return time.perf_counter() - started


def prepare(session: Session, settings: Settings) -> None:
    """Grid, departments, categories and SLA policies, as the demo loads them."""
    data = demo.demo_data(settings, small=False)
    demo.load_grid(session, data=data)
    complaints = demo._complaints([SAMPLE])
    demo.load_departments(session, agencies=sorted({a for _, a in complaints.values()}))
    demo.load_categories(session, complaints=complaints)
    demo.load_deadlines(session, years=[2026, 2027])


def civicgrid_import(
    url: str, path: Path, settings: Settings, *, bulk: bool | None, profile: Path | None
) -> float:
    """Seconds for import_file of the CSV, commit included."""
    engine = make_engine(url)
    factory = make_session_factory(engine)
    profiler = cProfile.Profile() if profile else None
    started = time.perf_counter()
    with transaction(factory) as session:
        if profiler:
            profiler.enable()
        report = import_file(session, path=path, mapping="nyc311", settings=settings, bulk=bulk)
        if profiler:
            profiler.disable()
    seconds = time.perf_counter() - started
    if profiler and profile:
        profiler.dump_stats(profile)
    print(f"    {report.summary()}")
    print("    " + ", ".join(f"{k} {v:.1f} s" for k, v in report.timings.items()))
    engine.dispose()
    return seconds


def dump_cases(url: str, folder: Path) -> dict[str, Path]:
    """The stored cases, areas and events in binary COPY files; the tables emptied after."""
    raw = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    dumps = {}
    with psycopg.connect(raw) as conn:
        for table in CASE_TABLES:
            dumps[table] = folder / f"{table}.copy"
            with (
                conn.cursor() as cur,
                cur.copy(f"COPY {table} TO STDOUT (FORMAT BINARY)") as copy,
                dumps[table].open("wb") as handle,
            ):
                for block in copy:
                    handle.write(block)
        conn.execute(f"TRUNCATE {', '.join(CASE_TABLES)} CASCADE")
        conn.commit()
    return dumps


def schema_copy(url: str, dumps: dict[str, Path]) -> tuple[float, dict[str, float]]:
    """Seconds to COPY the dumps into a scratch copy of the case tables, commit included."""
    raw = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(raw) as conn:
        conn.execute("DROP SCHEMA IF EXISTS schema_copy CASCADE")
        conn.execute("CREATE SCHEMA schema_copy")
        for table in CASE_TABLES:
            conn.execute(f"CREATE TABLE schema_copy.{table} (LIKE public.{table} INCLUDING ALL)")
        keys = conn.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) "
            "FROM pg_constraint WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            (list(CASE_TABLES),),
        ).fetchall()
        for table, name, definition in keys:
            target = definition.replace("REFERENCES cases(", "REFERENCES schema_copy.cases(")
            conn.execute(f"ALTER TABLE schema_copy.{table} ADD CONSTRAINT {name} {target}")
        conn.commit()
        per_table = {}
        started = time.perf_counter()
        for table in CASE_TABLES:
            begun = time.perf_counter()
            with (
                conn.cursor() as cur,
                cur.copy(f"COPY schema_copy.{table} FROM STDIN (FORMAT BINARY)") as copy,
                dumps[table].open("rb") as handle,
            ):
                while block := handle.read(1 << 20):
                    copy.write(block)
            per_table[table] = time.perf_counter() - begun
        conn.commit()
        seconds = time.perf_counter() - started
        conn.execute("DROP SCHEMA schema_copy CASCADE")
        conn.commit()
    return seconds, per_table


def line(rows: int, copy: float, civicgrid: float, schema: float) -> str:
    """cases/s of the three, and civicgrid's speed as a fraction of each COPY's."""
    return (
        f"COPY {rows / copy:,.0f} cases/s ({copy:.1f} s), "
        f"civicgrid {rows / civicgrid:,.0f} cases/s ({civicgrid:.1f} s), "
        f"COPY into civicgrid's tables {rows / schema:,.0f} cases/s ({schema:.1f} s); "
        f"civicgrid/COPY {copy / civicgrid:.3f}, "
        f"civicgrid/COPY into its tables {schema / civicgrid:.3f}"
    )


def runs(
    args: argparse.Namespace, url: str, path: Path, settings: Settings
) -> list[tuple[float, float, float]]:
    """Seconds of (plain COPY, civicgrid, COPY into civicgrid's tables) for each repeat."""
    found = []
    for n in range(args.repeat):
        copy = plain_copy(url, path)
        last = n == args.repeat - 1
        profile = args.profile if last else None
        civicgrid = civicgrid_import(url, path, settings, bulk=BULK[args.bulk], profile=profile)
        schema, per_table = schema_copy(url, dump_cases(url, path.parent))
        print("    COPY into civicgrid's tables: " + ", ".join(
            f"{table} {seconds:.1f} s" for table, seconds in per_table.items()))  # fmt: skip
        print(f"run {n + 1}: {line(args.rows, copy, civicgrid, schema)}")
        found.append((copy, civicgrid, schema))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--bulk", choices=list(BULK), default="auto", help="import_file's bulk")
    parser.add_argument("--profile", type=Path, help="write a cProfile of the last import here")
    args = parser.parse_args()
    if not SAMPLE.exists():
        print(f"skipped: {SAMPLE} is absent")
        return 0
    base = os.environ.get(
        "CIVICGRID_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
    )
    with tempfile.TemporaryDirectory() as tmp, scratch_database(base, "civicgrid_bench") as url:
        path = Path(tmp) / "cases.csv"
        started = time.perf_counter()
        make_rows(path, args.rows)
        print(f"{args.rows} rows written to CSV in {time.perf_counter() - started:.1f} s")
        settings = Settings(data_dir=Path(tmp), database_url=url, shared_dir=SHARED)
        engine = make_engine(url)
        migrate.upgrade(engine)
        with transaction(make_session_factory(engine)) as session:
            prepare(session, settings)
        engine.dispose()
        found = runs(args, url, path, settings)
    medians = [statistics.median(column) for column in zip(*found, strict=True)]
    print(f"median of {args.repeat}: {line(args.rows, *medians)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
