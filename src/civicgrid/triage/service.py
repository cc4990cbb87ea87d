"""Routing suggestions: the serving model's category and department for a case, and what staff
do with them (accept, override, revert); the per-category triage settings administrators set.

AI suggests, people decide: a suggestion changes a case only when its confidence reaches the
threshold an administrator set for that category, and even then one call undoes it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.audit import service as audit
from civicgrid.cases import workflow
from civicgrid.cases.models import Case, CaseArea, CaseEvent
from civicgrid.catalog import service as catalog
from civicgrid.catalog.models import Category, Department
from civicgrid.catalog.routing import Router
from civicgrid.db import utcnow
from civicgrid.errors import Conflict, Invalid, NotFound
from civicgrid.grid.models import Area, AreaLevel
from civicgrid.triage import registry
from civicgrid.triage.models import CategoryTriage, Suggestion, TriageModel


class Texted(Protocol):
    """Anything with a case's title and description: a case, or a row of those columns."""

    @property
    def title(self) -> str: ...
    @property
    def description(self) -> str: ...


def case_text(case: Texted) -> str:
    """The text a model reads: title and description."""
    return f"{case.title}\n{case.description}".strip()


def _area_ids(session: Session, case: Case) -> list[int]:
    """The case's containing areas, deepest level first (as routing wants them)."""
    rows = session.execute(
        select(CaseArea.area_id)
        .join(Area, Area.id == CaseArea.area_id)
        .join(AreaLevel, AreaLevel.id == Area.level_id)
        .where(CaseArea.case_id == case.id)
        .order_by(AreaLevel.rank.desc())
    )
    return [r[0] for r in rows]


def category_for_label(session: Session, label: str) -> Category | None:
    """The catalogue category a model label names: by code first, then by name."""
    found = session.scalar(select(Category).where(Category.code == label))
    return found or session.scalar(select(Category).where(Category.name == label))


def category_settings(session: Session, category_id: int) -> CategoryTriage | None:
    """The administrator's triage settings of a category, if any were set."""
    return session.get(CategoryTriage, category_id)


def suggest(
    session: Session, *, case: Case, model: TriageModel | None = None, now: datetime | None = None
) -> Suggestion | None:
    """Ask the serving model about ``case``; store and return its suggestion (None: no model).

    When the confidence reaches the predicted category's auto-apply threshold the suggestion is
    applied at once (outcome ``auto_applied``), reversibly.
    """
    now = now or utcnow()
    model = model or registry.serving(session)
    if model is None:
        return None
    if model.approved_at is None:
        raise Conflict(f"model {model.label} is not approved and cannot make suggestions")
    earlier = session.scalar(
        select(Suggestion).where(Suggestion.case_id == case.id, Suggestion.model_id == model.id)
    )
    if earlier is not None:  # one suggestion per case and model version, however often asked
        return earlier
    prediction = registry.load(model).predict([case_text(case)])[0]
    category = category_for_label(session, prediction.label)
    department_id = None
    if category is not None:
        department_id = Router.load(session).department_for(category.id, _area_ids(session, case))
    suggestion = Suggestion(
        case_id=case.id,
        model_id=model.id,
        model_label=model.label,
        predicted_label=prediction.label,
        category_id=category.id if category else None,
        department_id=department_id,
        confidence=round(prediction.confidence, 4),
        alternatives=[{"label": k, "confidence": round(v, 4)} for k, v in prediction.alternatives],
        outcome="pending",
        created_at=now,
    )
    session.add(suggestion)
    session.flush()
    settings = category_settings(session, category.id) if category else None
    threshold = settings.auto_apply_threshold if settings else None
    if threshold is not None and suggestion.confidence >= threshold:
        _apply(session, case=case, suggestion=suggestion, actor=f"model:{model.label}", now=now)
        suggestion.outcome = "auto_applied"
        suggestion.decided_by = f"model:{model.label}"
        suggestion.decided_at = now
        audit.record(
            session,
            actor=f"model:{model.label}",
            action="triage.routing_auto_applied",
            subject=f"case:{case.tracking_id}",
            details=_routing_details(suggestion, threshold),
            now=now,
        )
    return suggestion


def _routing_details(suggestion: Suggestion, threshold: float | None = None) -> dict[str, Any]:
    details: dict[str, Any] = {
        "suggestion": suggestion.id,
        "model": suggestion.model_label,
        "confidence": suggestion.confidence,
        "category_id": suggestion.category_id,
        "department_id": suggestion.department_id,
        "previous_category_id": suggestion.previous_category_id,
        "previous_department_id": suggestion.previous_department_id,
    }
    if threshold is not None:
        details["threshold"] = threshold
    return details


def _apply(
    session: Session, *, case: Case, suggestion: Suggestion, actor: str, now: datetime
) -> None:
    """Give the case the suggested category and department, remembering the previous ones."""
    suggestion.previous_category_id = case.category_id
    suggestion.previous_department_id = case.department_id
    _set_routing(
        session,
        case=case,
        category_id=suggestion.category_id,
        department_id=suggestion.department_id,
        actor=actor,
        reason=f"triage suggestion {suggestion.id} ({suggestion.model_label}, "
        f"confidence {suggestion.confidence:.2f})",
        now=now,
    )


