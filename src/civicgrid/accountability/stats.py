"""The statistics behind the figures: Wilson intervals, percentiles, the Mann-Whitney U test
and Holm's correction for testing many areas at once."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.stats import rankdata

Z95 = 1.959963984540054  # the standard normal's 97.5% quantile


@dataclass(frozen=True)
class Rate:
    """``k`` of ``n`` with the Wilson 95% score interval; ``value`` is None when ``n`` is 0."""

    k: int
    n: int
    value: float | None
    low: float | None
    high: float | None


def wilson(k: int, n: int, z: float = Z95) -> Rate:
    """The share ``k / n`` with its Wilson score interval (good at small n and near 0 or 1)."""
    if n <= 0:
        return Rate(k, n, None, None, None)
    if not 0 <= k <= n:
        raise ValueError(f"a rate needs 0 <= k <= n, got k={k}, n={n}")
    p = k / n
    z2 = z * z
    denominator = 1 + z2 / n
    centre = (p + z2 / (2 * n)) / denominator
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / denominator
    # At k = 0 and k = n the interval reaches 0 and 1 exactly; say so, not 0.9999999999999999.
    low = 0.0 if k == 0 else max(0.0, centre - half)
    high = 1.0 if k == n else min(1.0, centre + half)
    return Rate(k, n, p, low, high)


def percentile(values: Sequence[float] | npt.NDArray[np.float64], q: float) -> float | None:
    """The ``q``-quantile (0-1) by linear interpolation between closest ranks.

    The same definition as PostgreSQL's ``percentile_cont`` and DuckDB's ``quantile_cont``:
    the value at position ``(n - 1) * q`` of the sorted values. None for no values.
    """
    array = np.asarray(values, dtype=np.float64)
    if array.size == 0:
        return None
    return float(np.quantile(array, q, method="linear"))


@dataclass(frozen=True)
class GroupTest:
    """One group against all the others: Mann-Whitney U, its two-sided p-value, the effect."""

    n: int
    n_rest: int
    u: float
    p_value: float
    superiority: float
    """Probability that a case of the group takes longer than one of the rest (ties half)."""


def mann_whitney_each(
    values: npt.NDArray[np.float64], groups: npt.NDArray[np.int64]
) -> dict[int, GroupTest]:
    """Test each group's values against all other values (two-sided, normal approximation
    with tie and continuity correction, as SciPy's ``mannwhitneyu(method="asymptotic")``).

    Every value is ranked once, so testing G groups costs one sort, not G.
    """
    total = values.size
    ranks = rankdata(values)
    _, tie_counts = np.unique(values, return_counts=True)
    ties = float(np.sum(tie_counts.astype(np.float64) ** 3 - tie_counts))
    found: dict[int, GroupTest] = {}
    for group in np.unique(groups).tolist():
        mask = groups == group
        n1 = int(mask.sum())
        n2 = total - n1
        if n1 == 0 or n2 == 0:
            continue
        u1 = float(ranks[mask].sum()) - n1 * (n1 + 1) / 2
        found[group] = GroupTest(
            n=n1,
            n_rest=n2,
            u=u1,
            p_value=_two_sided_p(u1, n1, n2, ties),
            superiority=u1 / (n1 * n2),
        )
    return found


def _two_sided_p(u1: float, n1: int, n2: int, ties: float) -> float:
    total = n1 + n2
    mean = n1 * n2 / 2
    variance = n1 * n2 / 12 * ((total + 1) - ties / (total * (total - 1)))
    if variance <= 0:
        return 1.0  # every value tied: no evidence of any difference
    u = max(u1, n1 * n2 - u1)
    z = (u - mean - 0.5) / math.sqrt(variance)
    return min(1.0, math.erfc(z / math.sqrt(2)))


def holm(p_values: Sequence[float]) -> list[float]:
    """Holm-Bonferroni adjusted p-values, in the order given (family-wise error control)."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    adjusted = [1.0] * m
    running = 0.0
    for position, index in enumerate(order):
        running = max(running, min(1.0, (m - position) * p_values[index]))
        adjusted[index] = running
    return adjusted
