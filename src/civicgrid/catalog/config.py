"""Changing the catalogue from the administrator's pages: departments, categories and their
questions, routing rules. Every change is written to the audit ledger by the caller's actor."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.audit import service as audit
from civicgrid.catalog.models import Category, CategoryQuestion, Department, RoutingRule
from civicgrid.catalog.service import DATATYPES
from civicgrid.errors import Conflict, Invalid, NotFound
from civicgrid.grid.models import Area

CODE_PATTERN = r"^[A-Za-z0-9._-]{1,64}$"


def save_department(
    session: Session,
    *,
    actor: str,
    code: str,
    name: str,
    email: str | None = None,
    is_default: bool = False,
) -> Department:
    """Create the department ``code`` or change its name, e-mail and default flag."""
    if not name.strip():
        raise Invalid("give the department a name", field="name")
    dept = session.scalar(select(Department).where(Department.code == code))
    created = dept is None
    if dept is None:
        dept = Department(code=code, description="")
        session.add(dept)
    dept.name, dept.email = name.strip(), email or None
    if is_default:
        for other in session.scalars(select(Department).where(Department.is_default.is_(True))):
            other.is_default = False
    dept.is_default = is_default
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="catalog.department_created" if created else "catalog.department_updated",
        subject=f"department:{code}",
        details={"name": dept.name, "email": dept.email, "is_default": is_default},
    )
    return dept


def save_category(
    session: Session,
    *,
    actor: str,
    code: str,
    name: str,
    group: str = "",
    description: str = "",
    active: bool = True,
) -> Category:
    """Create the category ``code`` or change it; inactive categories take no new reports."""
    if not name.strip():
        raise Invalid("give the category a name", field="name")
    cat = session.scalar(select(Category).where(Category.code == code))
    created = cat is None
    if cat is None:
        cat = Category(code=code, keywords="", sensitive=False)
        session.add(cat)
    cat.name, cat.group, cat.description, cat.active = name.strip(), group, description, active
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="catalog.category_created" if created else "catalog.category_updated",
        subject=f"category:{code}",
        details={"name": cat.name, "group": group, "active": active},
    )
    return cat


def parse_values(text: str) -> list[dict[str, Any]]:
    """List answers written one per line as ``key=Name`` (or just ``key``)."""
    values = []
    for line in text.splitlines():
        if line.strip():
            key, _, label = line.partition("=")
            values.append({"key": key.strip(), "name": (label or key).strip()})
    return values


def add_question(
    session: Session,
    *,
    actor: str,
    category: Category,
    code: str,
    description: str,
    datatype: str,
    required: bool = False,
    values: list[dict[str, Any]] | None = None,
) -> CategoryQuestion:
    """Ask one more question when reporting in ``category``."""
    if datatype not in DATATYPES:
        raise Invalid(
            "datatype must be one of %(datatypes)s",
            params={"datatypes": DATATYPES},
            field="datatype",
        )
    if datatype.endswith("valuelist") and not values:
        raise Invalid("a list question needs its answers, one per line: key=Name", field="values")
    if any(q.code == code for q in category.questions):
        raise Conflict(
            "category '%(category_code)s' already asks '%(code)s'",
            params={"category_code": category.code, "code": code},
            field="code",
        )
    if not description.strip():
        raise Invalid("write the question", field="description")
    question = CategoryQuestion(
        code=code,
        order=len(category.questions) + 1,
        datatype=datatype,
        required=required,
        variable=True,
        description=description.strip(),
        datatype_description="",
        values=values or [],
    )
    category.questions.append(question)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="catalog.question_added",
        subject=f"category:{category.code}",
        details={"code": code, "datatype": datatype, "required": required},
    )
    return question


def remove_question(session: Session, *, actor: str, category: Category, code: str) -> None:
    """Stop asking question ``code`` (answers already given stay on their cases)."""
    question = next((q for q in category.questions if q.code == code), None)
    if question is None:
        raise NotFound(
            "category '%(category_code)s' asks no question '%(code)s'",
            params={"category_code": category.code, "code": code},
        )
    category.questions.remove(question)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="catalog.question_removed",
        subject=f"category:{category.code}",
        details={"code": code},
    )


def add_rule(
    session: Session,
    *,
    actor: str,
    department_id: int,
    category_id: int | None,
    area_id: int | None,
) -> RoutingRule:
    """Route cases of a category (or any) in an area (or anywhere) to a department."""
    if session.get(Department, department_id) is None:
        raise Invalid(
            "department %(department_id)s does not exist",
            params={"department_id": department_id},
            field="department_id",
        )
    if category_id is not None and session.get(Category, category_id) is None:
        raise Invalid(
            "category %(category_id)s does not exist",
            params={"category_id": category_id},
            field="category_id",
        )
    if area_id is not None and session.get(Area, area_id) is None:
        raise Invalid(
            "area %(area_id)s does not exist", params={"area_id": area_id}, field="area_id"
        )
    clash = session.scalar(
        select(RoutingRule).where(
            RoutingRule.category_id.is_(None)
            if category_id is None
            else RoutingRule.category_id == category_id,
            RoutingRule.area_id.is_(None) if area_id is None else RoutingRule.area_id == area_id,
        )
    )
    if clash is not None:
        raise Conflict("a rule for this category and area exists; delete it first", field="rule")
    rule = RoutingRule(category_id=category_id, area_id=area_id, department_id=department_id)
    session.add(rule)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="catalog.routing_rule_added",
        subject=f"routing_rule:{rule.id}",
        details={"category_id": category_id, "area_id": area_id, "department_id": department_id},
    )
    return rule


def remove_rule(session: Session, *, actor: str, rule_id: int) -> None:
    """Delete a routing rule."""
    rule = session.get(RoutingRule, rule_id)
    if rule is None:
        raise NotFound("no routing rule %(rule_id)s", params={"rule_id": rule_id})
    details = {"category_id": rule.category_id, "area_id": rule.area_id}
    session.delete(rule)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="catalog.routing_rule_removed",
        subject=f"routing_rule:{rule_id}",
        details=details,
    )


def list_rules(session: Session) -> list[RoutingRule]:
    """Every routing rule."""
    return list(session.scalars(select(RoutingRule).order_by(RoutingRule.id)))
