"""Periodic jobs: registered explicitly by their slice, run by `civicgrid worker` or `serve`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session, sessionmaker

from civicgrid.db import transaction
from civicgrid.settings import Settings

log = logging.getLogger(__name__)

JobFunc = Callable[[Session, Settings], object]


@dataclass(frozen=True)
class Job:
    """A named unit of periodic work; each run is one transaction."""

    name: str
    func: JobFunc
    interval: Callable[[Settings], float]


def registered_jobs() -> list[Job]:
    """Every periodic job, named here so none registers by import side effect."""
    from civicgrid.accountability.jobs import JOBS as ACCOUNTABILITY_JOBS  # noqa: PLC0415
    from civicgrid.open311.queue import JOBS as OPEN311_JOBS  # noqa: PLC0415
    from civicgrid.sla.jobs import JOBS as SLA_JOBS  # noqa: PLC0415  (slices import jobs lazily)
    from civicgrid.triage.jobs import JOBS as TRIAGE_JOBS  # noqa: PLC0415

    return [*SLA_JOBS, *OPEN311_JOBS, *TRIAGE_JOBS, *ACCOUNTABILITY_JOBS]


def run_once(job: Job, factory: sessionmaker[Session], settings: Settings) -> object:
    """Run one job in its own transaction and return what it reports."""
    with transaction(factory) as session:
        return job.func(session, settings)


class JobRunner:
    """Runs every registered job on its interval in a background thread until stopped."""

    def __init__(self, factory: sessionmaker[Session], settings: Settings) -> None:
        self.factory = factory
        self.settings = settings
        self.stop_event = threading.Event()
        self.thread: threading.Thread | None = None

    def run_forever(self) -> None:
        """Loop over the jobs until ``stop`` is called; a failing job is logged and retried."""
        jobs = registered_jobs()
        due = dict.fromkeys((job.name for job in jobs), 0.0)
        elapsed = 0.0
        tick = 1.0
        while not self.stop_event.is_set():
            for job in jobs:
                if elapsed >= due[job.name]:
                    self._run_logged(job)
                    due[job.name] = elapsed + job.interval(self.settings)
            self.stop_event.wait(tick)
            elapsed += tick

    def _run_logged(self, job: Job) -> None:
        try:
            result = run_once(job, self.factory, self.settings)
        except Exception:  # a periodic job must survive one bad run; the error is logged
            log.exception("job %s failed; it runs again on its next interval", job.name)
        else:
            log.info("job %s: %s", job.name, result)

    def start(self) -> None:
        """Start the loop in a daemon thread (the embedded set-up)."""
        self.thread = threading.Thread(target=self.run_forever, name="civicgrid-jobs", daemon=True)
        self.thread.start()

    def stop(self) -> None:
        """Ask the loop to stop and wait for it."""
        self.stop_event.set()
        if self.thread is not None:
            self.thread.join(timeout=10)
