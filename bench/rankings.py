"""Monthly rankings over a large case table on PostgreSQL, beside DuckDB on a Parquet export.

    .venv/bin/python bench/rankings.py [--cases 10000000] [--months 24] [--repeat 50]
                                       [--events 10000] [--keep] [--reuse DBNAME]

Builds a scratch database on CIVICGRID_BENCH_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/test; dropped at the end unless --keep): the demo's grid
(NYC boroughs and community districts), departments, categories and deadlines; the real NYC
311 10k file imported through civicgrid's importer; then --cases cases resampled in SQL from
those rows, each shifted by whole days into one of the --months months before June 2026, in
filing order as a real table grows (synthetic ratings on 30% and reopens on 5% of resolved
cases, since 311 data has neither). Then, in one run, it times:

(a) the full pre-aggregation (``aggregate.refresh``) of every month;
(b) the monthly ranking page's data, ``GET /api/v1/accountability/rankings`` for departments,
    boroughs and community districts, --repeat times each (p50 and p95);
(c) the same month's department figures computed live in PostgreSQL (no pre-aggregation);
(d) ``civicgrid export --format parquet`` of every case (rows/s, peak memory of the process);
(e) DuckDB computing the same department figures from that Parquet file, --repeat times,
    checked equal to ours;
(f) --events new timeline entries (acknowledging open cases of the last two months through
    the workflow), then the incremental refresh that brings the figures up to date;
(g) the public dashboard page, its map data and its equity fragment (--repeat / 10 times).

(c) always runs; --steps picks the others (default: all), e.g. --reuse DB --steps bg.

--reuse DBNAME skips the build and measures an existing database (one made with --keep).
Skips cleanly when ../shared is absent.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import duckdb
from fastapi.testclient import TestClient
from rankings_data import SAMPLE, SHARED, create_database, resample, seed
from sqlalchemy import select, text
from sqlalchemy.engine import make_url

from civicgrid.accountability import aggregate
from civicgrid.accountability.export import CaseExport, ExportFilter
from civicgrid.accountability.metrics import COUNTS, Grouping, figures_by
from civicgrid.accountability.periods import month_period
from civicgrid.app import create_app
from civicgrid.cases import workflow
from civicgrid.cases.models import Case
from civicgrid.catalog.models import Department
from civicgrid.db import make_engine, make_session_factory, transaction
from civicgrid.scratch import drop_database
from civicgrid.settings import Settings


def timed(func: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    """Seconds of each of ``repeat`` calls, and the last call's result."""
    seconds, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = func()
        seconds.append(time.perf_counter() - started)
    return seconds, result


def p95(values: list[float]) -> float:
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, round(0.95 * len(ordered)) - 1)]


def report(label: str, seconds: list[float]) -> None:
    print(f"  {label}: p50 {statistics.median(seconds) * 1000:.1f} ms, "
          f"p95 {p95(seconds) * 1000:.1f} ms (n={len(seconds)})")  # fmt: skip


DUCK = """
SELECT department AS unit, count(*) AS cases,
  count(*) FILTER (first_response_due IS NOT NULL
                   AND (first_response_at IS NOT NULL OR first_response_breached)) AS response_due,
  count(*) FILTER (first_response_due IS NOT NULL AND first_response_at IS NOT NULL
                   AND first_response_at <= first_response_due) AS response_on_time,
  count(*) FILTER (resolution_due IS NOT NULL
                   AND (resolved_at IS NOT NULL OR resolution_breached)) AS resolution_due,
  count(*) FILTER (resolution_due IS NOT NULL AND resolved_at IS NOT NULL) AS resolved,
  count(*) FILTER (resolution_due IS NOT NULL AND resolved_at IS NOT NULL
                   AND resolved_at <= resolution_due) AS resolved_on_time,
  count(rating) AS rated,
  count(*) FILTER (rating >= 4) AS satisfied,
  count(*) FILTER (resolved_at IS NOT NULL OR closed_at IS NOT NULL
                   OR reopen_count > 0) AS settled,
  count(*) FILTER (reopen_count > 0) AS reopened,
  quantile_cont((epoch(first_response_at) - epoch(created_at)) / 3600, 0.5) AS response_p50,
  quantile_cont((epoch(resolved_at) - epoch(created_at)) / 3600, 0.9) AS resolution_p90
FROM read_parquet($path) WHERE created_at >= $start AND created_at < $end
GROUP BY department
"""


