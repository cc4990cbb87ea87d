"""Monthly rankings: scores and grades by hand, minimum samples, ties, areas by level, the
pre-aggregated and live paths agreeing, and never anything but departments and areas."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy.orm import Session

from civicgrid.accountability import aggregate, rankings
from civicgrid.accountability.metrics import Figures
from civicgrid.accountability.units import Unit
from civicgrid.errors import Invalid, NotFound
from civicgrid.settings import Settings
from tests.accountability.conftest import Town, at
from tests.accountability.histories import build

JUNE = date(2026, 6, 1)
# Roads in June: response 4/6, resolution 5/6, on time 4/6, satisfaction 2/3, reopen 1/5.
ROADS_SCORE = 0.25 * 4 / 6 + 0.25 * 5 / 6 + 0.2 * 4 / 6 + 0.2 * 2 / 3 + 0.1 * (1 - 1 / 5)


@pytest.fixture
def small(settings: Settings) -> Settings:
    return settings.model_copy(update={"ranking_min_sample": 2})


def ranked(session: Session, settings: Settings, **kwargs: str) -> dict[str, rankings.RankedUnit]:
    ranking = rankings.monthly_ranking(session, settings=settings, month=JUNE, **kwargs)
    return {u.unit.code: u for u in ranking.units}


def test_departments_are_graded_from_the_weighted_rates(
    session: Session, small: Settings, town: Town
) -> None:
    build(session, small)
    found = ranked(session, small)
    roads = found["ROADS"]
    assert roads.score == pytest.approx(ROADS_SCORE)  # 0.7217
    assert (roads.grade, roads.rank, roads.weight_covered) == ("C", 1, pytest.approx(1.0))
    assert roads.rates["response"].n == 6
    assert roads.rates["response"].low == pytest.approx(0.3000, abs=1e-4)  # Wilson 4 of 6
    parks = found["PARKS"]
    assert (parks.grade, parks.rank) == (None, None)
    assert parks.note == "not graded: 1 cases, fewer than 2"


def test_rates_below_the_minimum_sample_leave_the_score(
    session: Session, settings: Settings, town: Town
) -> None:
    build(session, settings)
    four = settings.model_copy(update={"ranking_min_sample": 4})
    roads = ranked(session, four)["ROADS"]
    # Three ratings are too few: satisfaction leaves, the other weights are scaled up.
    expected = (0.25 * 4 / 6 + 0.25 * 5 / 6 + 0.2 * 4 / 6 + 0.1 * (1 - 1 / 5)) / 0.8
    assert roads.score == pytest.approx(expected)
    assert roads.weight_covered == pytest.approx(0.8)
    seven = settings.model_copy(update={"ranking_min_sample": 7})
    roads = ranked(session, seven)["ROADS"]
    assert roads.grade is None
    assert roads.note.startswith("not graded: too few cases are due or rated")


def test_areas_are_ranked_within_one_level(session: Session, small: Settings, town: Town) -> None:
    build(session, small)
    found = ranked(session, small, dimension="area", level="district")
    assert set(found) == {"N", "S"}
    assert found["N"].figures.cases == 7
    assert found["N"].grade is not None
    assert found["S"].grade is None
    # Without a level: the highest level that divides the city, the districts.
    assert set(ranked(session, small, dimension="area")) == {"N", "S"}
    assert set(ranked(session, small, dimension="area", level="city")) == {"TOWN"}


def test_every_department_is_listed_even_without_cases(
    session: Session, small: Settings, town: Town
) -> None:
    found = ranked(session, small)
    assert set(found) == {"ROADS", "PARKS"}
    assert found["ROADS"].figures == Figures()
    assert found["ROADS"].note == "not graded: 0 cases, fewer than 2"


def test_the_pre_aggregated_and_live_rankings_agree(
    session: Session, small: Settings, town: Town
) -> None:
    build(session, small)
    live = rankings.monthly_ranking(session, settings=small, month=JUNE)
    assert (live.source, live.as_of) == ("live", None)
    aggregate.refresh(session, settings=small, now=at(10, month=8))
    stored = rankings.monthly_ranking(session, settings=small, month=JUNE)
    assert stored.source == "aggregated"
    assert stored.as_of == at(10, month=8)
    assert [(u.unit, u.figures, u.grade) for u in stored.units] == [
        (u.unit, u.figures, u.grade) for u in live.units
    ]
    assert stored.city == live.city
    areas = rankings.monthly_ranking(session, settings=small, month=JUNE, dimension="area")
    assert {u.unit.code for u in areas.units} == {"N", "S"}


def test_grades_follow_the_bounds() -> None:
    bounds = (0.9, 0.8, 0.7)
    assert [rankings.grade(s, bounds) for s in (0.95, 0.9, 0.85, 0.7, 0.69, 0.0)] == [
        "A",
        "A",
        "B",
        "C",
        "D",
        "D",
    ]


def test_equal_scores_share_a_rank() -> None:
    base = rankings.RankedUnit(Unit("1", "A", "Alpha"), Figures(), {}, 0.8, 1.0, "B", None, "")
    units = [
        base,
        replace(base, unit=Unit("2", "B", "Beta")),
        replace(base, unit=Unit("3", "C", "Gamma"), score=0.5, grade="D"),
        replace(base, unit=Unit("4", "D", "Delta"), score=None, grade=None, note="small"),
    ]
    out = rankings._ranked(units)
    assert [(u.unit.code, u.rank) for u in out] == [("A", 1), ("B", 1), ("C", 3), ("D", None)]


def test_residents_and_other_units_are_never_ranked(
    session: Session, settings: Settings, town: Town
) -> None:
    for dimension in ("resident", "category", "channel"):
        with pytest.raises(Invalid, match="departments or areas"):
            rankings.monthly_ranking(session, settings=settings, month=JUNE, dimension=dimension)
    with pytest.raises(NotFound, match="no grid level named 'ward'"):
        rankings.monthly_ranking(
            session, settings=settings, month=JUNE, dimension="area", level="ward"
        )


def test_no_grid_means_no_area_ranking(session: Session, settings: Settings) -> None:
    with pytest.raises(Invalid, match="no grid is loaded"):
        rankings.monthly_ranking(session, settings=settings, month=JUNE, dimension="area")


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"ranking_weights": {"speed": 1.0}}, "unknown rates"),
        ({"ranking_weights": {"response": -1.0, "resolution": 2.0}}, "non-negative"),
        ({"ranking_weights": {"response": 0.0}}, "positive total"),
        ({"ranking_grade_bounds": (0.7, 0.8, 0.9)}, "descending"),
    ],
)
def test_bad_ranking_settings_say_what_to_fix(
    session: Session, settings: Settings, town: Town, update: dict[str, object], message: str
) -> None:
    bad = settings.model_copy(update=update)
    with pytest.raises(Invalid, match=message):
        rankings.monthly_ranking(session, settings=bad, month=JUNE)
