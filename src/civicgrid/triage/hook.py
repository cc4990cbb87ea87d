"""The one call intake makes after filing a case: suggest routing and duplicates, never fail.

An acknowledged report is never lost: whatever goes wrong in triage (a missing model file, a
bug) is logged and undone, and the filing goes on without suggestions. A serving model's work
runs in a savepoint; a new case's duplicate search needs none (see below). The periodic job
``suggest_for_untriaged_cases`` catches up on cases missed this way.
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

    ``just_filed`` says the case was inserted in this very transaction (cases.service.create):
    it can have no suggestions yet, and when no model serves only its duplicates are written.
    """
    if not settings.triage_enabled:
        return Triage()
    if just_filed and reference.current(session).serving_model_id is None:
        return _duplicates_of_new_case(session, case=case, settings=settings, now=now)
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


def _duplicates_of_new_case(
    session: Session, *, case: Case, settings: Settings, now: datetime | None
) -> Triage:
    # No savepoint, so two round trips fewer per filing: the search only reads and the rows
    # are added after it, so a bug leaves nothing behind, and a case filed a moment ago has no
    # suggestion they could clash with. Not contained: a failure of the database itself, which
    # on PostgreSQL ends the transaction, so the filing fails too (unacknowledged, so the
    # client retries it; nothing is lost).
    try:
        with session.no_autoflush:  # the filing flushes its areas, event and these rows at once
            matches = merge.find(session, case=case, settings=settings)
        rows = merge.record(session, case=case, matches=matches, now=now, flush=False)
        return Triage(duplicates=rows)
    except Exception as exc:
        log.exception(_FAILED, case.tracking_id)
        return _failed(exc)


def _failed(exc: Exception) -> Triage:
    return Triage(error=f"{type(exc).__name__}: {exc}")