def export_parquet(factory: Any, settings: Settings, path: Path) -> tuple[float, int, float, float]:
    """Seconds and rows of the Parquet export, the process's memory before it and its peak
    during it (MB)."""
    before = _memory("VmRSS")
    Path("/proc/self/clear_refs").write_text("5")  # resets the peak-memory mark (VmHWM)
    started = time.perf_counter()
    with transaction(factory) as session, path.open("wb") as handle:
        export = CaseExport(session, settings=settings, filters=ExportFilter())
        for chunk in export.stream("parquet"):
            handle.write(chunk)
    seconds = time.perf_counter() - started
    return seconds, export.rows, before, _memory("VmHWM")


def _memory(field: str) -> float:
    """A memory figure of this process from /proc (MB): VmRSS now, VmHWM the peak."""
    return next(
        int(line.split()[1]) / 1024
        for line in Path("/proc/self/status").read_text().splitlines()
        if line.startswith(field)
    )


def check_same(ours: dict[str, Any], duck: list[tuple[Any, ...]], names: list[str]) -> int:
    """How many department figures differ between civicgrid's and DuckDB's."""
    differ = 0
    for row in duck:
        values = dict(zip(names, row, strict=True))
        mine = ours[values["unit"]]
        for name in COUNTS:
            differ += getattr(mine, name) != values[name]
        for name in ("response_p50", "resolution_p90"):
            a, b = getattr(mine, name), values[name]
            differ += (a is None) != (b is None) or (a is not None and abs(a - b) > 1e-6)
    return differ + abs(len(ours) - len(duck))


def new_events(factory: Any, settings: Settings, count: int, since: date) -> float:
    """Acknowledge ``count`` open cases filed since ``since``: one timeline entry each."""
    zone_start = month_period(since, ZoneInfo(settings.timezone)).start
    started = time.perf_counter()
    with transaction(factory) as session:
        cases = session.scalars(
            select(Case).where(Case.status == "new", Case.created_at >= zone_start).limit(count)
        ).all()
        for case in cases:
            workflow.transition(
                session, case=case, to_status="acknowledged", actor="bench", settings=settings
            )
    print(f"  {len(cases):,} cases acknowledged in {time.perf_counter() - started:.1f} s")
    return time.perf_counter() - started


def ranking_pages(settings: Settings, month: date, repeat: int) -> None:
    """(b): the rankings endpoint for departments and for the areas of every level."""
    client = TestClient(create_app(settings))
    levels = [lvl["name"] for lvl in client.get("/api/v1/area-levels").json()]
    for unit, level in [("department", None), *(("area", lvl) for lvl in levels)]:
        params = {"month": month.strftime("%Y-%m"), "unit": unit}
        if level:
            params["level"] = level

        def page(params: dict[str, str] = params) -> Any:
            response = client.get("/api/v1/accountability/rankings", params=params)
            assert response.status_code == 200, response.text
            return response

        seconds, _ = timed(page, repeat)
        report(f"(b) ranking page data, {unit} {level or ''}".rstrip(), seconds)


def duckdb_figures(path: Path, period: Any, repeat: int) -> tuple[list[Any], list[str]]:
    """(e): the department figures of ``period`` from the Parquet file, timed."""
    duck = duckdb.connect()
    params = {"path": str(path), "start": period.start, "end": period.end}
    seconds, found = timed(lambda: duck.execute(DUCK, params).fetchall(), repeat)
    names = [d[0] for d in duck.execute(DUCK, params).description]
    report("(e) DuckDB, same department figures from the Parquet file", seconds)
    return found, names


