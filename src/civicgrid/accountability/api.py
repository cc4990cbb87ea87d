"""JSON routes of the rates, rankings, equity view and trends, and the open-data downloads
(streamed: a large export never sits in memory). All public: they describe the government's
work, never a resident."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import StreamingResponse
from sqlalchemy.orm import Session

from civicgrid.accountability import equity as equity_service
from civicgrid.accountability import rankings, service
from civicgrid.accountability.export import MEDIA_TYPES, CaseExport
from civicgrid.accountability.metrics import Figures
from civicgrid.accountability.periods import Period
from civicgrid.accountability.schemas import (
    EquityRead,
    FiguresRead,
    GroupEquityRead,
    PeriodRead,
    RankedUnitRead,
    RankingRead,
    RateRead,
    RatesRead,
    TrendPointRead,
    TrendRead,
    UnitFiguresRead,
    UnitRead,
)
from civicgrid.accountability.units import Unit
from civicgrid.cases.schemas import Channel, Status
from civicgrid.deps import CurrentSettings, DbSession, get_session
from civicgrid.errors import error_responses
from civicgrid.schemas import NO_NUL

router = APIRouter(prefix="/accountability", tags=["accountability"])
open_data = APIRouter(prefix="/open-data", tags=["open data"])
ERRORS = error_responses(404, 422)
MAX_ID = 2**31 - 1
TEST_NAME = "two-sided Mann-Whitney U (normal approximation, tie and continuity corrected), Holm"

Group = Literal["city", "department", "area", "category", "channel"]
Month = Annotated[
    str | None,
    Query(pattern=r"^[0-9]{4}-[0-9]{2}$", description="YYYY-MM; default: latest month on file."),
]
From = Annotated[date | None, Query(alias="from", description="First day, YYYY-MM-DD.")]
To = Annotated[date | None, Query(alias="to", description="Last day (included), YYYY-MM-DD.")]
Level = Annotated[
    str | None, Query(max_length=64, pattern=NO_NUL, description="A grid level's name.")
]
Code = Annotated[str | None, Query(max_length=64, pattern=NO_NUL)]
AreaId = Annotated[int | None, Query(ge=1, le=MAX_ID, description="Only cases in this area.")]
# The downloads read through a cursor while the response streams, so their session must
# outlive the handler: the default ("request") scope closes it after the response is sent.
StreamSession = Annotated[Session, Depends(get_session)]


def figures_read(figures: Figures) -> FiguresRead:
    """The JSON form of a unit's figures, its rates included."""
    rates = {name: RateRead(**asdict(rate)) for name, rate in figures.rates().items()}
    return FiguresRead(**figures.as_dict(), rates=rates)


def unit_read(unit: Unit) -> UnitRead:
    """The JSON form of a unit."""
    return UnitRead(**asdict(unit))


def period_read(period: Period) -> PeriodRead:
    """The JSON form of a period."""
    return PeriodRead(start=period.start, end=period.end, label=period.label)


@router.get("/rates", response_model=RatesRead, responses=ERRORS)
def get_rates(
    session: DbSession,
    settings: CurrentSettings,
    group: Group = "city",
    month: Month = None,
    start: From = None,
    end: To = None,
    level: Level = None,
    department: Code = None,
    category: Code = None,
    area: AreaId = None,
    channel: Channel | None = None,
) -> RatesRead:
    """Every rate of each unit of ``group`` over a month or date range (docs/metrics.md)."""
    period = service.period_of(session, settings, month=month, start=start, end=end)
    scope = service.scope_of(
        session,
        department=department,
        category=category,
        area_id=area,
        channel=channel.value if channel else None,
    )
    found = service.rates(session, period=period, dimension=group, level=level, scope=scope)
    return RatesRead(
        period=period_read(period),
        group=group,
        level=level,
        units=[
            UnitFiguresRead(unit=unit_read(u.unit), figures=figures_read(u.figures)) for u in found
        ],
    )


