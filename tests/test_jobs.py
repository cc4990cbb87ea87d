"""The job runner: registered jobs run in their own transaction and survive a failing run."""

from __future__ import annotations

import logging
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, delete, text
from sqlalchemy.orm import Session, sessionmaker

from civicgrid.accountability.models import AggregateState, MonthlyFigure
from civicgrid.app import create_app
from civicgrid.jobs import Job, JobRunner, registered_jobs, run_once
from civicgrid.settings import Settings


def test_sweep_is_registered() -> None:
    names = [job.name for job in registered_jobs()]
    assert names[0] == "sweep_sla_deadlines"
    assert "suggest_for_untriaged_cases" in names


def test_run_once_commits_and_returns_the_report(engine: Engine, settings: Settings) -> None:
    report = run_once(registered_jobs()[0], sessionmaker(bind=engine), settings)
    assert str(report) == "0 warned, 0 breached, 0 escalated"


def test_runner_keeps_going_after_a_failure(
    engine: Engine,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[str] = []

    def broken(session: Session, _settings: Settings) -> None:
        calls.append("broken")
        session.execute(text("SELECT * FROM no_such_table"))

    def fine(session: Session, _settings: Settings) -> str:
        calls.append("fine")
        return "ok"

    jobs = [Job("broken", broken, lambda _s: 3600.0), Job("fine", fine, lambda _s: 3600.0)]
    monkeypatch.setattr("civicgrid.jobs.registered_jobs", lambda: jobs)
    runner = JobRunner(sessionmaker(bind=engine), settings)
    with caplog.at_level(logging.INFO, logger="civicgrid.jobs"):
        runner.start()
        deadline = time.monotonic() + 10
        while len(calls) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        runner.stop()
    assert calls == ["broken", "fine"]
    assert "job broken failed" in caplog.text
    assert "job fine: ok" in caplog.text
    assert runner.thread is not None
    assert not runner.thread.is_alive()


def test_embedded_worker_starts_and_stops_with_the_app(settings: Settings, engine: Engine) -> None:
    embedded = settings.model_copy(update={"embedded_worker": True, "sweep_interval_seconds": 3600})
    app = create_app(embedded, session_factory=sessionmaker(bind=engine))
    try:
        with TestClient(app) as client:
            assert client.get("/healthz").status_code == 200
    finally:
        # The worker's jobs commit to the run's shared database: take their state back out, or
        # later tests would read rankings from a pre-aggregation of nothing.
        with engine.begin() as conn:
            conn.execute(delete(MonthlyFigure))
            conn.execute(delete(AggregateState))
