"""Reading the query parameters of the Open311 routes into checked values (else a 400)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime

from starlette.datastructures import QueryParams

from civicgrid.open311.formats import Open311Error
from civicgrid.open311.service import MAX_RESULTS, RequestQuery, window
from civicgrid.settings import Settings

MAX_IDS = 1000
MAX_PAGE = 1_000_000
EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


def check_jurisdiction(params: Mapping[str, Sequence[str]], settings: Settings) -> None:
    """Refuse a jurisdiction_id other than this city's (404); empty counts as absent."""
    given = next((v.strip() for v in params.get("jurisdiction_id", ()) if v.strip()), None)
    if given is not None and given != settings.open311_jurisdiction_id:
        raise Open311Error(
            404,
            f"jurisdiction_id {given!r} not found; this endpoint serves "
            f"{settings.open311_jurisdiction_id!r}",
        )


def reject_nul(params: Mapping[str, Sequence[str]]) -> None:
    """Refuse NUL characters, which no database text column can hold (400)."""
    for key, values in params.items():
        if "\x00" in key or any("\x00" in v for v in values):
            raise Open311Error(400, "parameters may not contain NUL characters")


def parse_w3c(value: str, name: str) -> datetime:
    """A W3C date-time that names its zone (Z or an offset), as the spec requires, in UTC
    (the instants just past datetime's range, year 1 or 9999 shifted by an offset, are clamped)."""
    try:
        parsed = datetime.fromisoformat(value.replace("z", "Z"))
    except ValueError:
        raise Open311Error(
            400, f"{name} must be a date-time such as 2026-06-01T00:00:00Z; got {value!r}"
        ) from None
    if parsed.tzinfo is None:
        raise Open311Error(400, f"{name} needs a time zone, e.g. 2026-06-01T00:00:00Z")
    try:
        return parsed.astimezone(UTC)
    except OverflowError:
        return EARLIEST if parsed.year == 1 else LATEST


def _list(query: QueryParams, name: str) -> list[str]:
    """Every value of ``name``, given repeated or comma-separated."""
    return [
        part.strip() for value in query.getlist(name) for part in value.split(",") if part.strip()
    ]


def _one(query: QueryParams, name: str) -> str | None:
    return next((v.strip() for v in query.getlist(name) if v.strip()), None)


def _int(query: QueryParams, name: str, *, default: int, high: int) -> int:
    raw = _one(query, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise Open311Error(400, f"{name} must be a whole number; got {raw!r}") from None
    if not 1 <= value <= high:
        raise Open311Error(400, f"{name} must be from 1 to {high}; got {value}")
    return value


def _date(query: QueryParams, name: str) -> datetime | None:
    raw = _one(query, name)
    return None if raw is None else parse_w3c(raw, name)


def request_query(query: QueryParams) -> RequestQuery:
    """The filters of GET requests."""
    ids = _list(query, "service_request_id")
    if len(ids) > MAX_IDS:
        raise Open311Error(400, f"ask for at most {MAX_IDS} service_request_ids at once")
    statuses = _list(query, "status")
    bad = sorted(set(statuses) - {"open", "closed"})
    if bad:
        raise Open311Error(400, f"status may be open or closed; got {', '.join(bad)}")
    return RequestQuery(
        ids=ids,
        service_codes=_list(query, "service_code"),
        statuses=statuses,
        start=_date(query, "start_date"),
        end=_date(query, "end_date"),
        page=_int(query, "page", default=1, high=MAX_PAGE),
        page_size=_int(query, "page_size", default=MAX_RESULTS, high=MAX_RESULTS),
    )


def update_window(query: QueryParams, *, now: datetime) -> tuple[datetime, datetime, int, int]:
    """The window and page of GET servicerequestupdates."""
    start, end = window(_date(query, "start_date"), _date(query, "end_date"), now=now)
    page = _int(query, "page", default=1, high=MAX_PAGE)
    return start, end, page, _int(query, "page_size", default=MAX_RESULTS, high=MAX_RESULTS)
