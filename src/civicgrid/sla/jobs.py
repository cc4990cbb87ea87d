"""The SLA slice's periodic work, registered in civicgrid.jobs.registered_jobs."""

from __future__ import annotations

from civicgrid.jobs import Job
from civicgrid.sla.sweep import sweep_sla_deadlines

JOBS: list[Job] = [
    Job(
        name="sweep_sla_deadlines",
        func=sweep_sla_deadlines,
        interval=lambda settings: settings.sweep_interval_seconds,
    ),
]
