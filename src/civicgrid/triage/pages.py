"""The public page of model cards: what each model is for, how good it is, how it is used.

Every model version civicgrid has trained, with its purpose, training data, cross-validated
figures, who approved it and when it served, and per month how many cases it pre-triaged, how
often staff overrode it and the staff minutes it saved. Public, as the JSON cards are: the
cards hold no personal data.
"""

from __future__ import annotations

from fastapi import Request
from starlette.responses import HTMLResponse

from civicgrid.deps import CurrentSettings, DbSession
from civicgrid.triage import report
from civicgrid.web.routing import page_router
from civicgrid.web.templating import render

router = page_router(tags=["pages"])


@router.get("/models", response_class=HTMLResponse)
def model_cards(request: Request, session: DbSession, settings: CurrentSettings) -> HTMLResponse:
    """Every model's card, the serving one first, then candidates, then retired ones."""
    order = {"serving": 0, "candidate": 1, "retired": 2}
    cards = sorted(
        report.cards(session, settings=settings),
        key=lambda c: (order.get(c["status"], 1), c["name"], -c["version"]),
    )
    context = {"cards": cards, "minutes": settings.triage_minutes_saved_per_case}
    return render(request, "triage/models.html", context)
