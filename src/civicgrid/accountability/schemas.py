"""What the accountability routes answer (Pydantic only)."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class RateRead(BaseModel):
    """A rate: ``k`` of ``n`` cases, its value (None when ``n`` is 0), the Wilson 95% interval."""

    k: int
    n: int = Field(description="Sample size: the cases the rate is taken over.")
    value: float | None
    low: float | None
    high: float | None


class FiguresRead(BaseModel):
    """A unit's counts, durations (wall-clock hours) and rates over a period."""

    cases: int
    response_due: int
    response_on_time: int
    resolution_due: int
    resolved: int
    resolved_on_time: int
    rated: int
    satisfied: int
    settled: int
    reopened: int
    response_n: int
    response_p50: float | None
    response_p90: float | None
    resolution_n: int
    resolution_p50: float | None
    resolution_p90: float | None
    rates: dict[str, RateRead] = Field(
        description="response, resolution, on_time, satisfaction, reopen (docs/metrics.md)."
    )


class UnitRead(BaseModel):
    """A department, area, category, channel or the city."""

    key: str
    code: str
    name: str
    level: str | None = None


class PeriodRead(BaseModel):
    """Cases filed from ``start`` (included) to ``end`` (excluded)."""

    start: datetime
    end: datetime
    label: str


class UnitFiguresRead(BaseModel):
    """One unit's figures."""

    unit: UnitRead
    figures: FiguresRead


class RatesRead(BaseModel):
    """The figures of every unit of one kind over a period."""

    period: PeriodRead
    group: str
    level: str | None
    units: list[UnitFiguresRead]


class RankedUnitRead(BaseModel):
    """A department or area in a month's ranking; ``grade`` is None when not graded."""

    unit: UnitRead
    figures: FiguresRead
    score: float | None
    weight_covered: float
    grade: str | None
    rank: int | None
    note: str


class RankingRead(BaseModel):
    """A month's ranking, how it was graded, and the city's own figures."""

    month: str
    dimension: str
    level: str | None
    as_of: datetime | None = Field(description="When the figures were last refreshed.")
    source: str = Field(description="aggregated (pre-computed) or live")
    weights: dict[str, float]
    grade_bounds: list[float]
    min_sample: int
    city: FiguresRead
    units: list[RankedUnitRead]


class GroupEquityRead(BaseModel):
    """One area's or channel's times to resolution against the rest of the city."""

    unit: UnitRead
    filed: int
    resolved: int
    median_hours: float | None
    p90_hours: float | None
    rest_median_hours: float | None
    ratio: float | None = Field(description="The group's median over the city's median.")
    superiority: float | None = Field(
        description="Probability that a case here takes longer than one elsewhere."
    )
    p_value: float | None
    p_adjusted: float | None = Field(description="After Holm's correction.")
    verdict: str = Field(description="slower, faster, no_evidence or too_few")


class EquityRead(BaseModel):
    """The equity view of a period, by area (one grid level) or by channel."""

    period: PeriodRead
    by: str
    level: str | None
    city_resolved: int
    city_median_hours: float | None
    city_p90_hours: float | None
    alpha: float
    min_sample: int
    test: str
    groups: list[GroupEquityRead]


class TrendPointRead(BaseModel):
    """One month of a trend."""

    month: str
    figures: FiguresRead


class TrendRead(BaseModel):
    """A unit's figures month by month."""

    dimension: str
    unit: str
    points: list[TrendPointRead]


class RefreshRead(BaseModel):
    """What a refresh of the monthly figures did."""

    months: int
    events: int
    full: bool
