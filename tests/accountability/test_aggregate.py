"""Pre-aggregation: the stored monthly figures equal the live ones, and a refresh rebuilds
only the months whose cases gained a timeline entry."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicgrid.accountability import aggregate
from civicgrid.accountability.jobs import JOBS, refresh_monthly_figures
from civicgrid.accountability.metrics import Figures, Grouping, figures_by
from civicgrid.accountability.models import MonthlyFigure
from civicgrid.jobs import registered_jobs
from civicgrid.settings import Settings
from tests.accountability.conftest import Town, at, file, move
from tests.accountability.histories import JUNE, build

JUNE_FIRST = date(2026, 6, 1)


def test_the_first_refresh_builds_every_month_equal_to_the_live_figures(
    session: Session, settings: Settings, town: Town
) -> None:
    build(session, settings)
    file(session, settings, now=at(3, month=8))  # August; July has no case at all
    report = aggregate.refresh(session, settings=settings, now=at(10, month=8))
    assert report.full
    assert report.months == 3  # June, July (empty) and August
    assert str(report).startswith("full rebuild: 3 months")
    for dimension in aggregate.AGGREGATED:
        live = figures_by(session, period=JUNE, grouping=Grouping(dimension))
        stored = aggregate.monthly(session, month=JUNE_FIRST, dimension=dimension)
        assert stored == live, dimension
    assert aggregate.monthly(session, month=date(2026, 7, 1), dimension="city") == {}


def test_a_refresh_rebuilds_only_the_months_with_new_timeline_entries(
    session: Session, settings: Settings, town: Town
) -> None:
    h = build(session, settings)
    august = file(session, settings, now=at(3, month=8))
    aggregate.refresh(session, settings=settings, now=at(10, month=8))
    august_rows = select(MonthlyFigure.computed_at).where(MonthlyFigure.month == date(2026, 8, 1))
    before = session.scalar(august_rows)
    move(session, settings, h.ignored, "acknowledged", at(10, 15, month=8))
    report = aggregate.refresh(session, settings=settings, now=at(10, 16, month=8))
    assert (report.months, report.full) == (1, False)
    assert report.events == 1
    june = aggregate.monthly(session, month=JUNE_FIRST, dimension="city")[""]
    assert june.response_n == 7  # the ignored case has its (late) first response now
    assert session.scalar(august_rows) == before  # August was left alone
    nothing = aggregate.refresh(session, settings=settings, now=at(10, 17, month=8))
    assert (nothing.months, nothing.events) == (0, 0)
    assert august.id


def test_a_full_rebuild_comes_round_after_the_rebuild_interval(
    session: Session, settings: Settings, town: Town
) -> None:
    build(session, settings)
    first = aggregate.refresh(session, settings=settings, now=at(10, month=8))
    state = aggregate.get_state(session)
    assert state is not None
    later = first_rebuild = state.rebuilt_at
    later += timedelta(hours=settings.accountability_rebuild_hours)
    assert aggregate.refresh(session, settings=settings, now=later).full
    assert state.rebuilt_at == later != first_rebuild
    never = settings.model_copy(update={"accountability_rebuild_hours": 0})
    assert not aggregate.refresh(session, settings=never, now=later + timedelta(days=9)).full
    assert first.full


def test_trend_fills_empty_months_with_zero(
    session: Session, settings: Settings, town: Town
) -> None:
    build(session, settings)
    aggregate.refresh(session, settings=settings, now=at(10, month=8))
    points = aggregate.trend(
        session, dimension="city", unit="", first=date(2026, 5, 1), last=date(2026, 7, 1)
    )
    assert [m for m, _ in points] == [date(2026, 5, 1), JUNE_FIRST, date(2026, 7, 1)]
    assert points[0][1] == Figures()
    assert points[1][1].cases == 8


def test_the_refresh_job_is_registered_and_runs(
    session: Session, settings: Settings, town: Town
) -> None:
    assert JOBS[0] in registered_jobs()
    assert JOBS[0].interval(settings) == settings.accountability_refresh_interval_seconds
    file(session, settings)
    report = refresh_monthly_figures(session, settings)
    assert report.months == 1
    assert session.scalar(select(func.count()).select_from(MonthlyFigure)) > 0


def test_refreshing_an_empty_city_stores_nothing(session: Session, settings: Settings) -> None:
    report = aggregate.refresh(session, settings=settings, now=at(1))
    assert (report.months, report.events, report.full) == (0, 0, True)
