"""Every rate and duration on hand-built case histories, moved through the real workflow and
deadline sweep: on time, late, ignored, paused, reopened, closed as a duplicate, still fresh."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from civicgrid.accountability.metrics import Figures, Grouping, Scope, city_figures, figures_by
from civicgrid.accountability.periods import date_period, month_period, parse_month
from civicgrid.errors import Invalid
from civicgrid.settings import Settings
from tests.accountability.conftest import FIRST_DUE, RESOLUTION_DUE, Town, at, file
from tests.accountability.histories import JUNE, NY, build


def test_the_histories_are_what_the_rates_assume(
    session: Session, settings: Settings, town: Town
) -> None:
    h = build(session, settings)
    assert h.prompt.first_response_due == FIRST_DUE
    assert h.prompt.resolution_due == RESOLUTION_DUE
    assert h.late.first_response_breached
    assert h.late.resolution_breached
    assert h.ignored.first_response_breached
    assert h.ignored.resolution_breached
    assert h.paused.resolution_due == at(15)  # moved by the 40 paused working hours
    assert not h.paused.resolution_breached
    assert h.reopened.reopen_count == 1
    assert h.reopened.rating == 1
    assert h.reopened.resolution_due == at(9, 15)  # 40 h from the reopening
    assert h.duplicate.resolved_at is None
    assert h.duplicate.closed_at is not None
    assert h.fresh.first_response_at is None
    assert not h.fresh.first_response_breached


def test_every_rate_of_the_city(session: Session, settings: Settings, town: Town) -> None:
    build(session, settings)
    figures = city_figures(session, period=JUNE)
    assert figures.cases == 8
    # Response: due for all but the fresh case; on time: prompt, paused, reopened,
    # duplicate (closing it answered it) and south. Late answered late, ignored never.
    assert (figures.response_on_time, figures.response_due) == (5, 7)
    # Resolution: due once resolved or breached. The duplicate closed before its deadline
    # and the fresh case is not due yet. Resolved: all but ignored. On time: not late.
    assert (figures.resolved, figures.resolution_due) == (5, 6)
    assert (figures.resolved_on_time, figures.resolution_due) == (4, 6)
    # Satisfaction: ratings 5 and 4 of three; the reopened case keeps its rating of 1.
    assert (figures.satisfied, figures.rated) == (2, 3)
    # Reopen: one of the six cases resolved or closed at least once.
    assert (figures.reopened, figures.settled) == (1, 6)
    rates = figures.rates()
    assert rates["response"].value == pytest.approx(5 / 7)
    assert rates["resolution"].value == pytest.approx(5 / 6)
    assert rates["on_time"].value == pytest.approx(4 / 6)
    assert rates["satisfaction"].value == pytest.approx(2 / 3)
    assert rates["reopen"].value == pytest.approx(1 / 6)


def test_durations_are_wall_clock_hours_with_interpolated_percentiles(
    session: Session, settings: Settings, town: Town
) -> None:
    build(session, settings)
    figures = city_figures(session, period=JUNE)
    # First responses after 1, 48, 1, 1, 2 and 23 hours (the fresh and ignored: none).
    assert figures.response_n == 6
    assert figures.response_p50 == pytest.approx(1.5)
    assert figures.response_p90 == pytest.approx(35.5)
    # Resolutions after 48, 192, 264 (paused time counts: the resident waited), 96 (the
    # latest resolution of the reopened case) and 72 hours.
    assert figures.resolution_n == 5
    assert figures.resolution_p50 == pytest.approx(96)
    assert figures.resolution_p90 == pytest.approx(235.2)


def test_rates_by_department_area_category_and_channel(
    session: Session, settings: Settings, town: Town
) -> None:
    build(session, settings)
    by_department = figures_by(session, period=JUNE, grouping=Grouping("department"))
    assert by_department[str(town.parks.id)].cases == 1
    assert by_department[str(town.parks.id)].response_on_time == 1
    assert by_department[str(town.roads.id)].cases == 7
    assert by_department[str(town.roads.id)].resolved == 5
    by_area = figures_by(session, period=JUNE, grouping=Grouping("area"))
    # Every level: the city holds all eight, the districts split them.
    assert by_area[str(town.city.id)].cases == 8
    assert by_area[str(town.north.id)].cases == 7
    assert by_area[str(town.south.id)].resolution_p50 == pytest.approx(72)
    districts = figures_by(
        session, period=JUNE, grouping=Grouping("area", level_id=town.north.level_id)
    )
    assert set(districts) == {str(town.north.id), str(town.south.id)}
    by_category = figures_by(session, period=JUNE, grouping=Grouping("category"))
    assert by_category[str(town.graffiti.id)].settled == 1
    by_channel = figures_by(session, period=JUNE, grouping=Grouping("channel"))
    assert by_channel["phone"].cases == 1
    assert by_channel["api"].cases == 7


def test_scopes_narrow_before_grouping(session: Session, settings: Settings, town: Town) -> None:
    build(session, settings)
    roads_north = city_figures(
        session, period=JUNE, scope=Scope(department_id=town.roads.id, area_id=town.north.id)
    )
    assert roads_north.cases == 6
    assert city_figures(session, period=JUNE, scope=Scope(channel="phone")).cases == 1
    graffiti = city_figures(session, period=JUNE, scope=Scope(category_id=town.graffiti.id))
    assert graffiti.cases == 1
    assert graffiti.resolution_p50 is None


def test_a_case_counts_in_the_month_it_was_filed_in_city_time(
    session: Session, settings: Settings, town: Town
) -> None:
    late_evening = file(session, settings, now=at(1, 2, month=7))  # 22:00 EDT on 30 June
    july = file(session, settings, now=at(1, 5, month=7))  # 01:00 EDT on 1 July
    assert city_figures(session, period=JUNE).cases == 1
    july_period = month_period(parse_month("2026-07"), NY)
    assert city_figures(session, period=july_period).cases == 1
    both = date_period(JUNE.start.date(), july_period.start.date(), NY)
    assert city_figures(session, period=both).cases == 2
    assert late_evening.id != july.id


def test_an_empty_period_has_empty_figures(session: Session, town: Town) -> None:
    figures = city_figures(session, period=JUNE)
    assert figures == Figures()
    assert figures.rate("response").value is None
    assert figures_by(session, period=JUNE, grouping=Grouping("department")) == {}


def test_bad_groupings_and_periods_are_refused() -> None:
    with pytest.raises(Invalid, match="group by"):
        Grouping("resident")
    with pytest.raises(Invalid, match="YYYY-MM"):
        parse_month("June")
    with pytest.raises(Invalid, match="YYYY-MM"):
        parse_month("2026-13")
    with pytest.raises(Invalid, match="swap"):
        date_period(JUNE.end.date(), JUNE.start.date(), NY)
