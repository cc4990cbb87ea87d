"""Open311 POST speed against PostgreSQL: civicgrid's POST requests.json next to a minimal
endpoint that only inserts one row, on the same stack and server, measured in the same run.

    .venv/bin/python bench/open311_post.py [--seconds 20] [--concurrency 8] [--rounds 2]

Creates a scratch database on CIVICGRID_BENCH_DATABASE_URL (default
postgresql://postgres@127.0.0.1:5432/test; dropped at the end), loads the small demo city
(grid, departments, categories, SLA policies with holidays) and issues an API key. Then starts
one uvicorn process serving civicgrid plus, mounted by this bench only, ``POST /bench/minimal``:
FastAPI, the same request-scoped SQLAlchemy session (civicgrid.deps.DbSession), one INSERT,
routed just before the Open311 router, so both are matched after the same routes (FastAPI
tries them in order, and each one passed costs time).
This process is the load generator (httpx, ``--concurrency`` connections in flight); each round
times, for ``--seconds`` each after a warm-up:

(a) POST /open311/v2/requests.json: a form with a place from the demo's cases, a description
    and the service code, filed for real (placement, routing, deadlines, timeline);
(b) the same with a fresh Idempotency-Key per request (the claimed-key path);
(c) POST /bench/minimal with the same form.

Prints requests/s, p50 and p99 latency of each and the ratios to (c) (goal: (a) >= 0.5).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import httpx
import uvicorn
from fastapi import APIRouter, FastAPI, Form
from sqlalchemy import Integer, MetaData, String, select
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from civicgrid import migrate
from civicgrid.app import create_app
from civicgrid.cases.models import Case
from civicgrid.catalog.models import Category
from civicgrid.db import make_engine, make_session_factory, transaction
from civicgrid.demo import service as demo
from civicgrid.deps import DbSession
from civicgrid.open311 import apikeys
from civicgrid.open311.api import router as open311
from civicgrid.scratch import scratch_database
from civicgrid.settings import Settings

ROOT = "/open311/v2/"


class BenchBase(DeclarativeBase):
    """The bench's own table, outside civicgrid's metadata."""

    metadata = MetaData()


class BenchRow(BenchBase):
    """What the minimal endpoint inserts: one row per request."""

    __tablename__ = "bench_minimal_rows"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    description: Mapped[str] = mapped_column(String(4000))


def serve(url: str, port: int, data_dir: str) -> None:
    """The server process: civicgrid plus the bench's minimal endpoint, one uvicorn worker."""
    settings = Settings(
        data_dir=Path(data_dir), database_url=url, embedded_worker=False, log_level="WARNING"
    )
    engine = make_engine(settings.resolved_database_url)
    app = create_app(settings, session_factory=make_session_factory(engine))

    bench = APIRouter()

    @bench.post("/bench/minimal", status_code=201)
    def minimal(session: DbSession, description: Annotated[str, Form()] = "") -> dict[str, int]:
        row = BenchRow(description=description)
        session.add(row)
        session.flush()
        return {"id": row.id}

    _include_beside_open311(app, bench)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)


def _include_beside_open311(app: FastAPI, bench: APIRouter) -> None:
    """Include ``bench`` just before the Open311 router: FastAPI matches routes in order, and
    every router passed costs time, so both endpoints must be found after the same ones."""
    app.include_router(bench)
    routes = app.router.routes
    entry = routes.pop()
    at = [i for i, r in enumerate(routes) if getattr(r, "original_router", None) is open311]
    assert len(at) == 1, "the Open311 router is not among the app's routes"
    routes.insert(at[0], entry)


@dataclass
class Fixture:
    """What the load needs: the key, a service code and real places."""

    api_key: str
    service_code: str
    places: list[tuple[float, float]]


def prepare(url: str, data_dir: Path) -> Fixture:
    """Migrate, load the small demo city, issue a key; pick the commonest service's places."""
    engine = make_engine(url)
    migrate.upgrade(engine)
    BenchBase.metadata.create_all(engine)
    settings = Settings(data_dir=data_dir, database_url=url, embedded_worker=False)
    with transaction(make_session_factory(engine)) as session:
        demo.load_demo(session, settings=settings, small=True)
        _, key = apikeys.create(session, name="bench")
        rows = session.execute(
            select(Case.lat, Case.lon, Category.code)
            .join(Category, Category.id == Case.category_id)
            .where(Case.lat.is_not(None), ~Category.questions.any())
        ).all()
    engine.dispose()
    codes = [code for _, _, code in rows]
    common = max(set(codes), key=codes.count)
    return Fixture(key, common, [(lat, lon) for lat, lon, _ in rows])


