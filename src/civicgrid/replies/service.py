"""Reply templates: keep them, list those that fit a case, fill in their placeholders."""

from __future__ import annotations

import string
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from civicgrid.cases.models import Case
from civicgrid.catalog.models import Category, Department
from civicgrid.db import utcnow
from civicgrid.errors import Invalid, NotFound
from civicgrid.replies.models import ReplyTemplate

PLACEHOLDERS = {
    "tracking_id": "the case's tracking number",
    "category": "the category's name",
    "department": "the responsible department's name",
    "address": "the address given in the report",
    "reported_on": "the day the case was reported",
    "due_on": "the day the resolution is due",
    "today": "today's date",
}


def check_body(body: str) -> str:
    """The body, stripped, if every placeholder in it is known; else Invalid."""
    body = body.strip()
    if not body:
        raise Invalid("write the reply's text", field="body")
    try:
        names = {name for _, name, _, _ in string.Formatter().parse(body) if name is not None}
    except ValueError as exc:
        raise Invalid(
            "the text has a stray brace (%(exc)s); write placeholders as {tracking_id}",
            params={"exc": exc},
            field="body",
        ) from exc
    unknown = sorted(names - set(PLACEHOLDERS))
    if unknown:
        raise Invalid(
            "unknown placeholder(s) %(unknown)s; use: %(placeholders)s",
            params={"unknown": unknown, "placeholders": PLACEHOLDERS},
            field="body",
        )
    return body


def list_(session: Session, *, include_inactive: bool = True) -> list[ReplyTemplate]:
    """Every template by name."""
    query = select(ReplyTemplate)
    if not include_inactive:
        query = query.where(ReplyTemplate.active.is_(True))
    return list(session.scalars(query.order_by(ReplyTemplate.name, ReplyTemplate.id)))


def for_case(session: Session, *, case: Case) -> list[ReplyTemplate]:
    """Active templates of the case's category, then those for every category."""
    query = select(ReplyTemplate).where(
        ReplyTemplate.active.is_(True),
        or_(ReplyTemplate.category_id == case.category_id, ReplyTemplate.category_id.is_(None)),
    )
    return list(
        session.scalars(query.order_by(ReplyTemplate.category_id.is_(None), ReplyTemplate.name))
    )


def get_or_raise(session: Session, template_id: int) -> ReplyTemplate:
    """The template with this id."""
    found = session.get(ReplyTemplate, template_id)
    if found is None:
        raise NotFound(
            "no reply template with id %(template_id)s", params={"template_id": template_id}
        )
    return found


def save(
    session: Session,
    *,
    template: ReplyTemplate | None,
    name: str,
    body: str,
    category_id: int | None,
    active: bool = True,
) -> ReplyTemplate:
    """Create a template (``template`` None) or change one."""
    if not name.strip():
        raise Invalid("give the template a name", field="name")
    if category_id is not None and session.get(Category, category_id) is None:
        raise Invalid(
            "category %(category_id)s does not exist",
            params={"category_id": category_id},
            field="category_id",
        )
    body = check_body(body)
    if template is None:
        template = ReplyTemplate()
        session.add(template)
    template.name, template.body = name.strip(), body
    template.category_id, template.active, template.updated_at = category_id, active, utcnow()
    session.flush()
    return template


def fill(
    session: Session,
    *,
    template: ReplyTemplate,
    case: Case,
    timezone: str,
    now: datetime | None = None,
) -> str:
    """The template's text for ``case``, placeholders filled in."""
    zone = ZoneInfo(timezone)
    category = session.get(Category, case.category_id)
    department = session.get(Department, case.department_id)

    def day(value: datetime | None) -> str:
        return value.astimezone(zone).date().isoformat() if value else ""

    values = {
        "tracking_id": case.tracking_id,
        "category": category.name if category else "",
        "department": department.name if department else "",
        "address": case.address,
        "reported_on": day(case.created_at),
        "due_on": day(case.resolution_due),
        "today": day(now or utcnow()),
    }
    return template.body.format(**values)
