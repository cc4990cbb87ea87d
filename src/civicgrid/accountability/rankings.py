"""Monthly rankings of departments and of areas (never of residents): an A-D grade from a
weighted score of the rates, each rate with its sample size and Wilson 95% interval.

A unit is graded only when it had at least ``RANKING_MIN_SAMPLE`` cases in the month and the
rates that reach that sample too carry at least half of the weight; the others are listed
without a grade, so a small unit is never praised or shamed on a handful of cases.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from civicgrid.accountability import aggregate, units
from civicgrid.accountability.metrics import RATES, Figures, Grouping, figures_by
from civicgrid.accountability.periods import month_period
from civicgrid.accountability.stats import Rate
from civicgrid.errors import Invalid
from civicgrid.grid.models import AreaLevel
from civicgrid.settings import Settings

RANKED = ("department", "area")
GRADES = ("A", "B", "C", "D")
# A rate where lower is better enters the score as 1 - rate.
LOWER_IS_BETTER = frozenset({"reopen"})


@dataclass(frozen=True)
class RankedUnit:
    """One department or area in a month's ranking."""

    unit: units.Unit
    figures: Figures
    rates: dict[str, Rate]
    score: float | None
    weight_covered: float
    grade: str | None
    rank: int | None
    note: str


@dataclass(frozen=True)
class Ranking:
    """A month's ranking of one kind of unit, with the city's own figures beside it."""

    month: date
    dimension: str
    level: str | None
    units: list[RankedUnit]
    city: Figures
    weights: dict[str, float]
    grade_bounds: tuple[float, float, float]
    min_sample: int
    as_of: datetime | None
    source: str


def weights_of(settings: Settings) -> dict[str, float]:
    """The configured weights, checked: known rates, none negative, some positive."""
    weights = dict(settings.ranking_weights)
    unknown = sorted(set(weights) - set(RATES))
    if unknown:
        raise Invalid(
            "CIVICGRID_RANKING_WEIGHTS names unknown rates %(unknown)s; use %(rates)s",
            params={"unknown": unknown, "rates": RATES},
        )
    if any(w < 0 for w in weights.values()) or not sum(weights.values()) > 0:
        raise Invalid("CIVICGRID_RANKING_WEIGHTS must be non-negative with a positive total")
    return weights


def bounds_of(settings: Settings) -> tuple[float, float, float]:
    """The configured grade bounds, checked: descending, within 0-1."""
    bounds = settings.ranking_grade_bounds
    if not 1 >= bounds[0] >= bounds[1] >= bounds[2] >= 0:
        raise Invalid("CIVICGRID_RANKING_GRADE_BOUNDS must be three descending numbers in 0-1")
    return bounds


def grade(score: float, bounds: tuple[float, float, float]) -> str:
    """A for a score at or above the first bound, B the second, C the third, else D."""
    for letter, bound in zip(GRADES, bounds, strict=False):
        if score >= bound:
            return letter
    return GRADES[-1]


def score(
    rates: dict[str, Rate], *, weights: dict[str, float], min_sample: int
) -> tuple[float | None, float]:
    """The weighted mean of the rates whose sample reaches ``min_sample``, and the share of
    the total weight those rates carry (None when no weighted rate qualifies)."""
    total = sum(weights.values())
    used = {
        name: w
        for name, w in weights.items()
        if w > 0 and rates[name].value is not None and rates[name].n >= min_sample
    }
    covered = sum(used.values())
    if not covered:
        return None, 0.0
    points = 0.0
    for name, w in used.items():
        value = rates[name].value
        assert value is not None  # filtered above
        points += w * ((1 - value) if name in LOWER_IS_BETTER else value)
    return points / covered, covered / total


def _assess(
    unit: units.Unit, figures: Figures, *, weights: dict[str, float], settings: Settings
) -> RankedUnit:
    rates = figures.rates()
    min_sample = settings.ranking_min_sample
    value, covered = score(rates, weights=weights, min_sample=min_sample)
    if figures.cases < min_sample:
        note = f"not graded: {figures.cases} cases, fewer than {min_sample}"
    elif value is None or covered < 0.5:
        note = f"not graded: too few cases are due or rated (under {min_sample} per rate)"
    else:
        letter = grade(value, bounds_of(settings))
        return RankedUnit(unit, figures, rates, value, covered, letter, None, "")
    return RankedUnit(unit, figures, rates, value, covered, None, None, note)


def _ranked(assessed: list[RankedUnit]) -> list[RankedUnit]:
    graded = sorted((u for u in assessed if u.grade), key=lambda u: (-(u.score or 0), u.unit.name))
    out: list[RankedUnit] = []
    for position, unit in enumerate(graded, start=1):
        tied = out and out[-1].score == unit.score
        rank = out[-1].rank if tied else position
        out.append(replace(unit, rank=rank))
    rest = sorted((u for u in assessed if not u.grade), key=lambda u: u.unit.name)
    return out + rest


def _figures(
    session: Session,
    settings: Settings,
    month: date,
    dimension: str,
    level: AreaLevel | None,
) -> tuple[dict[str, Figures], Figures, datetime | None, str]:
    """The month's figures by unit and the city's: stored ones once refreshed, else live."""
    state = aggregate.get_state(session)
    if state is not None:
        wanted = units.area_ids_of_level(session, level.id) if level else None
        found = aggregate.monthly(session, month=month, dimension=dimension, units=wanted)
        city = aggregate.monthly(session, month=month, dimension="city").get("", Figures())
        return found, city, state.refreshed_at, "aggregated"
    period = month_period(month, ZoneInfo(settings.timezone))
    grouping = Grouping(dimension, level.id if level else None)
    found = figures_by(session, period=period, grouping=grouping)
    city = figures_by(session, period=period).get("", Figures())
    return found, city, None, "live"


def monthly_ranking(
    session: Session,
    *,
    settings: Settings,
    month: date,
    dimension: str = "department",
    level: str | None = None,
) -> Ranking:
    """The ranking of ``month`` (pre-aggregated figures, or computed now before any refresh)."""
    if dimension not in RANKED:
        raise Invalid(
            "rankings are of departments or areas, not '%(dimension)s'",
            params={"dimension": dimension},
            field="dimension",
        )
    weights = weights_of(settings)
    level_row = None
    if dimension == "area":
        level_row = units.level_or_raise(session, level) if level else units.default_level(session)
        if level_row is None:
            raise Invalid("no grid is loaded, so areas cannot be ranked", field="level")
    found, city, as_of, source = _figures(session, settings, month, dimension, level_row)
    everyone = (
        units.area_ids_of_level(session, level_row.id)
        if level_row
        else units.department_ids(session)
    )
    for key in everyone:
        found.setdefault(key, Figures())
    named = units.label(session, dimension, found)
    assessed = [
        _assess(named[key], figures, weights=weights, settings=settings)
        for key, figures in found.items()
    ]
    return Ranking(
        month=month,
        dimension=dimension,
        level=level_row.name if level_row else None,
        units=_ranked(assessed),
        city=city,
        weights=weights,
        grade_bounds=bounds_of(settings),
        min_sample=settings.ranking_min_sample,
        as_of=as_of,
        source=source,
    )