@router.get("/rankings", response_model=RankingRead, responses=ERRORS)
def get_rankings(
    session: DbSession,
    settings: CurrentSettings,
    unit: Literal["department", "area"] = "department",
    month: Month = None,
    level: Level = None,
) -> RankingRead:
    """A month's A-D ranking of departments or of the areas of one grid level."""
    chosen = service.month_or_latest(session, settings, month)
    ranking = rankings.monthly_ranking(
        session, settings=settings, month=chosen, dimension=unit, level=level
    )
    return RankingRead(
        month=ranking.month.strftime("%Y-%m"),
        dimension=ranking.dimension,
        level=ranking.level,
        as_of=ranking.as_of,
        source=ranking.source,
        weights=ranking.weights,
        grade_bounds=list(ranking.grade_bounds),
        min_sample=ranking.min_sample,
        city=figures_read(ranking.city),
        units=[
            RankedUnitRead(
                unit=unit_read(u.unit),
                figures=figures_read(u.figures),
                score=u.score,
                weight_covered=u.weight_covered,
                grade=u.grade,
                rank=u.rank,
                note=u.note,
            )
            for u in ranking.units
        ],
    )


@router.get("/equity", response_model=EquityRead, responses=ERRORS)
def get_equity(
    session: DbSession,
    settings: CurrentSettings,
    by: Literal["area", "channel"] = "area",
    month: Month = None,
    start: From = None,
    end: To = None,
    level: Level = None,
) -> EquityRead:
    """Time to resolution of each area (or channel) against the rest of the city."""
    period = service.period_of(session, settings, month=month, start=start, end=end)
    report = equity_service.equity(session, settings=settings, period=period, by=by, level=level)
    return EquityRead(
        period=period_read(period),
        by=report.by,
        level=report.level,
        city_resolved=report.city_resolved,
        city_median_hours=report.city_median_hours,
        city_p90_hours=report.city_p90_hours,
        alpha=report.alpha,
        min_sample=report.min_sample,
        test=TEST_NAME,
        groups=[GroupEquityRead(**{**asdict(g), "unit": unit_read(g.unit)}) for g in report.groups],
    )


@router.get("/trend", response_model=TrendRead, responses=ERRORS)
def get_trend(
    session: DbSession,
    settings: CurrentSettings,
    group: Group = "city",
    unit: Annotated[
        str, Query(max_length=64, pattern=NO_NUL, description="The unit's key (an id, a channel).")
    ] = "",
    month: Month = None,
    months: Annotated[int, Query(ge=1, le=service.MAX_TREND_MONTHS)] = 12,
) -> TrendRead:
    """One unit's figures month by month, ending with ``month``."""
    last = service.month_or_latest(session, settings, month)
    points = service.trend(
        session, settings=settings, last=last, months=months, dimension=group, unit=unit
    )
    return TrendRead(
        dimension=group,
        unit=unit,
        points=[
            TrendPointRead(month=m.strftime("%Y-%m"), figures=figures_read(f)) for m, f in points
        ],
    )


def _download(
    session: Session,
    settings: CurrentSettings,
    fmt: str,
    *,
    start: date | None,
    end: date | None,
    department: str | None,
    category: str | None,
    area: int | None,
    status: list[Status] | None,
    channel: Channel | None,
) -> StreamingResponse:
    filters = service.export_filter(
        session,
        settings,
        start=start,
        end=end,
        department=department,
        category=category,
        area_id=area,
        status=tuple(s.value for s in status or ()),
        channel=channel.value if channel else None,
    )
    export = CaseExport(session, settings=settings, filters=filters)
    chunks: Iterator[bytes] = export.stream(fmt)
    return StreamingResponse(
        chunks,
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="civicgrid-cases.{fmt}"'},
    )


def _download_route(fmt: str, summary: str) -> None:
    media = MEDIA_TYPES[fmt].split(";")[0]

    @open_data.get(
        f"/cases.{fmt}",
        response_class=StreamingResponse,
        responses={200: {"content": {media: {}}, "description": summary}, **ERRORS},
        summary=summary,
        name=f"open_data_cases_{fmt}",
    )
    def download(
        session: StreamSession,
        settings: CurrentSettings,
        start: From = None,
        end: To = None,
        department: Code = None,
        category: Code = None,
        area: AreaId = None,
        status: Annotated[list[Status] | None, Query()] = None,
        channel: Channel | None = None,
    ) -> StreamingResponse:
        """Every matching case as open data: no contact details, phone numbers and e-mail
        addresses scrubbed, sensitive places coarsened (docs/open-data.md)."""
        return _download(
            session,
            settings,
            fmt,
            start=start,
            end=end,
            department=department,
            category=category,
            area=area,
            status=status,
            channel=channel,
        )


_download_route("csv", "Cases as CSV")
_download_route("geojson", "Cases as a GeoJSON FeatureCollection")
_download_route("parquet", "Cases as Parquet")
