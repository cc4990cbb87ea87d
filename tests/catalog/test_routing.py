"""Routing precedence: category x deepest area, category, area rule, area department, default."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from civicgrid.catalog.routing import Router, route
from civicgrid.errors import Conflict
from tests import factories


def test_precedence(session: Session) -> None:
    default = factories.department(session, is_default=True)
    by_cat_area, by_cat_parent, by_cat, by_area, area_dept, catchall = (
        factories.department(session) for _ in range(6)
    )
    cat, other = factories.category(session), factories.category(session)
    top = factories.area(session, level_name="city", rank=0, bounds=(0, 0, 2, 2))
    mid = factories.area(
        session,
        level_name="district",
        rank=1,
        bounds=(0, 0, 1, 1),
        parent=top,
        department_id=area_dept.id,
    )
    leaf = factories.area(session, level_name="street", rank=2, bounds=(0, 0, 1, 1), parent=mid)
    here = [leaf.id, mid.id, top.id]
    assert route(session, category_id=cat.id, area_ids=here) == area_dept.id
    assert route(session, category_id=cat.id, area_ids=[]) == default.id
    factories.routing_rule(session, department_id=catchall.id)
    assert route(session, category_id=cat.id, area_ids=[top.id]) == catchall.id
    factories.routing_rule(session, department_id=by_area.id, area_id=mid.id)
    assert route(session, category_id=cat.id, area_ids=here) == by_area.id
    factories.routing_rule(session, department_id=by_cat.id, category_id=cat.id)
    assert route(session, category_id=cat.id, area_ids=here) == by_cat.id
    assert route(session, category_id=other.id, area_ids=here) == by_area.id
    factories.routing_rule(
        session, department_id=by_cat_parent.id, category_id=cat.id, area_id=top.id
    )
    assert route(session, category_id=cat.id, area_ids=here) == by_cat_parent.id
    factories.routing_rule(
        session, department_id=by_cat_area.id, category_id=cat.id, area_id=leaf.id
    )
    assert route(session, category_id=cat.id, area_ids=here) == by_cat_area.id
    assert route(session, category_id=cat.id, area_ids=[top.id]) == by_cat_parent.id


def test_no_rule_and_no_default_is_a_clear_error(session: Session) -> None:
    cat = factories.category(session)
    with pytest.raises(Conflict, match="default department"):
        route(session, category_id=cat.id, area_ids=[])


def test_router_caches_decisions(session: Session) -> None:
    dept = factories.department(session, is_default=True)
    cat = factories.category(session)
    router = Router.load(session)
    assert router.department_for(cat.id, []) == dept.id
    assert (cat.id, ()) in router._cache
    assert router.department_for(cat.id, []) == dept.id