def _set_routing(
    session: Session,
    *,
    case: Case,
    category_id: int | None,
    department_id: int | None,
    actor: str,
    reason: str,
    now: datetime,
) -> None:
    if category_id is not None and category_id != case.category_id:
        previous = case.category_id
        case.category_id = category_id
        case.updated_at = now
        session.add(
            CaseEvent(
                case_id=case.id,
                kind="recategorized",
                public=False,
                body=reason,
                actor=actor,
                data={"from_category_id": previous, "to_category_id": category_id},
                created_at=now,
            )
        )
    if department_id is not None and department_id != case.department_id:
        dept = session.get(Department, department_id)
        assert dept is not None  # ids come from the catalogue or a foreign key
        workflow.transfer(
            session, case=case, department_code=dept.code, reason=reason, actor=actor, now=now
        )
    session.flush()


def get_suggestion_or_raise(session: Session, suggestion_id: int) -> Suggestion:
    """One suggestion by id."""
    found = session.get(Suggestion, suggestion_id)
    if found is None:
        raise NotFound(f"no triage suggestion {suggestion_id}")
    return found


def suggestions_for(session: Session, case: Case) -> list[Suggestion]:
    """Every suggestion made for a case, newest first."""
    return list(
        session.scalars(
            select(Suggestion)
            .where(Suggestion.case_id == case.id)
            .order_by(Suggestion.created_at.desc(), Suggestion.id.desc())
        )
    )


def _pending_or_raise(suggestion: Suggestion) -> None:
    if suggestion.outcome != "pending":
        raise Conflict(
            f"suggestion {suggestion.id} was already decided ({suggestion.outcome})",
            field="suggestion",
        )


def accept(
    session: Session, *, suggestion: Suggestion, by: str, now: datetime | None = None
) -> Suggestion:
    """A person takes the suggestion: the case gets its category and department."""
    now = now or utcnow()
    _pending_or_raise(suggestion)
    if suggestion.category_id is None:
        raise Conflict(
            f"suggestion {suggestion.id} names {suggestion.predicted_label!r}, which is no "
            "category of this city's catalogue; override it with a category instead"
        )
    case = _case(session, suggestion)
    _apply(session, case=case, suggestion=suggestion, actor=by, now=now)
    return _decide(suggestion, "accepted", by, now)


def override(
    session: Session,
    *,
    suggestion: Suggestion,
    by: str,
    category: str | None = None,
    department: str | None = None,
    now: datetime | None = None,
) -> Suggestion:
    """A person rejects the suggestion, optionally giving the case their own choice."""
    now = now or utcnow()
    _pending_or_raise(suggestion)
    case = _case(session, suggestion)
    category_id = catalog.get_category_or_raise(session, category).id if category else None
    department_id = catalog.get_department_or_raise(session, department).id if department else None
    suggestion.previous_category_id = case.category_id
    suggestion.previous_department_id = case.department_id
    _set_routing(
        session,
        case=case,
        category_id=category_id,
        department_id=department_id,
        actor=by,
        reason=f"triage suggestion {suggestion.id} overridden",
        now=now,
    )
    return _decide(suggestion, "overridden", by, now)


def revert(
    session: Session, *, suggestion: Suggestion, by: str, now: datetime | None = None
) -> Suggestion:
    """Undo an auto-applied suggestion: the case gets back its previous category and department.

    Counted as an override on the model's report.
    """
    now = now or utcnow()
    if suggestion.outcome != "auto_applied":
        raise Conflict(
            f"only an auto-applied suggestion can be reverted; {suggestion.id} is "
            f"{suggestion.outcome}"
        )
    case = _case(session, suggestion)
    _set_routing(
        session,
        case=case,
        category_id=suggestion.previous_category_id,
        department_id=suggestion.previous_department_id,
        actor=by,
        reason=f"auto-applied triage suggestion {suggestion.id} reverted",
        now=now,
    )
    audit.record(
        session,
        actor=f"user:{by}",
        action="triage.routing_reverted",
        subject=f"case:{case.tracking_id}",
        details=_routing_details(suggestion),
        now=now,
    )
    return _decide(suggestion, "reverted", by, now)


def _case(session: Session, suggestion: Suggestion) -> Case:
    case = session.get(Case, suggestion.case_id)
    assert case is not None  # a foreign key guarantees it
    return case


def _decide(suggestion: Suggestion, outcome: str, by: str, now: datetime) -> Suggestion:
    suggestion.outcome = outcome
    suggestion.decided_by = by
    suggestion.decided_at = now
    return suggestion


def set_category_settings(
    session: Session,
    *,
    category: str,
    by: str,
    auto_apply_threshold: float | None,
    duplicate_rings: int | None = None,
    duplicate_window_hours: float | None = None,
    related_categories: list[str] | None = None,
    now: datetime | None = None,
) -> CategoryTriage:
    """An administrator sets a category's auto-apply threshold and duplicate rules."""
    now = now or utcnow()
    cat = catalog.get_category_or_raise(session, category)
    if auto_apply_threshold is not None and not 0.5 <= auto_apply_threshold <= 1:
        raise Invalid(
            "auto_apply_threshold is a confidence from 0.5 to 1, or null to never auto-apply",
            field="auto_apply_threshold",
        )
    related = sorted(set(related_categories or []))
    for code in related:
        catalog.get_category_or_raise(session, code)
    row = session.get(CategoryTriage, cat.id) or CategoryTriage(category_id=cat.id)
    row.auto_apply_threshold = auto_apply_threshold
    row.duplicate_rings = duplicate_rings
    row.duplicate_window_hours = duplicate_window_hours
    row.related_categories = related
    row.updated_by = by
    row.updated_at = now
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=f"user:{by}",
        action="triage.settings_changed",
        subject=f"category:{cat.code}",
        details={
            "auto_apply_threshold": auto_apply_threshold,
            "duplicate_rings": duplicate_rings,
            "duplicate_window_hours": duplicate_window_hours,
            "related_categories": related,
        },
        now=now,
    )
    return row
