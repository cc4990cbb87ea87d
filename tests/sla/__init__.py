"""Tests of the SLA slice, and the few helpers its test modules share."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from civicgrid.accounts.models import User
from civicgrid.cases.models import Case
from civicgrid.cases.tracking import new_tracking_id
from tests import factories

NY = ZoneInfo("America/New_York")


def ny(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A wall-clock time in New York, the zone of the test calendars."""
    return datetime(year, month, day, hour, minute, tzinfo=NY)


def make_case(session: Session, *, category_id: int | None = None, **fields: Any) -> Case:
    """A case of a fresh (or the given) category, with any column set through ``fields``."""
    if category_id is None:
        category_id = factories.category(session).id
    case = Case(
        tracking_id=new_tracking_id(),
        category_id=category_id,
        channel="phone",
        department_id=factories.department(session).id,
        **fields,
    )
    session.add(case)
    session.flush()
    return case


def make_user(session: Session, *, display_name: str) -> User:
    """A supervisor to name in escalations."""
    user = User(
        username=f"{display_name.split(maxsplit=1)[0].lower()}-{new_tracking_id()}",
        display_name=display_name,
        role="supervisor",
    )
    session.add(user)
    session.flush()
    return user
