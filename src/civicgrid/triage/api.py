"""JSON routes of triage: model cards (public), a case's suggestions, decisions, merges."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from sqlalchemy import select

from civicgrid.accounts.deps import CurrentStaff
from civicgrid.cases import service as cases
from civicgrid.cases.models import Case
from civicgrid.catalog import service as catalog
from civicgrid.catalog.models import Category, Department
from civicgrid.deps import CurrentSettings, DbSession
from civicgrid.errors import Forbidden, error_responses
from civicgrid.triage import merge, report, service
from civicgrid.triage.models import CaseMerge, Suggestion
from civicgrid.triage.schemas import (
    CaseTriage,
    CategoryTriageIn,
    CategoryTriageRead,
    DuplicateRead,
    MergeIn,
    MergeRead,
    ModelCard,
    OverrideIn,
    SuggestionRead,
)

# Row ids are 32-bit on PostgreSQL: larger numbers are refused up front, not a server error.
RowId = Annotated[int, Path(ge=1, le=2**31 - 1)]

router = APIRouter(tags=["triage"])
STAFF_ERRORS = error_responses(401, 403, 404, 409, 422)


@router.get("/models", response_model=list[ModelCard])
def list_models(session: DbSession, settings: CurrentSettings) -> list[dict[str, Any]]:
    """Every model's card with its monthly record: pre-triaged, overridden, minutes saved."""
    return report.cards(session, settings=settings)


@router.get("/models/{name}", response_model=list[ModelCard], responses=error_responses(404))
def get_model(name: str, session: DbSession, settings: CurrentSettings) -> list[dict[str, Any]]:
    """The cards of one model's versions, newest first."""
    return report.cards(session, settings=settings, name=name)


def _codes(session: DbSession, model: type[Category] | type[Department]) -> dict[int, str]:
    return dict(session.execute(select(model.id, model.code)).all())


def _suggestion_read(session: DbSession, s: Suggestion) -> SuggestionRead:
    cats, depts = _codes(session, Category), _codes(session, Department)
    read = SuggestionRead.model_validate(s)
    read.category = cats.get(s.category_id) if s.category_id else None
    read.department = depts.get(s.department_id) if s.department_id else None
    return read


def _tracking(session: DbSession, case_id: int) -> str:
    case = session.get(Case, case_id)
    assert case is not None  # foreign keys guarantee it
    return case.tracking_id


def _merge_read(session: DbSession, row: CaseMerge) -> MergeRead:
    return MergeRead(
        id=row.id,
        duplicate=_tracking(session, row.duplicate_case_id),
        original=_tracking(session, row.original_case_id),
        merged_by=row.merged_by,
        merged_at=row.merged_at,
        undone_by=row.undone_by,
        undone_at=row.undone_at,
    )


@router.get("/cases/{tracking_id}/triage", response_model=CaseTriage, responses=STAFF_ERRORS)
def case_triage(tracking_id: str, session: DbSession, user: CurrentStaff) -> CaseTriage:
    """The case's routing suggestions and probable duplicates (staff only)."""
    case = cases.get_or_raise(session, tracking_id)
    followed = merge.followed_case(session, case)
    return CaseTriage(
        suggestions=[_suggestion_read(session, s) for s in service.suggestions_for(session, case)],
        duplicates=[
            DuplicateRead(
                id=d.id,
                original=_tracking(session, d.original_case_id),
                score=d.score,
                reasons=d.reasons,
                method=d.method,
                status=d.status,
                created_at=d.created_at,
            )
            for d in merge.suggestions_for(session, case)
        ],
        merged_into=followed.tracking_id if followed.id != case.id else None,
    )


@router.post(
    "/triage/suggestions/{suggestion_id}/accept",
    response_model=SuggestionRead,
    responses=STAFF_ERRORS,
)
def accept(suggestion_id: RowId, session: DbSession, user: CurrentStaff) -> SuggestionRead:
    """Take the model's suggestion: the case gets its category and department."""
    found = service.get_suggestion_or_raise(session, suggestion_id)
    return _suggestion_read(session, service.accept(session, suggestion=found, by=user.username))


@router.post(
    "/triage/suggestions/{suggestion_id}/override",
    response_model=SuggestionRead,
    responses=STAFF_ERRORS,
)
def override(
    suggestion_id: RowId, data: OverrideIn, session: DbSession, user: CurrentStaff
) -> SuggestionRead:
    """Reject the model's suggestion, optionally with your own category and department."""
    found = service.get_suggestion_or_raise(session, suggestion_id)
    done = service.override(
        session,
        suggestion=found,
        by=user.username,
        category=data.category,
        department=data.department,
    )
    return _suggestion_read(session, done)


