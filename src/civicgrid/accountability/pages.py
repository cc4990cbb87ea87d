"""The public performance dashboard (``/performance``): the month's rankings of departments
and areas, the city's trends drawn with Chart.js, a choropleth of the rates by area on
Leaflet, the equity view (loaded by htmx) and the open-data downloads. Anyone may open it."""

from __future__ import annotations

import json
from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

import shapely
from fastapi import Query, Request
from starlette.responses import HTMLResponse, JSONResponse

from civicgrid.accountability import equity as equity_service
from civicgrid.accountability import rankings, service
from civicgrid.accountability.metrics import RATES, Figures
from civicgrid.accountability.periods import Period, month_period
from civicgrid.accountability.units import default_level
from civicgrid.deps import CurrentSettings, DbSession
from civicgrid.grid import service as grid
from civicgrid.schemas import NO_NUL
from civicgrid.settings import Settings
from civicgrid.web.i18n import N_
from civicgrid.web.routing import page_router
from civicgrid.web.templating import render

router = page_router(tags=["pages"])
TREND_MONTHS = 12
SIMPLIFY_DEGREES = 0.0002  # about 20 m: invisible at city zoom, a fraction of the bytes
RATE_LABELS = {
    "response": N_("Response rate"),
    "resolution": N_("Resolution rate"),
    "on_time": N_("On-time rate"),
    "satisfaction": N_("Satisfaction rate"),
    "reopen": N_("Reopen rate"),
}
RATE_HELP = {
    "response": N_("First response within its deadline, of cases whose deadline is due."),
    "resolution": N_("Resolved, of cases whose resolution deadline is due."),
    "on_time": N_("Resolved within the deadline, of cases whose resolution deadline is due."),
    "satisfaction": N_("Rated 4 or 5, of rated cases."),
    "reopen": N_("Reopened, of cases resolved or closed (lower is better)."),
}
VERDICTS = {
    "slower": N_("Served slower"),
    "faster": N_("Served faster"),
    "no_evidence": N_("No evidence of a difference"),
    "too_few": N_("Too few cases to test"),
}
# The equity test reads every case of the month: browsers and proxies may keep the answer
# for a few minutes, the interval at which the monthly figures are refreshed anyway.
CACHED = {"Cache-Control": "public, max-age=300"}
FORMATS = (("csv", "CSV"), ("geojson", "GeoJSON"), ("parquet", "Parquet"))
# A form's empty field arrives as an empty string: allowed, and read as "not chosen".
MonthQ = Annotated[str | None, Query(pattern=r"^([0-9]{4}-[0-9]{2})?$", max_length=7)]
LevelQ = Annotated[str | None, Query(max_length=64, pattern=NO_NUL)]


def _level_name(session: DbSession, level: str | None) -> str | None:
    if level:
        return level
    found = default_level(session)
    return found.name if found else None


def _downloads(period: Period, settings: Settings) -> dict[str, list[tuple[str, str]]]:
    """Download links for the month shown and for every case."""
    zone = service.zone_of(settings)
    first = period.start.astimezone(zone).date()
    last = date.fromordinal(period.end.astimezone(zone).date().toordinal() - 1)
    month = urlencode({"from": first.isoformat(), "to": last.isoformat()})
    return {
        "month": [(f"/api/v1/open-data/cases.{fmt}?{month}", name) for fmt, name in FORMATS],
        "all": [(f"/api/v1/open-data/cases.{fmt}", name) for fmt, name in FORMATS],
    }


def _trend_data(points: list[tuple[date, Figures]]) -> dict[str, Any]:
    """The city's monthly rates (in percent) and case counts, as Chart.js reads them."""
    series: dict[str, list[float | None]] = {name: [] for name in RATES}
    for _, figures in points:
        for name, rate in figures.rates().items():
            series[name].append(None if rate.value is None else round(rate.value * 100, 1))
    return {
        "labels": [month.strftime("%Y-%m") for month, _ in points],
        "series": series,
        "cases": [figures.cases for _, figures in points],
    }


@router.get("/performance", response_class=HTMLResponse)
def dashboard(
    request: Request,
    session: DbSession,
    settings: CurrentSettings,
    month: MonthQ = None,
    level: LevelQ = None,
) -> HTMLResponse:
    """The month's performance of every department and area, for anyone to read."""
    chosen = service.month_or_latest(session, settings, month or None)
    level_name = _level_name(session, level)
    departments = rankings.monthly_ranking(session, settings=settings, month=chosen)
    areas = None
    if level_name is not None:
        areas = rankings.monthly_ranking(
            session, settings=settings, month=chosen, dimension="area", level=level_name
        )
    points = service.trend(session, settings=settings, last=chosen, months=TREND_MONTHS)
    query = urlencode({"month": chosen.strftime("%Y-%m"), "level": level_name or ""})
    context = {
        "month": chosen.strftime("%Y-%m"),
        "level": level_name,
        "levels": [lvl.name for lvl in grid.list_levels(session)],
        "departments": departments,
        "areas": areas,
        "city": departments.city,
        "rate_names": RATES,
        "rate_labels": RATE_LABELS,
        "rate_help": RATE_HELP,
        "trend_json": json.dumps(_trend_data(points)),
        "query": query,
        "downloads": _downloads(month_period(chosen, service.zone_of(settings)), settings),
    }
    return render(request, "accountability/dashboard.html", context)


@router.get("/performance/equity", response_class=HTMLResponse)
def equity_part(
    request: Request,
    session: DbSession,
    settings: CurrentSettings,
    month: MonthQ = None,
    level: LevelQ = None,
) -> HTMLResponse:
    """The equity view of the month (by area of one level, and by channel), as a fragment."""
    chosen = service.month_or_latest(session, settings, month or None)
    period = month_period(chosen, service.zone_of(settings))
    level_name = _level_name(session, level)
    by_area = None
    if level_name is not None:
        by_area = equity_service.equity(session, settings=settings, period=period, level=level_name)
    by_channel = equity_service.equity(session, settings=settings, period=period, by="channel")
    context = {"by_area": by_area, "by_channel": by_channel, "verdicts": VERDICTS}
    return render(request, "accountability/_equity.html", context, headers=CACHED)


@router.get("/performance/areas.geojson")
def area_map(
    session: DbSession,
    settings: CurrentSettings,
    month: MonthQ = None,
    level: LevelQ = None,
) -> JSONResponse:
    """The areas of one level with their month's rates and grade, for the choropleth."""
    chosen = service.month_or_latest(session, settings, month or None)
    level_name = _level_name(session, level)
    features: list[dict[str, Any]] = []
    if level_name is not None:
        ranking = rankings.monthly_ranking(
            session, settings=settings, month=chosen, dimension="area", level=level_name
        )
        shapes = {str(a.id): a for a in grid.list_areas(session, level=level_name)}
        for unit in ranking.units:
            area = shapes[unit.unit.key]
            geometry = shapely.from_geojson(area.geometry).simplify(SIMPLIFY_DEGREES)
            rates = {name: rate.value for name, rate in unit.rates.items()}
            properties = {
                "id": area.id,
                "code": area.code,
                "name": area.name,
                "cases": unit.figures.cases,
                "grade": unit.grade,
                "rates": rates,
                "n": {name: rate.n for name, rate in unit.rates.items()},
            }
            features.append(
                {
                    "type": "Feature",
                    "geometry": json.loads(shapely.to_geojson(geometry)),
                    "properties": properties,
                }
            )
    return JSONResponse({"type": "FeatureCollection", "features": features}, headers=CACHED)
