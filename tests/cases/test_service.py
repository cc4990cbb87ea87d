"""Filing cases: placement, routing, deadlines, contacts kept apart, listing with filters."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.cases import service
from civicgrid.cases.models import CaseArea, CaseEvent, ReporterContact
from civicgrid.cases.schemas import CaseCreate
from civicgrid.cases.tracking import normalize_tracking_id
from civicgrid.errors import Invalid, NotFound
from civicgrid.settings import Settings
from tests.cases.conftest import MONDAY, City, file


def test_case_is_placed_in_every_level_and_routed_to_the_area_department(
    session: Session, settings: Settings, city: City
) -> None:
    case, key = file(session, settings)
    assert case.area_id == city.north.id
    levels = set(session.scalars(select(CaseArea.area_id).where(CaseArea.case_id == case.id)))
    assert levels == {city.north.id, city.city.id}
    assert case.department_id == city.parks.id  # north's responsible department
    assert case.h3_cell is not None
    assert not case.outside_grid
    assert len(key) >= 16
    assert case.resident_key_hash is not None
    assert key not in case.resident_key_hash


def test_category_rule_beats_area_department(
    session: Session, settings: Settings, city: City
) -> None:
    case, _ = file(session, settings, category="pothole", attributes={"depth": "deep"})
    assert case.department_id == city.roads.id
    assert case.attributes == {"depth": "deep"}


def test_point_outside_every_area_is_kept_and_flagged(
    session: Session, settings: Settings, city: City
) -> None:
    case, _ = file(session, settings, lat=10.0, lon=10.0)
    assert case.outside_grid
    assert case.area_id is None
    assert case.department_id == city.hotline.id  # the default department
    filed = session.scalar(select(CaseEvent).where(CaseEvent.case_id == case.id))
    assert filed is not None
    assert "outside" in filed.body


def test_address_only_report_is_outside_the_grid(
    session: Session, settings: Settings, city: City
) -> None:
    case, _ = file(session, settings, lat=None, lon=None)
    assert case.outside_grid
    assert case.h3_cell is None


def test_deadlines_start_when_filed(session: Session, settings: Settings, city: City) -> None:
    case, _ = file(session, settings)
    # 8 working hours from Monday 10:00 is Tuesday 10:00 in a 9-17 calendar.
    assert case.first_response_due == MONDAY + timedelta(days=1)
    assert case.resolution_due is not None
    assert case.resolution_due > case.first_response_due


def test_contact_is_stored_apart_from_the_case(
    session: Session, settings: Settings, city: City
) -> None:
    case, _ = file(session, settings, contact={"name": "Ada", "email": "ada@example.org"})
    contact = session.scalar(select(ReporterContact).where(ReporterContact.case_id == case.id))
    assert contact is not None
    assert contact.email == "ada@example.org"
    read = service.to_read(session, [case])[0].model_dump()
    assert "ada@example.org" not in str(read)


def test_empty_contact_is_not_stored(session: Session, settings: Settings, city: City) -> None:
    case, _ = file(session, settings, contact={})
    assert session.scalar(select(ReporterContact).where(ReporterContact.case_id == case.id)) is None


def test_required_question_must_be_answered(
    session: Session, settings: Settings, city: City
) -> None:
    with pytest.raises(Invalid, match="depth"):
        file(session, settings, category="pothole")


def test_unknown_category_is_refused(session: Session, settings: Settings, city: City) -> None:
    with pytest.raises(NotFound, match="no category"):
        file(session, settings, category="nope")


def test_inactive_category_is_refused(session: Session, settings: Settings, city: City) -> None:
    city.graffiti.active = False
    with pytest.raises(Invalid, match="no longer"):
        file(session, settings)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ({"lat": 1.0}, "both lat and lon"),
        ({}, "say where"),
        ({"lat": 1.0, "lon": 1.0, "description": ""}, "describe"),
    ],
)
def test_create_schema_explains_what_is_missing(payload: dict[str, object], message: str) -> None:
    base = {"category": "graffiti", "description": "x"}
    with pytest.raises(ValueError, match=message):
        CaseCreate.model_validate({**base, **payload})


def test_get_accepts_what_a_person_types(session: Session, settings: Settings, city: City) -> None:
    case, _ = file(session, settings)
    typed = case.tracking_id.lower().replace("-", "")
    assert service.get_or_raise(session, typed).id == case.id
    assert normalize_tracking_id("short") == "SHORT"
    with pytest.raises(NotFound):
        service.get_or_raise(session, "0000-000000")


def test_list_filters(session: Session, settings: Settings, city: City) -> None:
    north, _ = file(session, settings)
    south, _ = file(session, settings, lat=0.5, category="pothole", attributes={"depth": "deep"})
    run = lambda **kw: {c.id for c in service.list_(session, filters=service.CaseFilter(**kw))[0]}  # noqa: E731
    assert run(area_id=city.north.id) == {north.id}
    assert run(area_id=city.city.id) == {north.id, south.id}
    assert run(category="pothole") == {south.id}
    assert run(department="DPR") == {north.id}
    assert run(status=["new"]) == {north.id, south.id}
    assert run(status=["closed"]) == set()
    assert run(bbox=(0, 0, 2, 1)) == {south.id}
    assert run(created_from=MONDAY, created_to=MONDAY + timedelta(seconds=1)) == {
        north.id,
        south.id,
    }
    assert run(created_from=MONDAY + timedelta(seconds=1)) == set()


def test_list_paginates_newest_first(session: Session, settings: Settings, city: City) -> None:
    ids = [file(session, settings)[0].id for _ in range(5)]
    page1, total = service.list_(session, filters=service.CaseFilter(), page=1, page_size=2)
    page3, _ = service.list_(session, filters=service.CaseFilter(), page=3, page_size=2)
    assert total == 5
    assert [c.id for c in page1] == ids[::-1][:2]
    assert [c.id for c in page3] == [ids[0]]
