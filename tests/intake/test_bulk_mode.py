"""Bulk mode: indexes and keys set aside and rebuilt, the same cases stored, nothing lost."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from civicgrid.cases import bulk_load, bulk_write
from civicgrid.cases.bulk import CaseRecord, CaseWriter, columns_of
from civicgrid.cases.models import Case, CaseArea, CaseEvent
from civicgrid.intake.importer import _expected_rows, import_file
from civicgrid.intake.reader import open_rows
from civicgrid.settings import Settings
from tests import factories
from tests.intake.conftest import NYC_HEADER, Grid, nyc_row, write_csv

FILED = datetime(2026, 6, 1, 14, tzinfo=UTC)
SCHEMA = """
SELECT 'index', indexname, indexdef FROM pg_indexes
WHERE tablename IN ('cases', 'case_areas', 'case_events')
UNION ALL
SELECT 'constraint', conname, pg_get_constraintdef(oid) || CASE WHEN convalidated THEN ''
       ELSE ' NOT VALID' END
FROM pg_constraint WHERE conrelid IN ('cases'::regclass, 'case_areas'::regclass,
                                      'case_events'::regclass)
"""


def on_postgresql(session: Session) -> None:
    if session.connection().dialect.name != "postgresql":
        pytest.skip("bulk mode is PostgreSQL's")


def schema(session: Session) -> set[tuple[str, str, str]]:
    return {(kind, name, definition) for kind, name, definition in session.execute(text(SCHEMA))}


def rows(count: int, start: int = 1) -> list[list[str]]:
    boroughs = [("40.6799", "-73.9070"), ("40.7500", "-73.8500"), ("", "")]
    found = []
    for k in range(start, start + count):
        lat, lon = boroughs[k % 3]
        status = ["Closed", "Open", "In Progress", "Assigned"][k % 4]
        found.append(nyc_row(
            str(k), latitude=lat, longitude=lon, status=status,
            closed_date="2024-04-16T01:10:00.000" if status == "Closed" else "",
            complaint_type=["Noise - Residential", "Street Condition"][k % 2],
            resolution_description="" if k % 5 else "Looked into it.",
        ))  # fmt: skip
    return found


def stored(session: Session, source: str) -> list[dict[str, Any]]:
    """The cases of a source as the API would show them: everything but ids and source."""
    skip = {"id", "tracking_id", "source"}
    found = []
    for case in session.scalars(select(Case).where(Case.source == source).order_by(Case.id)):
        row = {c.name: getattr(case, c.key) for c in Case.__table__.columns if c.name not in skip}
        row["areas"] = sorted(session.execute(
            select(CaseArea.area_id, CaseArea.level_id).where(CaseArea.case_id == case.id)
        ).all())  # fmt: skip
        row["events"] = [
            (e.kind, e.from_status, e.to_status, e.public, e.body, e.created_at,
             {k: v for k, v in e.data.items() if k != "external_id"})
            for e in session.scalars(
                select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.id)
            )
        ]  # fmt: skip
        found.append(row)
    return found


def test_bulk_import_stores_what_a_row_by_row_import_stores(
    session: Session, settings: Settings, grid: Grid, tmp_path: Path
) -> None:
    on_postgresql(session)
    before = schema(session)
    path = write_csv(tmp_path / "nyc.csv", NYC_HEADER, [*rows(30), nyc_row("3"), ["bad"]])
    bulk = import_file(session, path=path, mapping="nyc311", settings=settings, bulk=True)
    assert bulk.bulk
    assert (bulk.imported, bulk.rejected, bulk.outside_grid) == (30, 2, 10)
    assert schema(session) == before
    rowwise = import_file(
        session, path=path, mapping="nyc311", settings=settings, bulk=False, source="rowwise"
    )
    assert not rowwise.bulk
    assert stored(session, "nyc311") == stored(session, "rowwise")
    tracking = session.scalars(select(Case.tracking_id)).all()
    assert len(set(tracking)) == len(tracking) == 60
    again = import_file(session, path=path, mapping="nyc311", settings=settings, bulk=True)
    assert (again.imported, again.already_imported) == (0, 30)


def test_bulk_import_onto_stored_cases_keeps_unique_keys_and_skips_them(
    session: Session, settings: Settings, grid: Grid, tmp_path: Path
) -> None:
    on_postgresql(session)
    before = schema(session)
    first = write_csv(tmp_path / "first.csv", NYC_HEADER, rows(5))
    import_file(session, path=first, mapping="nyc311", settings=settings)
    path = write_csv(tmp_path / "nyc.csv", NYC_HEADER, rows(10))
    plan = bulk_load.plan_bulk(session.connection(), expected=10, mode=True)
    assert plan is not None
    assert not plan.empty_table
    report = import_file(session, path=path, mapping="nyc311", settings=settings, bulk=True)
    assert (report.bulk, report.imported, report.already_imported) == (True, 5, 5)
    assert schema(session) == before


def test_a_failed_bulk_import_puts_everything_back(
    session: Session, settings: Settings, grid: Grid, tmp_path: Path
) -> None:
    on_postgresql(session)
    before = schema(session)
    path = write_csv(tmp_path / "nyc.csv", NYC_HEADER, rows(5))

    def stop(done: int, total: int) -> None:
        raise RuntimeError("stopped")

    with pytest.raises(RuntimeError, match="stopped"):
        import_file(session, path=path, mapping="nyc311", settings=settings, bulk=True,
                    progress=stop)  # fmt: skip
    assert schema(session) == before
    assert session.scalar(select(func.count(Case.id))) == 0
    report = import_file(session, path=path, mapping="nyc311", settings=settings, bulk=True)
    assert report.imported == 5


def test_bulk_mode_is_chosen_for_large_imports_into_smaller_tables(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    conn = session.connection()
    assert bulk_load.plan_bulk(conn, expected=10**6, mode=False) is None
    if conn.dialect.name != "postgresql":
        assert bulk_load.plan_bulk(conn, expected=10**6, mode=True) is None
        return
    assert bulk_load.plan_bulk(conn, expected=bulk_load.BULK_MIN_ROWS - 1, mode=None) is None
    monkeypatch.setattr(bulk_load, "BULK_MIN_ROWS", 2)
    plan = bulk_load.plan_bulk(conn, expected=2, mode=None)
    assert plan is not None
    assert plan.empty_table
    category, department = factories.category(session), factories.department(session)
    CaseWriter(session).write(columns_of([
        CaseRecord(category_id=category.id, department_id=department.id, channel="web",
                   created_at=FILED)
        for _ in range(3)
    ]))  # fmt: skip
    assert bulk_load.plan_bulk(conn, expected=2, mode=None) is None
    assert bulk_load.plan_bulk(conn, expected=4, mode=None) is not None


def test_tracking_ids_repeated_within_a_bulk_load_are_replaced(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    on_postgresql(session)
    plan = bulk_load.plan_bulk(session.connection(), expected=4, mode=True)
    assert plan is not None
    real = bulk_write.new_tracking_codes

    def first_always_the_same(count: int) -> np.ndarray:
        codes = real(count)
        codes[0] = 12345
        return codes

    monkeypatch.setattr(bulk_write, "new_tracking_codes", first_always_the_same)
    category, department = factories.category(session), factories.department(session)
    writer = CaseWriter(session, bulk=plan)
    for _ in range(2):
        writer.write(columns_of([
            CaseRecord(category_id=category.id, department_id=department.id, channel="web",
                       created_at=FILED, source="t", external_id=f"{_}-{k}")
            for k in range(2)
        ]))  # fmt: skip
    monkeypatch.setattr(bulk_write, "new_tracking_codes", real)
    writer.finish()
    tracking = session.scalars(select(Case.tracking_id)).all()
    assert len(set(tracking)) == 4


def test_imported_cases_are_listed_by_the_api(
    session: Session, settings: Settings, grid: Grid, tmp_path: Path, client: TestClient
) -> None:
    path = write_csv(tmp_path / "nyc.csv", NYC_HEADER, rows(12))
    import_file(session, path=path, mapping="nyc311", settings=settings, bulk=True)
    listed = client.get("/api/v1/cases", params={"page_size": 100}).json()
    assert listed["total"] == 12
    east = client.get("/api/v1/cases", params={"area_id": grid.east["nyc"].id}).json()
    assert east["total"] == 4
    closed = client.get("/api/v1/cases", params={"status": "closed"}).json()
    assert closed["total"] == 3
    box = client.get("/api/v1/cases", params={"bbox": "-73.95,40.6,-73.85,40.7"}).json()
    assert box["total"] == 4


def test_the_rows_a_file_holds_are_estimated(tmp_path: Path) -> None:
    path = write_csv(tmp_path / "nyc.csv", NYC_HEADER, rows(400))
    with open_rows(path) as source:
        first = [next(iter(source.rows())) for _ in range(40)]
        assert 300 <= _expected_rows(source, first, None) <= 500
        assert _expected_rows(source, first, 100) == 100
