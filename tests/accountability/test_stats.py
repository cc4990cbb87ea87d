"""The statistics: Wilson intervals, percentiles, Mann-Whitney U against SciPy, Holm."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import mannwhitneyu

from civicgrid.accountability.stats import holm, mann_whitney_each, percentile, wilson


def test_wilson_interval_matches_published_values() -> None:
    # Newcombe (1998), table I: 0/10 -> 0 to 0.2775; 5/10 -> 0.2366 to 0.7634.
    none = wilson(0, 10)
    assert none.value == 0
    assert none.low == 0
    assert none.high == pytest.approx(0.2775, abs=1e-4)
    half = wilson(5, 10)
    assert half.low == pytest.approx(0.2366, abs=1e-4)
    assert half.high == pytest.approx(0.7634, abs=1e-4)
    everything = wilson(10, 10)
    assert everything.high == 1
    assert everything.low == pytest.approx(0.7225, abs=1e-4)


def test_wilson_without_a_sample_has_no_value() -> None:
    rate = wilson(0, 0)
    assert (rate.value, rate.low, rate.high) == (None, None, None)
    with pytest.raises(ValueError, match="0 <= k <= n"):
        wilson(3, 2)


def test_percentile_interpolates_between_closest_ranks() -> None:
    assert percentile([], 0.5) is None
    assert percentile([7.0], 0.9) == 7
    assert percentile([1, 2, 3, 4], 0.5) == 2.5
    assert percentile([10, 20, 30, 40, 50], 0.9) == pytest.approx(46)


def test_mann_whitney_matches_scipy_for_each_group_against_the_rest() -> None:
    rng = np.random.default_rng(6)
    # Rounded to whole hours, so there are many ties, as in real resolution times.
    values = np.round(rng.lognormal(3, 1, 600))
    groups = rng.integers(0, 4, 600)
    values[groups == 2] *= 1.6  # one group served slower
    found = mann_whitney_each(values, groups)
    for group in range(4):
        mine, rest = values[groups == group], values[groups != group]
        expected = mannwhitneyu(mine, rest, alternative="two-sided", method="asymptotic")
        assert found[group].u == pytest.approx(expected.statistic)
        assert found[group].p_value == pytest.approx(expected.pvalue, rel=1e-9)
        assert found[group].superiority == pytest.approx(expected.statistic / mine.size / rest.size)
    assert found[2].p_value < 1e-3
    assert found[2].superiority > 0.5


def test_mann_whitney_with_every_value_tied_finds_nothing() -> None:
    found = mann_whitney_each(np.ones(10), np.array([0] * 5 + [1] * 5))
    assert found[0].p_value == 1.0
    assert found[0].superiority == 0.5


def test_holm_adjusts_in_step_down_order() -> None:
    assert holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    assert holm([0.5, 0.9]) == pytest.approx([1.0, 1.0])
    assert holm([]) == []
