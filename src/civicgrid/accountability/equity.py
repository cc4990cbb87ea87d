"""Equity: is any area (or channel) served slower than the rest of the city?

For each area of one grid level, the times to resolution of its cases are compared with those
of every other case of the city filed in the same period, by a two-sided Mann-Whitney U test
(no assumption on the shape of the times, which are heavily skewed). Testing every area at
once would flag some by chance, so the p-values are adjusted by Holm's method, which keeps the
chance of naming even one area wrongly below ``EQUITY_ALPHA`` whatever the dependence between
the tests. Reasons and limits: docs/metrics.md, "Equity".
"""

from __future__ import annotations

import threading
from collections import OrderedDict, defaultdict
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicgrid.accountability import units
from civicgrid.accountability.aggregate import STATE_ID
from civicgrid.accountability.metrics import STREAM_ROWS, hours_between, tune
from civicgrid.accountability.models import AggregateState
from civicgrid.accountability.periods import Period
from civicgrid.accountability.stats import holm, mann_whitney_each, percentile
from civicgrid.cases.models import Case, CaseArea
from civicgrid.errors import Invalid
from civicgrid.grid.models import AreaLevel
from civicgrid.settings import Settings

BY = ("area", "channel")
SLOWER, FASTER, NO_EVIDENCE, TOO_FEW = "slower", "faster", "no_evidence", "too_few"
NONE = -1  # a case in no area of the level (outside the grid) belongs to the rest only
CACHE_SIZE = 64
"""Reports kept per process; the dashboard asks for a few months and two views of each."""
_lock = threading.Lock()
_cache: OrderedDict[tuple[Any, ...], EquityReport] = OrderedDict()


@dataclass(frozen=True)
class GroupEquity:
    """One area's or channel's times against the rest of the city."""

    unit: units.Unit
    filed: int
    resolved: int
    median_hours: float | None
    p90_hours: float | None
    rest_median_hours: float | None
    ratio: float | None
    superiority: float | None
    p_value: float | None
    p_adjusted: float | None
    verdict: str


@dataclass(frozen=True)
class EquityReport:
    """Every group of the period, with the city's own median and p90 to compare with."""

    period: Period
    by: str
    level: str | None
    city_resolved: int
    city_median_hours: float | None
    city_p90_hours: float | None
    alpha: float
    min_sample: int
    groups: list[GroupEquity]


def _cases(by: str, level_id: int | None, period: Period) -> Any:
    """The cases filed in ``period`` with the unit they count for (None: no area of the level)
    and their hours to resolution (None: not resolved)."""
    if by == "channel":
        unit: Any = Case.channel
    else:
        # A scalar subquery: PostgreSQL probes case_areas' key case by case, instead of
        # hashing every placement of the level, ten million rows in a large city.
        unit = (
            select(CaseArea.area_id)
            .where(CaseArea.case_id == Case.id, CaseArea.level_id == level_id)
            .scalar_subquery()
        )
    hours = hours_between(Case.resolved_at, Case.created_at)
    return (
        select(unit.label("unit"), hours.label("hours"))
        .where(Case.created_at >= period.start, Case.created_at < period.end)
        .subquery()
    )


def _read(session: Session, cases: Any) -> tuple[list[str | None], np.ndarray[Any, Any]]:
    """Every case's unit and hours to resolution (NaN: not resolved), in the same order."""
    if session.get_bind().dialect.name == "postgresql":
        # One row of two arrays: far less to read than a row per case, and no grouping for
        # the planner to misjudge.
        query = select(func.array_agg(cases.c.unit), func.array_agg(cases.c.hours))
        found_units, found_hours = session.execute(query).one()
        keys = [_key(u) for u in found_units or []]
        return keys, np.array(found_hours or [], dtype=np.float64)
    keys, hours = [], []
    for unit, value in session.execute(
        select(cases.c.unit, cases.c.hours).execution_options(yield_per=STREAM_ROWS)
    ):
        keys.append(_key(unit))
        hours.append(value)
    return keys, np.array(hours, dtype=np.float64)


def _by_group(
    keys: list[str | None], hours: np.ndarray[Any, Any], known: list[str]
) -> tuple[list[str], np.ndarray[Any, Any], np.ndarray[Any, Any], dict[str, int]]:
    """The groups' names, the resolved cases' hours and group numbers, each group's cases."""
    names = sorted({k for k in keys if k is not None} | set(known))
    index = {name: i for i, name in enumerate(names)}
    everyone = np.array([NONE if k is None else index[k] for k in keys], dtype=np.int64)
    counts = np.bincount(everyone[everyone >= 0], minlength=len(names)).tolist()
    resolved = ~np.isnan(hours)
    return names, hours[resolved], everyone[resolved], dict(zip(names, counts, strict=True))


