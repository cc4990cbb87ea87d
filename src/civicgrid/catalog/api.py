"""JSON routes of the catalogue: categories and departments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from civicgrid.catalog import service
from civicgrid.catalog.schemas import CategoryRead, DepartmentRead
from civicgrid.deps import DbSession
from civicgrid.errors import error_responses
from civicgrid.schemas import NO_NUL

router = APIRouter(tags=["catalogue"])
_404 = error_responses(404, 422)
Code = Annotated[str, Path(max_length=64, pattern=NO_NUL, description="The code, e.g. DOT.")]


@router.get("/categories", response_model=list[CategoryRead])
def list_categories(session: DbSession) -> list[CategoryRead]:
    """Every active category with its questions."""
    return [CategoryRead.model_validate(c) for c in service.list_categories(session)]


@router.get("/categories/{code}", response_model=CategoryRead, responses=_404)
def get_category(code: Code, session: DbSession) -> CategoryRead:
    """One category with its questions."""
    return CategoryRead.model_validate(service.get_category_or_raise(session, code))


@router.get("/departments", response_model=list[DepartmentRead])
def list_departments(session: DbSession) -> list[DepartmentRead]:
    """Every department."""
    return [DepartmentRead.model_validate(d) for d in service.list_departments(session)]


@router.get("/departments/{code}", response_model=DepartmentRead, responses=_404)
def get_department(code: Code, session: DbSession) -> DepartmentRead:
    """One department."""
    return DepartmentRead.model_validate(service.get_department_or_raise(session, code))