@dataclass
class Result:
    """One timed run of one target."""

    name: str
    latencies: list[float]
    errors: int
    seconds: float

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds

    def pct(self, q: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


async def load(
    base: str, path: str, fixture: Fixture, *, seconds: float, concurrency: int, keyed: bool
) -> tuple[list[float], int]:
    """Keep ``concurrency`` POSTs in flight for ``seconds``; latencies of the 2xx ones."""
    rng = random.Random(311)
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            lat, lon = rng.choice(fixture.places)
            form = {
                "api_key": fixture.api_key,
                "service_code": fixture.service_code,
                "lat": f"{lat:.6f}",
                "long": f"{lon:.6f}",
                "description": "Bench report: overflowing litter basket at the corner",
            }
            headers = {"Idempotency-Key": uuid.uuid4().hex} if keyed else None
            started = time.perf_counter()
            response = await client.post(path, data=form, headers=headers)
            if response.is_success:
                latencies.append(time.perf_counter() - started)
            else:
                errors += 1
                if errors == 1:
                    print(f"    first error: {response.status_code} {response.text[:200]}")

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
    return latencies, errors


def measure(base: str, fixture: Fixture, args: argparse.Namespace) -> list[Result]:
    """Each target, warm-up then timed, ``--rounds`` times in turn."""
    targets = [
        ("civicgrid POST requests.json", ROOT + "requests.json", False),
        ("civicgrid, with Idempotency-Key", ROOT + "requests.json", True),
        ("minimal: one INSERT", "/bench/minimal", False),
    ]
    results = []
    for _ in range(args.rounds):
        for name, path, keyed in targets:
            kw = {"concurrency": args.concurrency, "keyed": keyed}
            asyncio.run(load(base, path, fixture, seconds=args.warmup, **kw))
            latencies, errors = asyncio.run(load(base, path, fixture, seconds=args.seconds, **kw))
            results.append(Result(name, latencies, errors, args.seconds))
            print(f"  {name}: {len(latencies) / args.seconds:.0f} req/s", flush=True)
    return results


def report(results: list[Result]) -> None:
    """Per target: median of the rounds' rates, latencies over all rounds, ratios."""
    names = list(dict.fromkeys(r.name for r in results))
    rates = {n: statistics.median(r.rate for r in results if r.name == n) for n in names}
    print(f"\n{'target':34} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'ratio':>6}")
    for name in names:
        mine = [r for r in results if r.name == name]
        merged = Result(name, [x for r in mine for x in r.latencies], 0, 1)
        print(
            f"{name:34} {rates[name]:8.0f} {merged.pct(0.5):8.1f} {merged.pct(0.99):8.1f} "
            f"{sum(r.errors for r in mine):7d} {rates[name] / rates[names[-1]]:6.2f}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--port", type=int, default=8311)
    parser.add_argument("--serve", metavar="URL", help=argparse.SUPPRESS)
    parser.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve, args.port, args.data_dir)
        return 0
    base_url = os.environ.get(
        "CIVICGRID_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"
    )
    with scratch_database(base_url, "civicgrid_bench") as url, tempfile.TemporaryDirectory() as tmp:
        fixture = prepare(url, Path(tmp))
        print(f"service {fixture.service_code!r}, {len(fixture.places)} places", flush=True)
        command = [sys.executable, __file__, "--serve", url, "--port", str(args.port)]
        server = subprocess.Popen([*command, "--data-dir", tmp])
        try:
            base = f"http://127.0.0.1:{args.port}"
            for _ in range(100):
                try:
                    if httpx.get(base + "/healthz").is_success:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            report(measure(base, fixture, args))
        finally:
            server.terminate()
            server.wait(timeout=20)
    return 0


if __name__ == "__main__":
    sys.exit(main())