def dashboard(settings: Settings, month: date, repeat: int) -> None:
    """(g): the public dashboard page, its map data and its equity fragment, as served."""
    client = TestClient(create_app(settings))
    query = {"month": month.strftime("%Y-%m")}
    for path in ("/performance", "/performance/areas.geojson", "/performance/equity"):

        def get(path: str = path) -> Any:
            response = client.get(path, params=query)
            assert response.status_code == 200, response.text
            return response

        seconds, _ = timed(get, repeat)
        report(f"(g) {path}", seconds)


def measure(settings: Settings, args: argparse.Namespace, workdir: Path) -> None:
    """The timings of the module docstring named in --steps, printed as they go."""
    engine = make_engine(settings.resolved_database_url)
    factory = make_session_factory(engine)
    month = date(2026, 5, 1)
    period = month_period(month, ZoneInfo(settings.timezone))
    if "a" in args.steps:
        seconds, result = timed(lambda: _refresh(factory, settings, full=True), 1)
        print(f"(a) full pre-aggregation: {seconds[0]:.1f} s ({result})")
    if "b" in args.steps:
        ranking_pages(settings, month, args.repeat)
    with transaction(factory) as session:
        grouping = Grouping("department")
        live_s, ours = timed(lambda: figures_by(session, period=period, grouping=grouping), 3)
        codes = dict(session.execute(select(Department.id, Department.code)).all())
    report("(c) live department figures of the month in PostgreSQL", live_s)
    if "d" in args.steps:
        path = workdir / "cases.parquet"
        seconds_export, rows, before, peak = export_parquet(factory, settings, path)
        print(f"(d) Parquet export: {rows:,} cases in {seconds_export:.1f} s "
              f"({rows / seconds_export:,.0f} cases/s), {path.stat().st_size / 2**20:,.0f} MB, "
              f"process memory {before:,.0f} MB before, {peak:,.0f} MB at peak")  # fmt: skip
        found, names = duckdb_figures(path, period, args.repeat)
        by_code = {codes[int(k)]: v for k, v in ours.items()}
        print(f"    figures differing from civicgrid's: {check_same(by_code, found, names)}")
    if "f" in args.steps:
        new_events(factory, settings, args.events, date(2026, 5, 1))
        seconds, result = timed(lambda: _refresh(factory, settings, full=False), 1)
        print(f"(f) refresh after {args.events:,} new events: {seconds[0]:.1f} s ({result})")
    if "g" in args.steps:
        dashboard(settings, month, max(1, args.repeat // 10))
    engine.dispose()


def _refresh(factory: Any, settings: Settings, *, full: bool) -> aggregate.RefreshReport:
    with transaction(factory) as session:
        return aggregate.refresh(session, settings=settings, full=full)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000_000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    parser.add_argument("--reuse", help="measure this existing database instead of building one")
    parser.add_argument("--steps", default="abdfg", help="which of the timed steps to run")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    if not SAMPLE.exists():
        print(f"skipped: {SAMPLE} is absent")
        return 0
    base = os.environ.get(
        "CIVICGRID_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
    )
    url = create_database(base, args.reuse)
    print(f"database: {make_url(url).database}")
    try:
        with tempfile.TemporaryDirectory() as tmp:
            settings = Settings(
                data_dir=Path(tmp), database_url=url, shared_dir=SHARED, embedded_worker=False
            )
            if not args.reuse:
                started = time.perf_counter()
                seed(settings)
                resample(settings, args.cases, args.months)
                print(f"built in {time.perf_counter() - started:.0f} s")
            engine = make_engine(url)
            with engine.connect() as conn:
                total = conn.scalar(text("SELECT count(*) FROM cases"))
            engine.dispose()
            print(f"{total:,} cases")
            measure(settings, args, Path(tmp))
    finally:
        if not args.keep and not args.reuse:
            drop_database(url)
    return 0


if __name__ == "__main__":
    sys.exit(main())
