"""What filing a case asks of triage: routing and duplicate suggestions, never a failure.

An acknowledged report is never lost: whatever goes wrong in triage (a missing model file, a
bug) is logged and undone, and the filing goes on without suggestions. While no model serves,
a new case's duplicates are found before it is written and written with it
(:func:`duplicates_of_new_case`); a serving model needs the written case, so its work runs
after, in a savepoint (:func:`on_case_filed`). The periodic job
``suggest_for_untriaged_cases`` catches up on cases missed either way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from civicgrid.cases.models import Case
from civicgrid.catalog import reference
from civicgrid.settings import Settings
from civicgrid.triage import merge, service
from civicgrid.triage.models import DuplicateSuggestion, Suggestion

log = logging.getLogger(__name__)
_FAILED = "triage of case %s failed; filed without suggestions"


@dataclass
class Triage:
    """What triage made of a new case (both parts may be empty)."""

    suggestion: Suggestion | None = None
    duplicates: list[DuplicateSuggestion] = field(default_factory=list)
    error: str | None = None


def on_case_filed(
    session: Session,
    *,
    case: Case,
    settings: Settings,
    now: datetime | None = None,
    just_filed: bool = False,
) -> Triage:
    """Suggest a category, department and duplicates for a just-filed case; never raises.

    ``just_filed`` says the case was inserted in this very transaction (cases.service.write),
    so it can have no suggestions yet.
    """
    if not settings.triage_enabled:
        return Triage()
    result = Triage()
    savepoint = session.begin_nested()
    try:
        result.suggestion = service.suggest(session, case=case, now=now)
        known = () if just_filed else None
        result.duplicates = merge.suggest(
            session, case=case, settings=settings, now=now, known=known
        )
        savepoint.commit()
    except Exception as exc:
        savepoint.rollback()
        log.exception(_FAILED, case.tracking_id)
        return _failed(exc)
    return result


def duplicates_of_new_case(
    session: Session, *, case: Case, settings: Settings, now: datetime
) -> list[DuplicateSuggestion] | None:
    """The duplicate suggestions of a case about to be written, unwritten; never raises.

    None when a model serves: then :func:`on_case_filed` runs once the case is written. No
    savepoint: the search only reads. Not contained: a failure of the database itself, which
    on PostgreSQL ends the transaction, so the filing fails too (unacknowledged, so the client
    retries it; nothing is lost).
    """
    if not settings.triage_enabled:
        return []
    if reference.current(session).serving_model_id is not None:
        return None
    try:
        matches = merge.find(session, case=case, settings=settings)
        return merge.suggestion_rows(case=case, matches=matches, now=now)
    except Exception:
        log.exception(_FAILED, case.tracking_id)
        return []


def _failed(exc: Exception) -> Triage:
    return Triage(error=f"{type(exc).__name__}: {exc}")
