"""Administrator pages of the catalogue: departments, categories and their questions, routing."""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Request
from starlette.responses import HTMLResponse, RedirectResponse

from civicgrid.accounts.deps import AdminUser
from civicgrid.catalog import config, service
from civicgrid.deps import DbSession
from civicgrid.grid import service as grid
from civicgrid.web.i18n import N_
from civicgrid.web.routing import page_router
from civicgrid.web.templating import flash, render

router = page_router(tags=["pages"])
Code = Annotated[str, Form(pattern=config.CODE_PATTERN)]
Name = Annotated[str, Form(max_length=200)]


def _actor(admin: AdminUser) -> str:
    return f"user:{admin.username}"


@router.get("/admin/departments", response_class=HTMLResponse)
def departments(request: Request, session: DbSession, admin: AdminUser) -> HTMLResponse:
    """Every department, each editable, and a form to add one."""
    return render(
        request, "catalog/departments.html", {"departments": service.list_departments(session)}
    )


@router.post("/admin/departments")
def save_department(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    code: Code,
    name: Name,
    email: Annotated[str, Form(max_length=200)] = "",
    is_default: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """Add a department or change one (by code)."""
    config.save_department(
        session, actor=_actor(admin), code=code, name=name, email=email, is_default=is_default
    )
    flash(request, N_("Department %(code)s saved."), code=code)
    return RedirectResponse("/admin/departments", status_code=303)


@router.get("/admin/categories", response_class=HTMLResponse)
def categories(request: Request, session: DbSession, admin: AdminUser) -> HTMLResponse:
    """Every category, active or not, and a form to add one."""
    context = {"categories": service.list_categories(session, include_inactive=True)}
    return render(request, "catalog/categories.html", context)


@router.post("/admin/categories")
def save_category(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    code: Code,
    name: Name,
    group: Name = "",
    description: Annotated[str, Form(max_length=5000)] = "",
    active: Annotated[bool, Form()] = False,
) -> RedirectResponse:
    """Add a category or change one (by code)."""
    config.save_category(
        session,
        actor=_actor(admin),
        code=code,
        name=name,
        group=group,
        description=description,
        active=active,
    )
    flash(request, N_("Category %(code)s saved."), code=code)
    return RedirectResponse(f"/admin/categories/{code}", status_code=303)


@router.get("/admin/categories/{code}", response_class=HTMLResponse)
def category(request: Request, session: DbSession, admin: AdminUser, code: str) -> HTMLResponse:
    """One category: its settings and its questions."""
    context = {
        "category": service.get_category_or_raise(session, code),
        "datatypes": service.DATATYPES,
    }
    return render(request, "catalog/category.html", context)


@router.post("/admin/categories/{code}/questions")
def add_question(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    code: str,
    question_code: Code,
    description: Annotated[str, Form(max_length=2000)],
    datatype: Annotated[str, Form()],
    required: Annotated[bool, Form()] = False,
    values: Annotated[str, Form(max_length=10_000)] = "",
) -> RedirectResponse:
    """Ask one more question in this category."""
    config.add_question(
        session,
        actor=_actor(admin),
        category=service.get_category_or_raise(session, code),
        code=question_code,
        description=description,
        datatype=datatype,
        required=required,
        values=config.parse_values(values),
    )
    flash(request, N_("Question %(code)s added."), code=question_code)
    return RedirectResponse(f"/admin/categories/{code}", status_code=303)


@router.post("/admin/categories/{code}/questions/{question_code}/delete")
def remove_question(
    request: Request, session: DbSession, admin: AdminUser, code: str, question_code: str
) -> RedirectResponse:
    """Stop asking a question."""
    config.remove_question(
        session,
        actor=_actor(admin),
        category=service.get_category_or_raise(session, code),
        code=question_code,
    )
    flash(request, N_("Question %(code)s removed."), code=question_code)
    return RedirectResponse(f"/admin/categories/{code}", status_code=303)


@router.get("/admin/routing", response_class=HTMLResponse)
def routing(request: Request, session: DbSession, admin: AdminUser) -> HTMLResponse:
    """The routing rules (category x area -> department) and a form to add one."""
    categories = service.list_categories(session, include_inactive=True)
    departments = service.list_departments(session)
    areas = grid.list_areas(session)
    context = {
        "rules": config.list_rules(session),
        "categories": categories,
        "departments": departments,
        "areas": areas,
        "cat_names": {c.id: c.name for c in categories},
        "dept_names": {d.id: d.name for d in departments},
        "area_names": {a.id: a.name for a in areas},
    }
    return render(request, "catalog/routing.html", context)


def _optional_id(value: str) -> int | None:
    return int(value) if value.strip() else None


@router.post("/admin/routing")
def add_rule(
    request: Request,
    session: DbSession,
    admin: AdminUser,
    department_id: Annotated[int, Form()],
    category_id: Annotated[str, Form(pattern=r"^\d*$")] = "",
    area_id: Annotated[str, Form(pattern=r"^\d*$")] = "",
) -> RedirectResponse:
    """Add a routing rule."""
    config.add_rule(
        session,
        actor=_actor(admin),
        department_id=department_id,
        category_id=_optional_id(category_id),
        area_id=_optional_id(area_id),
    )
    flash(request, N_("Routing rule added."))
    return RedirectResponse("/admin/routing", status_code=303)


@router.post("/admin/routing/{rule_id}/delete")
def remove_rule(
    request: Request, session: DbSession, admin: AdminUser, rule_id: int
) -> RedirectResponse:
    """Delete a routing rule."""
    config.remove_rule(session, actor=_actor(admin), rule_id=rule_id)
    flash(request, N_("Routing rule deleted."))
    return RedirectResponse("/admin/routing", status_code=303)
