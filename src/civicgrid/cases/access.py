"""Who may see and work which case from the web pages: roles scoped to departments and areas.

- operator, command, administrator: see every case (operators answer callers about any case);
- caseworker: the cases of their department and those it co-handles; works them too;
- supervisor: the cases placed in, or escalated to, the areas they supervise (and below them).
"""

from __future__ import annotations

from sqlalchemy import Select, or_, select
from sqlalchemy.orm import Session

from civicgrid.accounts.models import User
from civicgrid.cases.models import Case, CaseArea, CaseCoHandler
from civicgrid.errors import Forbidden
from civicgrid.grid import service as grid
from civicgrid.grid.models import Area

SEE_ALL = frozenset({"operator", "command", "administrator"})
WORKERS = frozenset({"caseworker", "supervisor"})


def supervised_area_ids(session: Session, user: User) -> set[int]:
    """The areas ``user`` supervises and every area below them."""
    found: set[int] = set()
    for area_id in session.scalars(select(Area.id).where(Area.supervisor_id == user.id)):
        found |= grid.descendant_ids(session, area_id)
    return found


def in_scope(session: Session, user: User, query: Select[Case]) -> Select[Case]:
    """``query`` narrowed to the cases ``user`` may see."""
    if user.role in SEE_ALL:
        return query
    if user.role == "caseworker":
        co = select(CaseCoHandler.case_id).where(CaseCoHandler.department_id == user.department_id)
        return query.where(or_(Case.department_id == user.department_id, Case.id.in_(co)))
    if user.role == "supervisor":
        areas = supervised_area_ids(session, user)
        placed = select(CaseArea.case_id).where(CaseArea.area_id.in_(areas))
        return query.where(or_(Case.id.in_(placed), Case.escalated_area_id.in_(areas)))
    return query.where(Case.id.is_(None))


def can_view(session: Session, user: User, case: Case) -> bool:
    """Whether ``user`` may open the staff page of ``case``."""
    if user.role in SEE_ALL:
        return True
    query = in_scope(session, user, select(Case.id).where(Case.id == case.id))  # type: ignore[arg-type]
    return session.scalar(query) is not None


def can_work(session: Session, user: User, case: Case) -> bool:
    """Whether ``user`` may note, reply, move, transfer or resolve ``case``."""
    return user.role in WORKERS and can_view(session, user, case)


def require_view(session: Session, user: User, case: Case) -> None:
    """Forbidden unless ``user`` may see ``case``."""
    if not can_view(session, user, case):
        raise Forbidden(
            "case %(tracking_id)s is outside your department or areas; ask its department or "
            "supervisor",
            params={"tracking_id": case.tracking_id},
        )


def require_work(session: Session, user: User, case: Case) -> None:
    """Forbidden unless ``user`` may work ``case``."""
    require_view(session, user, case)
    if user.role not in WORKERS:
        raise Forbidden(
            "a %(role)s can look at cases but not work them", params={"role": user.role}
        )
