"""The per-process cache of reference data: read once per token, and every edit takes effect
on the next filing (routing, areas, SLA policies, calendars, categories, web admin pages)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, event, select, text, update
from sqlalchemy.orm import Session

from civicgrid.accounts import service as accounts
from civicgrid.catalog import config, reference
from civicgrid.catalog.models import ReferenceVersion, bump_reference_version
from civicgrid.errors import Invalid
from civicgrid.grid import service as grid
from civicgrid.grid.placement import grid_index
from civicgrid.settings import Settings
from civicgrid.sla import config as sla_config
from civicgrid.sla.models import SlaPolicy
from tests.cases.conftest import City, file

ADMIN = "user:admin"


@contextmanager
def statements(session: Session) -> Iterator[list[str]]:
    """Every SQL statement the session sends while the block runs."""
    seen: list[str] = []
    connection = session.connection()

    def record(_c: Any, _cur: Any, statement: str, *_args: Any) -> None:
        seen.append(" ".join(statement.split()))

    event.listen(connection, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(connection, "before_cursor_execute", record)


def _token(session: Session) -> str:
    return session.scalars(select(ReferenceVersion.token)).one()


def test_a_filing_reads_only_the_stamp_while_the_token_holds(
    session: Session, settings: Settings, city: City
) -> None:
    file(session, settings)  # the first filing loads the reference data
    session.commit()  # a new transaction, as the next request would have
    with statements(session) as seen:
        case, _ = file(session, settings)
    reads = [s for s in seen if s.startswith("SELECT")]
    assert len(reads) == 2, reads  # the stamp, then the duplicate search
    assert "reference_version" in reads[0]
    assert reads[1].startswith("SELECT cases.id, cases.title")
    writes = [s.split(" (")[0] for s in seen if not s.startswith("SELECT")]
    tables = ["cases", "case_areas", "case_events", "triage_duplicate_suggestions"]
    if session.get_bind().dialect.name == "postgresql":  # one statement (civicgrid.rows)
        assert writes == ["WITH p AS"]
    else:  # the last: the first filing is its duplicate
        assert writes == [f"INSERT INTO {table}" for table in tables]
    assert case.department_id == city.parks.id
    # The grid's change key read with the token is the grid index's own: no rebuild.
    index = grid_index(session, settings.h3_resolution, key=reference.stamp(session).grid_key)
    assert grid_index(session, settings.h3_resolution) is index


def test_every_orm_write_to_reference_data_changes_the_token(session: Session, city: City) -> None:
    before = _token(session)
    config.add_rule(
        session, actor=ADMIN, department_id=city.roads.id, category_id=None, area_id=None
    )
    after_rule = _token(session)
    session.execute(delete(SlaPolicy))  # an ORM bulk statement, no flush involved
    assert len({before, after_rule, _token(session)}) == 3


def test_routing_edits_take_effect_on_the_next_filing(
    session: Session, settings: Settings, city: City
) -> None:
    assert file(session, settings)[0].department_id == city.parks.id  # north's department
    rule = config.add_rule(
        session,
        actor=ADMIN,
        department_id=city.roads.id,
        category_id=city.graffiti.id,
        area_id=None,
    )
    assert file(session, settings)[0].department_id == city.roads.id
    config.remove_rule(session, actor=ADMIN, rule_id=rule.id)
    assert file(session, settings)[0].department_id == city.parks.id
    grid.set_responsible(session, area_id=city.north.id, department_id=city.hotline.id)
    assert file(session, settings)[0].department_id == city.hotline.id


def test_sla_and_calendar_edits_take_effect_on_the_next_filing(
    session: Session, settings: Settings, city: City
) -> None:
    first = file(session, settings)[0].resolution_due  # 40 working hours from Monday 10:00
    assert first is not None
    policy = session.scalars(select(SlaPolicy)).one()
    sla_config.save_policy(
        session,
        actor=ADMIN,
        category_id=None,
        calendar_id=policy.calendar_id,
        unit="working_hours",
        first_response=8,
        resolution=16,
    )
    shorter = file(session, settings)[0].resolution_due
    assert shorter is not None
    assert shorter < first
    sla_config.add_holiday(
        session, actor=ADMIN, calendar_id=policy.calendar_id, day=date(2026, 6, 2), name="Off"
    )
    later = file(session, settings)[0].resolution_due
    assert later is not None
    assert (later - shorter).days == 1  # Tuesday is now off: one working day later
    session.execute(update(SlaPolicy).values(resolution=8))  # a bulk statement: no flush
    assert file(session, settings)[0].resolution_due < later


def test_category_edits_take_effect_on_the_next_filing(
    session: Session, settings: Settings, city: City
) -> None:
    file(session, settings)
    config.add_question(
        session,
        actor=ADMIN,
        category=city.graffiti,
        code="colour",
        description="What colour?",
        datatype="string",
        required=True,
    )
    with pytest.raises(Invalid, match="colour"):
        file(session, settings)
    assert file(session, settings, attributes={"colour": "red"})[0].attributes == {"colour": "red"}
    config.save_category(session, actor=ADMIN, code="graffiti", name="Graffiti", active=False)
    with pytest.raises(Invalid, match="no longer takes reports"):
        file(session, settings, attributes={"colour": "red"})


def test_a_rolled_back_edit_leaves_nothing_cached(
    session: Session, settings: Settings, city: City
) -> None:
    with session.begin_nested() as savepoint:
        config.add_rule(
            session,
            actor=ADMIN,
            department_id=city.roads.id,
            category_id=city.graffiti.id,
            area_id=None,
        )
        assert file(session, settings)[0].department_id == city.roads.id  # cached, own token
        savepoint.rollback()
    assert file(session, settings)[0].department_id == city.parks.id


def test_writes_around_the_orm_must_bump_the_token(
    session: Session, settings: Settings, city: City
) -> None:
    file(session, settings)
    session.execute(
        text("UPDATE areas SET department_id = :d WHERE id = :a"),
        {"d": city.hotline.id, "a": city.north.id},
    )
    assert file(session, settings)[0].department_id == city.parks.id  # the cache holds
    bump_reference_version(session)
    assert file(session, settings)[0].department_id == city.hotline.id


def test_without_the_version_row_nothing_is_cached(
    session: Session, settings: Settings, city: City
) -> None:
    session.execute(text("DELETE FROM reference_version"))
    assert reference.stamp(session).token is None
    assert file(session, settings)[0].department_id == city.parks.id
    session.execute(
        text("UPDATE areas SET department_id = :d WHERE id = :a"),
        {"d": city.hotline.id, "a": city.north.id},
    )
    assert file(session, settings)[0].department_id == city.hotline.id


def test_an_edit_on_the_admin_pages_takes_effect_on_the_next_filing(
    client: TestClient, session: Session, settings: Settings, city: City
) -> None:
    from tests.web.conftest import login, post  # noqa: PLC0415  (the web tests' helpers)
    from tests.web.seed import PASSWORD  # noqa: PLC0415

    accounts.create(
        session, username="admin", display_name="Ada", role="administrator", password=PASSWORD
    )
    assert file(session, settings)[0].department_id == city.parks.id
    login(client, "admin")
    data = {"department_id": city.roads.id, "category_id": city.graffiti.id, "area_id": ""}
    assert post(client, "/admin/routing", data).status_code == 303
    assert file(session, settings)[0].department_id == city.roads.id
