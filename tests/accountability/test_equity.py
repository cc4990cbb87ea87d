"""The equity view: an area served slower is found, the p-values match SciPy's test with
Holm's correction applied, small groups are not tested, and channels compare the same way."""

from __future__ import annotations

from datetime import timedelta

import pytest
from scipy.stats import mannwhitneyu
from sqlalchemy.orm import Session

from civicgrid.accountability import aggregate
from civicgrid.accountability.equity import FASTER, NO_EVIDENCE, SLOWER, TOO_FEW, equity
from civicgrid.accountability.stats import holm
from civicgrid.errors import Invalid
from civicgrid.settings import Settings
from tests.accountability.conftest import MONDAY, NORTH, SOUTH, Town, file, move
from tests.accountability.histories import JUNE

# Hours to resolution: the north is served in about a day, the south in about four.
NORTH_HOURS = [10, 12, 15, 18, 20, 22, 24, 25, 26, 28, 30, 31, 33, 35, 36, 38, 40, 44, 46, 50]
SOUTH_HOURS = [60, 72, 75, 80, 84, 90, 95, 96, 100, 101, 110, 115, 120, 30, 40, 130, 140, 150]


def resolved_after(
    session: Session, settings: Settings, hours: list[int], point: tuple[float, float], **kw: str
) -> None:
    for h in hours:
        case = file(session, settings, point=point, **kw)
        move(session, settings, case, "resolved", MONDAY + timedelta(hours=h))


@pytest.fixture
def served(session: Session, settings: Settings, town: Town) -> Settings:
    resolved_after(session, settings, NORTH_HOURS, NORTH, channel="web")
    resolved_after(session, settings, SOUTH_HOURS, SOUTH, channel="phone")
    file(session, settings, point=SOUTH)  # still open: counted as filed, not as resolved
    file(session, settings, point=None)  # no place: in the rest of the city only
    return settings.model_copy(update={"equity_min_sample": 15})


def test_the_slower_district_is_named_with_the_corrected_p_value(
    session: Session, served: Settings, town: Town
) -> None:
    report = equity(session, settings=served, period=JUNE, level="district")
    assert report.level == "district"
    assert report.city_resolved == 38
    by_code = {g.unit.code: g for g in report.groups}
    north, south = by_code["N"], by_code["S"]
    assert (south.filed, south.resolved) == (19, 18)
    p_north = mannwhitneyu(NORTH_HOURS, SOUTH_HOURS, method="asymptotic").pvalue
    # Each district against the rest of the city (here: the other district).
    p_south = mannwhitneyu(SOUTH_HOURS, NORTH_HOURS, method="asymptotic").pvalue
    assert north.p_value == pytest.approx(p_north)
    assert south.p_adjusted == pytest.approx(holm([p_north, p_south])[1])
    assert south.verdict == SLOWER
    assert north.verdict == FASTER
    assert south.superiority is not None
    assert south.superiority > 0.5
    assert south.median_hours == pytest.approx(95.5)
    assert south.ratio is not None
    assert south.ratio > 1
    assert south.rest_median_hours == pytest.approx(29)


def test_groups_below_the_minimum_sample_are_listed_untested(
    session: Session, served: Settings, town: Town
) -> None:
    strict = served.model_copy(update={"equity_min_sample": 19})
    report = equity(session, settings=strict, period=JUNE, level="district")
    by_code = {g.unit.code: g for g in report.groups}
    assert by_code["S"].verdict == TOO_FEW  # 18 resolved
    assert by_code["S"].p_value is None
    assert by_code["N"].verdict == TOO_FEW  # 20 resolved, but only 18 in the rest


def test_the_whole_city_level_has_nothing_to_compare_against(
    session: Session, served: Settings, town: Town
) -> None:
    report = equity(session, settings=served, period=JUNE, level="city")
    [city] = report.groups
    assert city.verdict == TOO_FEW  # every case is in it: no rest of the city


def test_channels_are_compared_the_same_way(session: Session, served: Settings, town: Town) -> None:
    report = equity(session, settings=served, period=JUNE, by="channel")
    by_channel = {g.unit.key: g for g in report.groups}
    assert by_channel["phone"].verdict == SLOWER
    assert by_channel["web"].verdict == FASTER
    assert by_channel["api"].verdict == TOO_FEW  # the two cases filed through the API


def test_similar_areas_show_no_evidence(session: Session, settings: Settings, town: Town) -> None:
    resolved_after(session, settings, NORTH_HOURS, NORTH)
    resolved_after(session, settings, NORTH_HOURS, SOUTH)
    report = equity(
        session, settings=settings.model_copy(update={"equity_min_sample": 5}), period=JUNE
    )
    assert {g.verdict for g in report.groups} == {NO_EVIDENCE}
    assert {g.p_adjusted for g in report.groups} == {1.0}


def test_equity_needs_a_grid_and_a_known_grouping(session: Session, settings: Settings) -> None:
    with pytest.raises(Invalid, match="no grid is loaded"):
        equity(session, settings=settings, period=JUNE)
    with pytest.raises(Invalid, match="by area or by channel"):
        equity(session, settings=settings, period=JUNE, by="resident")


def test_the_report_is_kept_until_a_refresh_reads_new_events(
    session: Session, served: Settings, town: Town
) -> None:
    live = equity(session, settings=served, period=JUNE, level="district")
    assert equity(session, settings=served, period=JUNE, level="district") is not live
    aggregate.refresh(session, settings=served, now=MONDAY + timedelta(days=30))
    kept = equity(session, settings=served, period=JUNE, level="district")
    assert equity(session, settings=served, period=JUNE, level="district") is kept
    assert equity(session, settings=served, period=JUNE, by="channel") is not kept
    resolved_after(session, served, [200], NORTH, channel="web")
    # Until the next refresh the view stays as of the last one, like the rankings.
    assert equity(session, settings=served, period=JUNE, level="district") is kept
    aggregate.refresh(session, settings=served, now=MONDAY + timedelta(days=31))
    fresh = equity(session, settings=served, period=JUNE, level="district")
    assert fresh is not kept
    assert fresh.city_resolved == kept.city_resolved + 1
