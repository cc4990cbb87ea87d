"""Answers to category questions are checked against each of the six datatypes."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from civicgrid.catalog import service
from civicgrid.catalog.models import Category, CategoryQuestion
from civicgrid.errors import Invalid
from tests import factories

VALUES = [{"key": "a", "name": "A"}, {"key": "b", "name": "B"}]


@pytest.fixture
def category(session: Session) -> Category:
    cat = factories.category(session, code="q")
    for order, (code, datatype, required) in enumerate(
        [
            ("s", "string", True),
            ("n", "number", False),
            ("d", "datetime", False),
            ("t", "text", False),
            ("one", "singlevaluelist", False),
            ("many", "multivaluelist", False),
        ]
    ):
        cat.questions.append(
            CategoryQuestion(
                code=code,
                order=order,
                datatype=datatype,
                required=required,
                description=code,
                values=VALUES,
            )
        )
    cat.questions.append(
        CategoryQuestion(
            code="info",
            order=9,
            datatype="string",
            required=True,
            variable=False,
            description="notice",
        )
    )
    session.flush()
    return cat


def test_valid_answers_are_normalised(category: Category) -> None:
    clean = service.validate_answers(
        category,
        {
            "s": "x",
            "n": "2.5",
            "d": "2026-06-01T10:00:00+00:00",
            "t": "long",
            "one": "a",
            "many": ["a", "b"],
        },
    )
    assert clean == {
        "s": "x",
        "n": 2.5,
        "d": "2026-06-01T10:00:00+00:00",
        "t": "long",
        "one": "a",
        "many": ["a", "b"],
    }
    assert service.validate_answers(category, {"s": "x", "many": "b"})["many"] == ["b"]


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({}, "must be answered"),
        ({"s": "x", "zz": "1"}, "asks no question 'zz'"),
        ({"s": "x", "n": "many"}, "must be a number"),
        ({"s": "x", "d": "yesterday"}, "ISO 8601"),
        ({"s": "x", "one": "c"}, "must be one of"),
        ({"s": "x", "many": ["a", "c"]}, "accepts only"),
    ],
)
def test_bad_answers_say_what_is_wrong(
    category: Category, answers: dict[str, object], message: str
) -> None:
    with pytest.raises(Invalid, match=message):
        service.validate_answers(category, answers)


def test_lookups(session: Session, category: Category) -> None:
    assert service.get_category_or_raise(session, "q").id == category.id
    assert category in service.list_categories(session)
    category.active = False
    assert category not in service.list_categories(session)
    assert category in service.list_categories(session, include_inactive=True)
