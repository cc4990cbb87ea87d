"""Pydantic schemas of the catalogue API."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class QuestionValue(BaseModel):
    """One allowed answer of a list question."""

    key: str
    name: str


class QuestionRead(BaseModel):
    """A question asked when reporting in a category (an Open311 attribute)."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    order: int
    datatype: str
    required: bool
    variable: bool
    description: str
    datatype_description: str
    values: list[QuestionValue]


class CategoryRead(BaseModel):
    """A category of problem."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    description: str
    group: str
    keywords: str
    sensitive: bool
    active: bool
    questions: list[QuestionRead]


class DepartmentRead(BaseModel):
    """A department that acts on cases."""

    model_config = ConfigDict(from_attributes=True)

    code: str
    name: str
    description: str
    email: str | None
    is_default: bool
