"""The one call intake makes after filing a case: suggest routing and duplicates, never fail.

An acknowledged report is never lost: whatever goes wrong in triage (a missing model file, a
bug) is logged and rolled back to a savepoint, and the filing goes on without suggestions.
The periodic job ``suggest_for_untriaged_cases`` catches up on cases missed this way.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from civicgrid.cases.models import Case
from civicgrid.settings import Settings
from civicgrid.triage import merge, service
from civicgrid.triage.models import DuplicateSuggestion, Suggestion

log = logging.getLogger(__name__)


@dataclass
class Triage:
    """What triage made of a new case (both parts may be empty)."""

    suggestion: Suggestion | None = None
    duplicates: list[DuplicateSuggestion] = field(default_factory=list)
    error: str | None = None


def on_case_filed(
    session: Session, *, case: Case, settings: Settings, now: datetime | None = None
) -> Triage:
    """Suggest a category, department and duplicates for a just-filed case; never raises."""
    result = Triage()
    if not settings.triage_enabled:
        return result
    savepoint = session.begin_nested()
    try:
        result.suggestion = service.suggest(session, case=case, now=now)
        result.duplicates = merge.suggest(session, case=case, settings=settings, now=now)
        savepoint.commit()
    except Exception as exc:
        savepoint.rollback()
        log.exception("triage of case %s failed; filed without suggestions", case.tracking_id)
        return Triage(error=f"{type(exc).__name__}: {exc}")
    return result
