"""Periodic triage work: suggest routing for recent cases that got no suggestion at filing
(bulk imports, or a filing whose triage failed), with the serving model.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.cases.models import Case
from civicgrid.cases.workflow import OPEN_STATES
from civicgrid.jobs import Job
from civicgrid.settings import Settings
from civicgrid.triage import registry, service
from civicgrid.triage.models import Suggestion

BATCH = 200
LOOKBACK = timedelta(days=2)


def suggest_for_untriaged_cases(session: Session, settings: Settings) -> str:
    """Suggest for up to BATCH open cases filed since the serving model started, lacking one."""
    if not settings.triage_enabled:
        return "triage is off"
    model = registry.serving(session)
    if model is None or model.serving_since is None:
        return "no model serves"
    since = model.serving_since - LOOKBACK
    has_one = select(Suggestion.case_id).where(Suggestion.model_id == model.id)
    cases = session.scalars(
        select(Case)
        .where(
            Case.created_at >= since,
            Case.status.in_(OPEN_STATES),
            Case.id.not_in(has_one),
        )
        .order_by(Case.id)
        .limit(BATCH)
    ).all()
    for case in cases:
        service.suggest(session, case=case, model=model)
    return f"{len(cases)} cases triaged by {model.label}"


JOBS = [
    Job(
        name="suggest_for_untriaged_cases",
        func=suggest_for_untriaged_cases,
        interval=lambda settings: float(settings.sweep_interval_seconds),
    )
]
