"""Periodic work of the accountability slice: keeping the monthly figures up to date."""

from __future__ import annotations

from sqlalchemy.orm import Session

from civicgrid.accountability.aggregate import RefreshReport, refresh
from civicgrid.jobs import Job
from civicgrid.settings import Settings


def refresh_monthly_figures(session: Session, settings: Settings) -> RefreshReport:
    """Rebuild the months whose cases changed since the last refresh (or all, when due)."""
    return refresh(session, settings=settings)


JOBS = [
    Job(
        name="refresh_monthly_figures",
        func=refresh_monthly_figures,
        interval=lambda s: float(s.accountability_refresh_interval_seconds),
    )
]
