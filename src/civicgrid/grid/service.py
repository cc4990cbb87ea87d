"""The grid's queries: levels and areas, who answers for an area, and walks up and down the
hierarchy. Loading boundary files is in `grid.loader`."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicgrid.accounts.models import User
from civicgrid.catalog.models import Department
from civicgrid.errors import Invalid, NotFound
from civicgrid.grid.models import Area, AreaLevel


def level_named(session: Session, name: str) -> AreaLevel | None:
    if "\x00" in name:  # PostgreSQL refuses NUL in text; no level can be named with one
        return None
    return session.scalar(select(AreaLevel).where(AreaLevel.name == name))


def known_levels(session: Session) -> str:
    return "levels: " + (", ".join(lvl.name for lvl in list_levels(session)) or "none yet")


def list_levels(session: Session) -> list[AreaLevel]:
    """Every level of the hierarchy, top (rank 0) first."""
    return list(session.scalars(select(AreaLevel).order_by(AreaLevel.rank, AreaLevel.name)))


def area_counts(session: Session) -> dict[int, int]:
    """Number of areas per level id (levels without areas are absent)."""
    query = select(Area.level_id, func.count(Area.id)).group_by(Area.level_id)
    return dict(session.execute(query).all())


def list_areas(
    session: Session, *, level: str | None = None, parent_id: int | None = None
) -> list[Area]:
    """Areas, optionally of one level (by name) and/or under one parent, by rank then code."""
    query = select(Area).join(AreaLevel, Area.level_id == AreaLevel.id)
    if level is not None:
        found = level_named(session, level)
        if found is None:
            raise Invalid(
                "unknown level '%(level)s'; %(levels)s",
                params={"level": level, "levels": known_levels(session)},
                field="level",
            )
        query = query.where(Area.level_id == found.id)
    if parent_id is not None:
        query = query.where(Area.parent_id == parent_id)
    return list(session.scalars(query.order_by(AreaLevel.rank, Area.code, Area.id)))


def get_area_or_raise(session: Session, area_id: int) -> Area:
    """The area with this id, or NotFound."""
    area = session.get(Area, area_id)
    if area is None:
        raise NotFound(
            "area %(area_id)s does not exist; GET /api/v1/areas lists the areas",
            params={"area_id": area_id},
        )
    return area


def set_responsible(
    session: Session,
    *,
    area_id: int,
    department_id: int | None = None,
    supervisor_id: int | None = None,
) -> Area:
    """Make a department and a supervisor answerable for an area; None clears either."""
    area = get_area_or_raise(session, area_id)
    if department_id is not None and session.get(Department, department_id) is None:
        raise Invalid(
            "department %(department_id)s does not exist",
            params={"department_id": department_id},
            field="department_id",
        )
    if supervisor_id is not None and session.get(User, supervisor_id) is None:
        raise Invalid(
            "user %(supervisor_id)s does not exist",
            params={"supervisor_id": supervisor_id},
            field="supervisor_id",
        )
    area.department_id = department_id
    area.supervisor_id = supervisor_id
    session.flush()
    return area


def ancestors(session: Session, area_id: int) -> list[Area]:
    """The area's parent, grandparent and so on up to the top, nearest first."""
    chain: list[Area] = []
    seen = {area_id}
    parent_id = get_area_or_raise(session, area_id).parent_id
    # The seen-set guards against a parent cycle written by hand into the database.
    while parent_id is not None and parent_id not in seen:
        seen.add(parent_id)
        parent = get_area_or_raise(session, parent_id)
        chain.append(parent)
        parent_id = parent.parent_id
    return chain


def descendant_ids(session: Session, area_id: int) -> set[int]:
    """The area's id and the ids of every area below it (for "cases in this area")."""
    get_area_or_raise(session, area_id)
    tree = select(Area.id).where(Area.id == area_id).cte("subtree", recursive=True)
    # UNION, not UNION ALL: it drops rows already seen, so even a cycle terminates.
    tree = tree.union(select(Area.id).where(Area.parent_id == tree.c.id))
    return set(session.scalars(select(tree.c.id)))
