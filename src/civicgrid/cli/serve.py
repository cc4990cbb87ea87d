"""`civicgrid serve` and `civicgrid worker`: the web server and the job runner."""

from __future__ import annotations

import signal
from types import FrameType

import typer
import uvicorn

from civicgrid import migrate
from civicgrid.app import create_app
from civicgrid.cli.common import console, load_settings, open_database
from civicgrid.jobs import JobRunner


def serve(
    host: str | None = typer.Option(None, help="Listen address (default: CIVICGRID_HOST)."),
    port: int | None = typer.Option(None, help="Listen port (default: CIVICGRID_PORT)."),
) -> None:
    """Serve the web application and API (and the periodic jobs, when embedded)."""
    settings = load_settings()
    engine, factory = open_database(settings)
    migrate.upgrade(engine)
    app = create_app(settings, session_factory=factory)
    bind_host, bind_port = host or settings.host, port or settings.port
    console.print(f"civicgrid serving at http://{bind_host}:{bind_port}")
    uvicorn.run(app, host=bind_host, port=bind_port, log_level=settings.log_level.lower())


def worker() -> None:
    """Run the periodic jobs (deadline sweep) until interrupted."""
    settings = load_settings()
    _, factory = open_database(settings)
    runner = JobRunner(factory, settings)

    def _stop(_signum: int, _frame: FrameType | None) -> None:
        runner.stop_event.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    console.print("civicgrid worker running; Ctrl-C stops it")
    runner.run_forever()
