"""The departments and categories an import needs, created when a file names new ones."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.catalog.models import Category, Department, RoutingRule

_NAME_LENGTH = 200  # String length of Department.name and Category.name


class ImportCatalog:
    """Codes to ids for one import, adding what is missing (never changing what exists)."""

    def __init__(
        self,
        session: Session,
        *,
        department_names: dict[str, str],
        lock: AbstractContextManager[object] | None = None,
    ) -> None:
        self.session = session
        self.lock = lock or nullcontext()
        self.department_names = department_names
        self.departments: dict[str, int] = dict(
            session.execute(select(Department.code, Department.id)).all()
        )
        self.categories: dict[str, int] = dict(
            session.execute(select(Category.code, Category.id)).all()
        )
        self.created_departments: list[str] = []
        self.created_categories: list[str] = []
        self.rules_added = 0

    def department_id(self, code: str, name: str = "") -> int:
        """The department with ``code``; a new one is named from the mapping or the file."""
        found = self.departments.get(code)
        if found is not None:
            return found
        full_name = self.department_names.get(code) or name or code
        department = Department(code=code, name=full_name[:_NAME_LENGTH])
        with self.lock:
            self.session.add(department)
            self.session.flush()
        self.departments[code] = department.id
        self.created_departments.append(code)
        return department.id

    def category_id(self, code: str, *, name: str, group: str, department_id: int | None) -> int:
        """The category with ``code``; a new one gets a rule routing it to ``department_id``."""
        found = self.categories.get(code)
        if found is not None:
            return found
        category = Category(code=code, name=name[:_NAME_LENGTH], group=group[:_NAME_LENGTH])
        with self.lock:
            self.session.add(category)
            self.session.flush()
            if department_id is not None:
                # New cases of this kind then go where the source sent them, as the import does.
                self.session.add(
                    RoutingRule(category_id=category.id, area_id=None, department_id=department_id)
                )
                self.session.flush()
                self.rules_added += 1
        self.categories[code] = category.id
        self.created_categories.append(code)
        return category.id
