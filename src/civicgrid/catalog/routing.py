"""Routing: which department must act on a case of this category at this place.

Order of precedence (docs/architecture.md):
1. a rule for this category and one of the case's areas: the deepest area wins;
2. a rule for this category with no area;
3. a rule for any category and one of the case's areas: the deepest area wins;
4. the responsible department of the case's deepest area that has one;
5. the default department.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.catalog.models import Department, RoutingRule
from civicgrid.errors import Conflict
from civicgrid.grid.models import Area

_MEMO_LIMIT = 100_000


@dataclass
class Router:
    """The routing table in memory, for routing one case or a million."""

    rules: dict[tuple[int | None, int | None], int]
    area_departments: dict[int, int]
    default_department_id: int | None
    _cache: dict[tuple[int, tuple[int, ...]], int] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session) -> Router:
        """Read every rule, each area's responsible department and the default department."""
        rules = {
            (r.category_id, r.area_id): r.department_id
            for r in session.scalars(select(RoutingRule).order_by(RoutingRule.id))
        }
        area_departments = {
            area_id: dept_id
            for area_id, dept_id in session.execute(
                select(Area.id, Area.department_id).where(Area.department_id.is_not(None))
            )
            if dept_id is not None
        }
        default = session.scalar(
            select(Department.id).where(Department.is_default.is_(True)).order_by(Department.id)
        )
        return cls(rules, area_departments, default)

    def department_for(self, category_id: int, area_ids: Sequence[int]) -> int:
        """The department for a case; ``area_ids`` are the containing areas, deepest first."""
        key = (category_id, tuple(area_ids))
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        found = self._resolve(category_id, area_ids)
        if len(self._cache) >= _MEMO_LIMIT:  # a long-lived router (cached per process) stays small
            self._cache.clear()
        self._cache[key] = found
        return found

    def _resolve(self, category_id: int, area_ids: Sequence[int]) -> int:
        for wanted in (category_id, None):
            for area_id in area_ids:
                if (wanted, area_id) in self.rules:
                    return self.rules[(wanted, area_id)]
            if wanted is not None and (wanted, None) in self.rules:
                return self.rules[(wanted, None)]
        for area_id in area_ids:
            if area_id in self.area_departments:
                return self.area_departments[area_id]
        if (None, None) in self.rules:
            return self.rules[(None, None)]
        if self.default_department_id is None:
            raise Conflict(
                "No routing rule matches and no default department is set; "
                "mark one department as the default (is_default) or add a routing rule."
            )
        return self.default_department_id


def route(session: Session, *, category_id: int, area_ids: Sequence[int]) -> int:
    """The department that must act on a case of ``category_id`` in ``area_ids``."""
    return Router.load(session).department_for(category_id, area_ids)