@router.post(
    "/triage/suggestions/{suggestion_id}/revert",
    response_model=SuggestionRead,
    responses=STAFF_ERRORS,
)
def revert(suggestion_id: RowId, session: DbSession, user: CurrentStaff) -> SuggestionRead:
    """Undo an auto-applied suggestion (counted as an override)."""
    found = service.get_suggestion_or_raise(session, suggestion_id)
    return _suggestion_read(session, service.revert(session, suggestion=found, by=user.username))


@router.post(
    "/cases/{tracking_id}/merge", response_model=MergeRead, status_code=201, responses=STAFF_ERRORS
)
def merge_case(
    tracking_id: str,
    data: MergeIn,
    session: DbSession,
    settings: CurrentSettings,
    user: CurrentStaff,
) -> MergeRead:
    """Make this case a me-too of the original; its reporter follows the original."""
    duplicate = cases.get_or_raise(session, tracking_id)
    original = cases.get_or_raise(session, data.original)
    suggestion = next(
        (
            s
            for s in merge.suggestions_for(session, duplicate)
            if s.original_case_id == original.id and s.status == "open"
        ),
        None,
    )
    row = merge.merge(
        session,
        duplicate=duplicate,
        original=original,
        by=user.username,
        settings=settings,
        suggestion=suggestion,
    )
    return _merge_read(session, row)


@router.post("/triage/merges/{merge_id}/undo", response_model=MergeRead, responses=STAFF_ERRORS)
def undo_merge(
    merge_id: RowId, session: DbSession, settings: CurrentSettings, user: CurrentStaff
) -> MergeRead:
    """Undo a merge: the duplicate stands alone again."""
    row = merge.get_merge_or_raise(session, merge_id)
    return _merge_read(
        session, merge.undo(session, merge_row=row, by=user.username, settings=settings)
    )


@router.post(
    "/triage/duplicates/{suggestion_id}/dismiss",
    response_model=DuplicateRead,
    responses=STAFF_ERRORS,
)
def dismiss(suggestion_id: RowId, session: DbSession, user: CurrentStaff) -> DuplicateRead:
    """Say the two cases are different problems."""
    found = merge.dismiss(
        session, suggestion=merge.get_suggestion_or_raise(session, suggestion_id), by=user.username
    )
    return DuplicateRead(
        id=found.id,
        original=_tracking(session, found.original_case_id),
        score=found.score,
        reasons=found.reasons,
        method=found.method,
        status=found.status,
        created_at=found.created_at,
    )


def _settings_read(session: DbSession, code: str) -> CategoryTriageRead:
    cat = catalog.get_category_or_raise(session, code)
    row = service.category_settings(session, cat.id)
    if row is None:
        return CategoryTriageRead(category=cat.code)
    return CategoryTriageRead(
        category=cat.code,
        auto_apply_threshold=row.auto_apply_threshold,
        duplicate_rings=row.duplicate_rings,
        duplicate_window_hours=row.duplicate_window_hours,
        related_categories=row.related_categories,
        updated_by=row.updated_by,
        updated_at=row.updated_at,
    )


@router.get("/triage/categories/{code}", response_model=CategoryTriageRead, responses=STAFF_ERRORS)
def get_category_settings(code: str, session: DbSession, user: CurrentStaff) -> CategoryTriageRead:
    """A category's auto-apply threshold and duplicate rules (empty: the defaults)."""
    return _settings_read(session, code)


@router.put("/triage/categories/{code}", response_model=CategoryTriageRead, responses=STAFF_ERRORS)
def put_category_settings(
    code: str, data: CategoryTriageIn, session: DbSession, user: CurrentStaff
) -> CategoryTriageRead:
    """Set a category's auto-apply threshold and duplicate rules (administrators only)."""
    if user.role != "administrator":
        raise Forbidden("only an administrator sets auto-apply thresholds and duplicate rules")
    service.set_category_settings(
        session,
        category=code,
        by=user.username,
        auto_apply_threshold=data.auto_apply_threshold,
        duplicate_rings=data.duplicate_rings,
        duplicate_window_hours=data.duplicate_window_hours,
        related_categories=data.related_categories,
    )
    return _settings_read(session, code)