def _key(unit: Any) -> str | None:
    return None if unit is None else str(unit)


def equity(
    session: Session,
    *,
    settings: Settings,
    period: Period,
    by: str = "area",
    level: str | None = None,
) -> EquityReport:
    """Each area of ``level`` (or each channel) against the rest of the city over ``period``."""
    if by not in BY:
        raise Invalid(
            "equity is by area or by channel, not '%(by)s'", params={"by": by}, field="by"
        )
    level_row = None
    if by == "area":
        level_row = units.level_or_raise(session, level) if level else units.default_level(session)
        if level_row is None:
            raise Invalid("no grid is loaded, so areas cannot be compared", field="level")
    level_id = level_row.id if level_row else None
    key = _cache_key(session, settings=settings, period=period, by=by, level_id=level_id)
    with _lock:
        cached = _cache.get(key) if key else None
    if cached is not None:
        return cached
    report = _compute(session, settings=settings, period=period, by=by, level_row=level_row)
    if key:
        with _lock:
            _cache[key] = report
            while len(_cache) > CACHE_SIZE:
                _cache.popitem(last=False)
    return report


def clear_cache() -> None:
    """Forget every kept report (they are recomputed on the next request)."""
    with _lock:
        _cache.clear()


def _cache_key(
    session: Session, *, settings: Settings, period: Period, by: str, level_id: int | None
) -> tuple[Any, ...] | None:
    """What a computed report stays valid for: the database, the question, and how far the
    monthly figures have read the timelines (so it changes with every refresh that found new
    events). None before the first refresh: then the view is computed on every request."""
    state = session.get(AggregateState, STATE_ID)
    if state is None:
        return None
    url = str(session.get_bind().engine.url)
    question = (period.start, period.end, by, level_id)
    terms = (settings.equity_alpha, settings.equity_min_sample)
    return (url, *question, *terms, state.last_event_id, state.rebuilt_at)


def _compute(
    session: Session, *, settings: Settings, period: Period, by: str, level_row: AreaLevel | None
) -> EquityReport:
    level_id = level_row.id if level_row else None
    tune(session)
    keys, hours = _read(session, cases=_cases(by, level_id, period))
    known = units.area_ids_of_level(session, level_id) if level_id is not None else []
    names, values, groups, filed = _by_group(keys, hours, known)
    groups_found = _compare(values, groups, names, filed, settings=settings)
    labelled = units.label(session, by, names)
    return EquityReport(
        period=period,
        by=by,
        level=level_row.name if level_row else None,
        city_resolved=int(values.size),
        city_median_hours=percentile(values, 0.5),
        city_p90_hours=percentile(values, 0.9),
        alpha=settings.equity_alpha,
        min_sample=settings.equity_min_sample,
        groups=[GroupEquity(unit=labelled[name], **groups_found[name]) for name in names],
    )


def _compare(
    values: np.ndarray[Any, Any],
    groups: np.ndarray[Any, Any],
    names: list[str],
    filed: dict[str, int],
    *,
    settings: Settings,
) -> dict[str, dict[str, Any]]:
    minimum = settings.equity_min_sample
    city_median = percentile(values, 0.5)
    found: dict[str, dict[str, Any]] = defaultdict(dict)
    for i, name in enumerate(names):
        mine, rest = values[groups == i], values[groups != i]
        median = percentile(mine, 0.5)
        found[name] = {
            "filed": filed.get(name, 0),
            "resolved": int(mine.size),
            "median_hours": median,
            "p90_hours": percentile(mine, 0.9),
            "rest_median_hours": percentile(rest, 0.5),
            "ratio": median / city_median if median is not None and city_median else None,
            "superiority": None,
            "p_value": None,
            "p_adjusted": None,
            "verdict": TOO_FEW,
        }
    tested = [
        i
        for i, name in enumerate(names)
        if found[name]["resolved"] >= minimum and values.size - found[name]["resolved"] >= minimum
    ]
    if not tested:
        return found
    results = mann_whitney_each(values, groups)
    adjusted = holm([results[i].p_value for i in tested])
    for i, p_adjusted in zip(tested, adjusted, strict=True):
        result, entry = results[i], found[names[i]]
        entry.update(superiority=result.superiority, p_value=result.p_value, p_adjusted=p_adjusted)
        if p_adjusted >= settings.equity_alpha:
            entry["verdict"] = NO_EVIDENCE
        else:
            entry["verdict"] = SLOWER if result.superiority > 0.5 else FASTER
    return found
