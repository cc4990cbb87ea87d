"""The first rows of each city's real export import cleanly (skipped without ../shared)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicgrid.cases.models import Case
from civicgrid.intake.importer import import_file
from civicgrid.settings import Settings
from tests.conftest import shared_file
from tests.intake.conftest import Grid, read_rejects

ROWS = 500


@pytest.mark.parametrize(
    ("parts", "mapping", "most_rejected"),
    [
        (("nyc311", "nyc311_2026-06_10000.csv"), "nyc311", 0),
        (("nyc311", "nyc311_fullcols_1000_2024-04.csv"), "nyc311", 0),
        (("sf311", "sf311_cases10000_2008_2016.csv"), "sf311", 25),
        (("la311", "la311_2017-12_subset9999.csv"), "la311", 5),
        (("la311", "la311_2018-01_mini10000.csv"), "la311", 5),
    ],
)
def test_real_exports(
    session: Session,
    settings: Settings,
    grid: Grid,
    parts: tuple[str, str],
    mapping: str,
    most_rejected: int,
) -> None:
    path = shared_file(*parts)
    report = import_file(session, path=path, mapping=mapping, settings=settings, limit=ROWS)
    assert report.read == ROWS
    assert report.imported + report.rejected == ROWS
    assert report.rejected <= most_rejected
    # Real reasons only: these files have closing times before opening times, nothing else.
    assert set(report.reject_reasons) <= {"closed before created"}
    if report.rejects_path is not None:
        assert all(r["reject_reason"] for r in read_rejects(report.rejects_path))
    placed = session.scalar(
        select(func.count(Case.id)).where(Case.source == mapping, Case.area_id.is_not(None))
    )
    assert placed
    assert placed >= report.imported * 0.75
    again = import_file(session, path=path, mapping=mapping, settings=settings, limit=ROWS)
    assert (again.imported, again.already_imported) == (0, report.imported)
