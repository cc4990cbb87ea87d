"""JSON routes of the catalogue: categories and departments."""

from __future__ import annotations

from fastapi import APIRouter

from civicgrid.catalog import service
from civicgrid.catalog.schemas import CategoryRead, DepartmentRead
from civicgrid.deps import DbSession
from civicgrid.errors import error_responses

router = APIRouter(tags=["catalogue"])
_404 = error_responses(404)


@router.get("/categories", response_model=list[CategoryRead])
def list_categories(session: DbSession) -> list[CategoryRead]:
    """Every active category with its questions."""
    return [CategoryRead.model_validate(c) for c in service.list_categories(session)]


@router.get("/categories/{code}", response_model=CategoryRead, responses=_404)
def get_category(code: str, session: DbSession) -> CategoryRead:
    """One category with its questions."""
    return CategoryRead.model_validate(service.get_category_or_raise(session, code))


@router.get("/departments", response_model=list[DepartmentRead])
def list_departments(session: DbSession) -> list[DepartmentRead]:
    """Every department."""
    return [DepartmentRead.model_validate(d) for d in service.list_departments(session)]


@router.get("/departments/{code}", response_model=DepartmentRead, responses=_404)
def get_department(code: str, session: DbSession) -> DepartmentRead:
    """One department."""
    return DepartmentRead.model_validate(service.get_department_or_raise(session, code))
