"""The bulk writer: cases with their areas and timelines, skipping what is stored already."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.cases import bulk_write
from civicgrid.cases.bulk import CaseRecord, EventRecord, insert_cases, new_tracking_ids
from civicgrid.cases.models import Case, CaseArea, CaseEvent
from civicgrid.cases.tracking import ALPHABET
from tests import factories

FILED = datetime(2026, 6, 1, 14, tzinfo=UTC)
TRACKING = re.compile(f"^[{ALPHABET}]{{4}}-[{ALPHABET}]{{6}}$")


def record(session: Session, external_id: str | None, **fields: object) -> CaseRecord:
    base: dict[str, object] = {
        "category_id": factories.category(session).id,
        "department_id": factories.department(session).id,
        "channel": "import",
        "created_at": FILED,
        "source": "test",
        "external_id": external_id,
    }
    return CaseRecord(**{**base, **fields})  # type: ignore[arg-type]


def test_cases_areas_and_events_are_written(session: Session) -> None:
    city = factories.area(session, level_name="city", rank=0, bounds=(0, 0, 2, 2))
    north = factories.area(session, level_name="district", rank=1, bounds=(0, 1, 2, 2),
                           parent=city)  # fmt: skip
    later = FILED + timedelta(hours=3)
    placed = record(
        session, "a", lat=1.5, lon=1.0, h3_cell="89754e64993ffff", status="closed",
        areas=((north.level_id, north.id), (city.level_id, city.id)),
        attributes={"borough": "X"}, closed_at=later, resolved_at=later,
        events=[EventRecord(kind="filed", created_at=FILED, to_status="new", public=True),
                EventRecord(kind="status_changed", created_at=later, from_status="new",
                            to_status="closed", data={"why": "done"})],
    )  # fmt: skip
    nowhere = record(session, None)
    result = insert_cases(session, records=[placed, nowhere])
    assert result.inserted == 2
    assert result.already_imported == []
    first, second = (session.get_one(Case, i) for i in result.case_ids)
    assert (first.area_id, first.outside_grid, first.status) == (north.id, False, "closed")
    assert first.updated_at == later
    assert first.attributes == {"borough": "X"}
    assert (first.escalation_level, first.reopen_count, first.rating) == (0, 0, None)
    assert TRACKING.match(first.tracking_id)
    assert (second.outside_grid, second.area_id, second.updated_at) == (True, None, FILED)
    areas = session.execute(
        select(CaseArea.area_id, CaseArea.level_id).where(CaseArea.case_id == first.id)
    ).all()
    assert sorted(areas) == sorted([(north.id, north.level_id), (city.id, city.level_id)])
    events = session.scalars(
        select(CaseEvent).where(CaseEvent.case_id == first.id).order_by(CaseEvent.id)
    ).all()
    assert [(e.kind, e.to_status, e.public) for e in events] == [
        ("filed", "new", True), ("status_changed", "closed", False)]  # fmt: skip
    assert events[1].data == {"why": "done"}
    assert events[1].created_at == later


def test_records_already_stored_are_skipped(session: Session) -> None:
    first = insert_cases(session, records=[record(session, "1"), record(session, "2")])
    again = [
        record(session, "2"),
        record(session, "3"),
        record(session, "3"),
        record(session, None),
        record(session, None),
        record(session, "1", source="other"),
    ]
    result = insert_cases(session, records=again, chunk_size=2)
    assert result.already_imported == [0, 2]
    assert result.inserted == 4
    assert not set(result.case_ids) & set(first.case_ids)
    stored = session.scalars(select(Case.external_id).where(Case.source == "test")).all()
    assert sorted(e or "" for e in stored) == ["", "", "1", "2", "3"]


def test_tracking_ids_are_well_formed_and_distinct() -> None:
    ids = new_tracking_ids(5000)
    assert len(set(ids)) == 5000
    assert all(TRACKING.match(i) for i in ids)
    assert new_tracking_ids(0) == []


def test_tracking_ids_taken_already_are_drawn_again(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = bulk_write.new_tracking_codes
    fixed = np.array([777, 777, 778], dtype=np.uint64)
    draws: list[int] = []

    def repeating(count: int) -> np.ndarray:
        draws.append(count)
        return fixed[:count].copy() if len(draws) <= 2 else real(count)

    monkeypatch.setattr(bulk_write, "new_tracking_codes", repeating)
    first = insert_cases(session, records=[record(session, "1")])
    again = insert_cases(session, records=[record(session, "2"), record(session, "3")])
    ids = session.scalars(
        select(Case.tracking_id).where(Case.id.in_(first.case_ids + again.case_ids))
    ).all()
    assert len(set(ids)) == 3
    assert draws[:2] == [1, 2]
    assert len(draws) == 3  # both of the second batch clashed: one with the first, one within
