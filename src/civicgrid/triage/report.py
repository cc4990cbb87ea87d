"""Model cards and each model's monthly record: cases pre-triaged, overrides, minutes saved."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.settings import Settings
from civicgrid.triage import registry
from civicgrid.triage.models import Suggestion, TriageModel

# A person changed what the model said: overridden before it applied, or reverted after.
OVERRIDES = ("overridden", "reverted")
# The model's answer stood and saved a person the triage work.
TAKEN = ("accepted", "auto_applied")


def monthly(
    session: Session, *, model_ids: list[int], settings: Settings
) -> dict[int, list[dict[str, Any]]]:
    """Per model and calendar month (UTC): pre-triaged cases, outcomes, minutes saved."""
    counts: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    rows = session.execute(
        select(Suggestion.model_id, Suggestion.created_at, Suggestion.outcome).where(
            Suggestion.model_id.in_(model_ids)
        )
    )
    for model_id, created_at, outcome in rows:
        counts[(model_id, created_at.strftime("%Y-%m"))][outcome] += 1
    out: dict[int, list[dict[str, Any]]] = {mid: [] for mid in model_ids}
    for (model_id, month), by_outcome in sorted(counts.items()):
        total = sum(by_outcome.values())
        overridden = sum(by_outcome[o] for o in OVERRIDES)
        taken = sum(by_outcome[o] for o in TAKEN)
        decided = overridden + taken
        out[model_id].append(
            {
                "month": month,
                "pre_triaged": total,
                "auto_applied": by_outcome["auto_applied"],
                "accepted": by_outcome["accepted"],
                "overridden": overridden,
                "pending": by_outcome["pending"],
                "override_rate": round(overridden / decided, 4) if decided else None,
                "minutes_saved": round(taken * settings.triage_minutes_saved_per_case, 1),
            }
        )
    return out


def card(model: TriageModel, usage: list[dict[str, Any]]) -> dict[str, Any]:
    """A model's card: what it is for, what it learnt from, how good, who approved it."""
    evaluation = model.evaluation or {}
    return {
        "name": model.name,
        "version": model.version,
        "label": model.label,
        "purpose": model.purpose,
        "status": model.status,
        "training_data": model.training_data,
        "training_rows": model.training_rows,
        "labels": model.labels,
        "parameters": model.parameters,
        "trained_at": model.trained_at,
        "trained_by": model.trained_by,
        "approved_by": model.approved_by,
        "approved_at": model.approved_at,
        "serving_since": model.serving_since,
        "retired_at": model.retired_at,
        "evaluation": {k: v for k, v in evaluation.items() if k != "confusion"},
        "confusion": evaluation.get("confusion"),
        "monthly": usage,
    }


def cards(session: Session, *, settings: Settings, name: str | None = None) -> list[dict[str, Any]]:
    """The cards of every model version (or of one model's versions), with monthly usage."""
    models = registry.versions(session, name) if name else registry.list_(session)
    usage = monthly(session, model_ids=[m.id for m in models], settings=settings)
    return [card(m, usage[m.id]) for m in models]
