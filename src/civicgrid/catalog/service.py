"""The service catalogue: look up departments and categories, check answers to questions."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from civicgrid.catalog.models import Category, Department
from civicgrid.errors import Invalid, NotFound

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")


class QuestionLike(Protocol):
    """A category question: the ORM row, or its cached copy (catalog.reference)."""

    @property
    def code(self) -> str: ...
    @property
    def datatype(self) -> str: ...
    @property
    def required(self) -> bool: ...
    @property
    def variable(self) -> bool: ...
    @property
    def description(self) -> str: ...
    @property
    def values(self) -> Sequence[Mapping[str, Any]]: ...


class CategoryLike(Protocol):
    """A category with its questions: the ORM row, or its cached copy."""

    @property
    def code(self) -> str: ...
    @property
    def questions(self) -> Sequence[QuestionLike]: ...


def list_categories(session: Session, *, include_inactive: bool = False) -> list[Category]:
    """Every category with its questions, by group and name."""
    query = select(Category).options(selectinload(Category.questions))
    if not include_inactive:
        query = query.where(Category.active.is_(True))
    return list(session.scalars(query.order_by(Category.group, Category.name)))


def list_departments(session: Session) -> list[Department]:
    """Every department by name."""
    return list(session.scalars(select(Department).order_by(Department.name)))


def get_category_or_raise(session: Session, code: str) -> Category:
    """The category with this code (Open311 service_code)."""
    category = session.scalar(
        select(Category).options(selectinload(Category.questions)).where(Category.code == code)
    )
    if category is None:
        raise unknown_category(code)
    return category


def unknown_category(code: str) -> NotFound:
    """The error for a category code that does not exist (also raised by the cached path)."""
    return NotFound(
        "no category with code '%(code)s'; GET /api/v1/categories lists them",
        params={"code": code},
        field="category",
    )


def get_department_or_raise(session: Session, code: str) -> Department:
    """The department with this code."""
    department = session.scalar(select(Department).where(Department.code == code))
    if department is None:
        raise NotFound(
            "no department with code '%(code)s'; GET /api/v1/departments lists them",
            params={"code": code},
            field="department",
        )
    return department


def validate_answers(category: CategoryLike, answers: Mapping[str, Any]) -> dict[str, Any]:
    """Check answers against the category's questions; returns them normalised."""
    known = {q.code: q for q in category.questions}
    unknown = sorted(set(answers) - set(known))
    if unknown:
        raise Invalid(
            "category '%(category_code)s' asks no question %(unknown)s; its questions are: "
            "%(known)s",
            params={
                "category_code": category.code,
                "unknown": [repr(u) for u in unknown],
                "known": known or ["none"],
            },
            field="attributes",
        )
    clean: dict[str, Any] = {}
    for question in category.questions:
        value = answers.get(question.code)
        if value in (None, "", []):
            if question.required and question.variable:
                raise Invalid(
                    "question '%(question_code)s' (%(description)s) must be answered",
                    params={"question_code": question.code, "description": question.description},
                    field=f"attributes.{question.code}",
                )
            continue
        clean[question.code] = _check_answer(question, value)
    return clean


def _check_answer(question: QuestionLike, value: Any) -> Any:
    field = f"attributes.{question.code}"
    keys = [str(v["key"]) for v in question.values]
    if question.datatype == "number":
        try:
            number = float(value)
        except (TypeError, ValueError):
            number = math.nan
        if not math.isfinite(number):  # NaN and infinity cannot be stored as JSON either
            raise Invalid(
                "'%(question_code)s' must be a number (not NaN or infinity); got '%(value)s'",
                params={"question_code": question.code, "value": value},
                field=field,
            )
        return number
    if question.datatype == "datetime":
        try:
            return datetime.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise Invalid(
                "'%(question_code)s' must be an ISO 8601 date-time; got '%(value)s'",
                params={"question_code": question.code, "value": value},
                field=field,
            ) from None
    if question.datatype == "singlevaluelist":
        if str(value) not in keys:
            raise Invalid(
                "'%(question_code)s' must be one of %(keys)s; got '%(value)s'",
                params={"question_code": question.code, "keys": keys, "value": value},
                field=field,
            )
        return str(value)
    if question.datatype == "multivaluelist":
        items = [str(v) for v in (value if isinstance(value, list) else [value])]
        bad = [v for v in items if v not in keys]
        if bad:
            raise Invalid(
                "'%(question_code)s' accepts only %(keys)s; got %(bad)s",
                params={"question_code": question.code, "keys": keys, "bad": bad},
                field=field,
            )
        return items
    return str(value)
