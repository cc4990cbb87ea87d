"""The request-facing service: periods, scopes, rates by any grouping, trends, unit names."""

from __future__ import annotations

from datetime import UTC, date, datetime

import numpy as np
import pytest
from sqlalchemy.orm import Session

from civicgrid.accountability import service, units
from civicgrid.accountability.periods import Period
from civicgrid.accountability.stats import mann_whitney_each
from civicgrid.errors import Invalid, NotFound
from civicgrid.settings import Settings
from tests.accountability.conftest import Town
from tests.accountability.histories import JUNE, build


def test_rates_by_category_and_channel_are_named(
    session: Session, settings: Settings, town: Town
) -> None:
    build(session, settings)
    by_category = service.rates(session, period=JUNE, dimension="category")
    assert [u.unit.code for u in by_category] == ["graffiti", "pothole"]
    assert by_category[0].unit.name == "Graffiti"
    by_channel = service.rates(session, period=JUNE, dimension="channel")
    assert {u.unit.key: u.figures.cases for u in by_channel} == {"api": 7, "phone": 1}
    [city] = service.rates(session, period=JUNE)
    assert city.unit.name == "City"


def test_a_period_with_nothing_filed_still_has_the_city(session: Session, town: Town) -> None:
    [city] = service.rates(session, period=JUNE)
    assert city.figures.cases == 0


def test_trend_months_are_bounded(session: Session, settings: Settings) -> None:
    for months in (0, service.MAX_TREND_MONTHS + 1):
        with pytest.raises(Invalid, match="months must be from 1"):
            service.trend(session, settings=settings, last=date(2026, 6, 1), months=months)
    points = service.trend(session, settings=settings, last=date(2026, 1, 1), months=2)
    assert [m for m, _ in points] == [date(2025, 12, 1), date(2026, 1, 1)]


def test_unknown_units_and_channels_say_so(session: Session, town: Town) -> None:
    with pytest.raises(Invalid, match="channel must be one of"):
        service.scope_of(session, channel="fax")
    with pytest.raises(NotFound, match="levels: city, district"):
        units.level_or_raise(session, "ward")
    assert units.label(session, "department", ["999"])["999"].name == "999"


def test_an_empty_period_is_refused() -> None:
    moment = datetime(2026, 6, 1, tzinfo=UTC)
    with pytest.raises(Invalid, match="is empty"):
        Period(moment, moment, "nothing")


def test_the_latest_month_without_cases_is_this_month(session: Session, settings: Settings) -> None:
    assert service.latest_month(session, settings).day == 1


def test_a_group_with_no_rest_is_not_tested() -> None:
    assert mann_whitney_each(np.array([1.0, 2.0]), np.array([0, 0])) == {}
