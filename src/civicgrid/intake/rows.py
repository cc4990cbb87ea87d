"""Read one source row into typed values, or reject it with a reason a person can act on."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from civicgrid.intake.mapping import Mapping, Template, category_code

_EXTERNAL_ID_LENGTH = 64  # String length of Case.external_id
_PAREN_POINT = re.compile(r"^\(?\s*([-+0-9.eE]+)\s*[, ]\s*([-+0-9.eE]+)\s*\)?$")
_WKT_POINT = re.compile(r"^POINT\s*\(\s*([-+0-9.eE]+)\s+([-+0-9.eE]+)\s*\)$", re.IGNORECASE)
_DATE_CACHE_LIMIT = 200_000
_TEXT_CACHE_LIMIT = 100_000
OPEN = ("new", "acknowledged", "in_progress", "waiting", "reopened")
DONE = ("resolved", "closed")


class RowRejected(Exception):
    """The row cannot be imported; ``kind`` groups reasons, ``reason`` says what to fix."""

    def __init__(self, kind: str, reason: str) -> None:
        super().__init__(reason)
        self.kind, self.reason = kind, reason


@dataclass(slots=True)
class SourceRow:
    """One row read and checked: what the source says, in our types (UTC datetimes)."""

    values: list[str]
    external_id: str
    created: datetime
    status: str
    channel: str
    category_code: str
    category_name: str
    category_group: str
    closed: datetime | None
    updated: datetime | None
    lat: float | None
    lon: float | None
    department_code: str | None
    department_name: str
    title: str
    description: str
    address: str
    resolution: str
    attributes: dict[str, str]


class _Bound:
    """A template whose placeholders point at positions of the row (absent columns: empty)."""

    def __init__(self, template: Template, index: dict[str, int]) -> None:
        self.template = template
        self.positions = [index.get(name) for name in template.columns]
        # Exports repeat a few values (types, agencies, boroughs): fill each combination once.
        self.cache: dict[tuple[str, ...], str] = {}

    def render(self, values: Sequence[str]) -> str:
        key = tuple(values[i] if i is not None else "" for i in self.positions)
        found = self.cache.get(key)
        if found is None:
            found = self.template.fill(key)
            if len(self.cache) >= _TEXT_CACHE_LIMIT:
                self.cache.clear()
            self.cache[key] = found
        return found


class DateParser:
    """Local date-times in the mapping's formats (ISO 8601 is always accepted) to aware UTC."""

    def __init__(self, formats: Sequence[str], timezone: str) -> None:
        self.formats, self.zone = list(formats), ZoneInfo(timezone)
        self.cache: dict[str, datetime | None] = {}

    def parse(self, text: str) -> datetime | None:
        """The instant, or None when ``text`` matches no format."""
        if text in self.cache:
            return self.cache[text]
        found = self._parse(text.strip())
        if len(self.cache) >= _DATE_CACHE_LIMIT:
            self.cache.clear()
        self.cache[text] = found
        return found

    def _parse(self, text: str) -> datetime | None:
        # ISO 8601 cannot be misread in another format and fromisoformat is fast: try it first.
        if text[:4].isdigit() and text[4:5] == "-":
            try:
                return self._to_utc(datetime.fromisoformat(text))
            except ValueError:
                pass
        for i, fmt in enumerate(self.formats):
            try:
                value = datetime.strptime(text, fmt)  # noqa: DTZ007 (zone added below)
            except ValueError:
                continue
            if i:  # the format that matched is tried first next time
                self.formats.insert(0, self.formats.pop(i))
            return self._to_utc(value)
        try:
            return self._to_utc(datetime.fromisoformat(text))
        except ValueError:
            return None

    def _to_utc(self, value: datetime) -> datetime:
        if value.tzinfo is None:
            value = value.replace(tzinfo=self.zone)
        return value.astimezone(UTC)


class RowParser:
    """Checks and converts the rows of one file, whose header is given."""

    def __init__(self, mapping: Mapping, header: Sequence[str]) -> None:
        self.mapping, self.width = mapping, len(header)
        self.index = resolve_columns(mapping, header)
        self.dates = DateParser(mapping.datetime_formats, mapping.timezone)
        self.templates = {
            name: _Bound(getattr(mapping, name), self.index)
            for name in ("category_code", "category_name", "category_group", "title",
                         "description", "address")
        }  # fmt: skip
        self.attributes = [(a, self.index[a]) for a in mapping.attributes if a in self.index]
        # Few distinct categories and agencies, many rows: work each one out once.
        self.category_codes: dict[str, str] = {}
        self.department_codes: dict[str, str | None] = {}

    def column(self, values: Sequence[str], name: str | None) -> str:
        """The stripped value of the mapping's column ``name`` ("" when the file lacks it)."""
        position = self.index.get(name) if name else None
        return values[position].strip() if position is not None else ""

    def parse(self, values: list[str]) -> SourceRow:
        """The row in our types; raises RowRejected saying what is wrong with it."""
        if len(values) != self.width:
            raise RowRejected(
                "wrong number of fields",
                f"the row has {len(values)} fields but the header has {self.width}; "
                "check for an unquoted comma or a cut line",
            )
        m, render = self.mapping, self.templates
        external_id = self._external_id(values)
        code_text = render["category_code"].render(values)
        if not code_text:
            names = ", ".join(m.category_code.columns)
            raise RowRejected("missing category", f"no category: {names} is empty")
        created = self._date(values, m.created, required=True)
        assert created is not None
        status = self._status(values)
        closed, updated = self._date(values, m.closed), self._date(values, m.updated)
        closed = self._closing_time(status, created, closed, updated)
        lat, lon = self._coordinates(values)
        dept_value = self.column(values, m.department_column)
        if (code := self.category_codes.get(code_text)) is None:
            code = self.category_codes[code_text] = category_code(code_text)
        if dept_value not in self.department_codes:
            self.department_codes[dept_value] = m.department_code(dept_value)
        return SourceRow(
            values=values,
            external_id=external_id,
            created=created,
            status=status,
            channel=m.channel_values.get(self.column(values, m.channel_column), m.channel_default),
            category_code=code,
            category_name=render["category_name"].render(values)[:200] or code_text[:200],
            category_group=render["category_group"].render(values)[:200],
            closed=closed,
            updated=updated if updated is None or updated >= created else created,
            lat=lat,
            lon=lon,
            department_code=self.department_codes[dept_value],
            department_name=self.column(values, m.department_name_column),
            title=render["title"].render(values)[:200],
            description=render["description"].render(values),
            address=render["address"].render(values)[:300],
            resolution=self.column(values, m.resolution),
            attributes={a: values[i].strip() for a, i in self.attributes if values[i].strip()},
        )

    def _external_id(self, values: Sequence[str]) -> str:
        external_id = self.column(values, self.mapping.external_id)
        if not external_id:
            raise RowRejected(
                "missing id",
                f"{self.mapping.external_id} is empty; every row needs its own id "
                "so that importing the file again skips it",
            )
        if len(external_id) > _EXTERNAL_ID_LENGTH:
            raise RowRejected(
                "bad id",
                f"{self.mapping.external_id} is longer than {_EXTERNAL_ID_LENGTH} characters",
            )
        return external_id

    def _date(
        self, values: Sequence[str], name: str | None, *, required: bool = False
    ) -> datetime | None:
        text = self.column(values, name)
        if not text:
            if required:
                raise RowRejected(
                    "bad date", f"{name} is empty; every case needs its creation time"
                )
            return None
        found = self.dates.parse(text)
        if found is None:
            formats = ", ".join(self.mapping.datetime_formats) or "ISO 8601"
            raise RowRejected(
                "bad date",
                f"{name} {text!r} is not a date in any of the mapping's formats ({formats}); "
                "fix the value or add its format to datetime_formats",
            )
        return found

    def _status(self, values: Sequence[str]) -> str:
        m = self.mapping
        text = self.column(values, m.status_column)
        if not text:
            return "closed" if self.column(values, m.closed) else "new"
        status = m.status_values.get(text)
        if status is None:
            raise RowRejected(
                "unknown status",
                f"{m.status_column} {text!r} is not in the mapping's [status.values]; "
                f'add it, e.g. "{text}" = "in_progress"',
            )
        return status

    def _closing_time(
        self, status: str, created: datetime, closed: datetime | None, updated: datetime | None
    ) -> datetime | None:
        if status not in DONE:
            return None
        closed = closed or updated
        if closed is None:
            raise RowRejected(
                "missing closed date",
                f"the status says the case is {status} but {self.mapping.closed} is empty",
            )
        if closed < created:
            raise RowRejected(
                "closed before created",
                f"{self.mapping.closed} {closed:%Y-%m-%d %H:%M} UTC is before "
                f"{self.mapping.created} {created:%Y-%m-%d %H:%M} UTC; correct one of them",
            )
        return closed

    def _coordinates(self, values: Sequence[str]) -> tuple[float | None, float | None]:
        m = self.mapping
        lat_text, lon_text = self.column(values, m.latitude), self.column(values, m.longitude)
        if lat_text or lon_text:
            lat = _number(lat_text, m.latitude)
            lon = _number(lon_text, m.longitude)
        else:
            point = self.column(values, m.point)
            if not point:
                return None, None
            lat, lon = _point(point, m.point or "point")
        if lat is None or lon is None:
            which = m.longitude if lat is not None else m.latitude
            raise RowRejected(
                "bad coordinates", f"{which} is empty but the other coordinate is not"
            )
        if lat == 0 and lon == 0:  # a common placeholder for "no location", not a real place
            return None, None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            hint = " (they look swapped)" if -90 <= lon <= 90 and -180 <= lat <= 180 else ""
            raise RowRejected(
                "bad coordinates",
                f"coordinates ({lat}, {lon}) are out of range{hint}: latitude must lie within "
                "-90..90 and longitude within -180..180",
            )
        return lat, lon


def _number(text: str, name: str | None) -> float | None:
    if not text:
        return None
    try:
        value = float(text)
    except ValueError:
        raise RowRejected("bad coordinates", f"{name} {text!r} is not a number") from None
    if not math.isfinite(value):
        raise RowRejected("bad coordinates", f"{name} {text!r} is not a finite number")
    return value


def _point(text: str, name: str) -> tuple[float | None, float | None]:
    if match := _WKT_POINT.match(text):
        lon, lat = match.groups()
    elif match := _PAREN_POINT.match(text):
        lat, lon = match.groups()
    else:
        raise RowRejected(
            "bad coordinates", f'{name} {text!r} is neither "(lat, lon)" nor "POINT (lon lat)"'
        )
    return _number(lat, name), _number(lon, name)


def resolve_columns(mapping: Mapping, header: Sequence[str]) -> dict[str, int]:
    """Position of each column the mapping names; spelt as in the file or differing in case."""
    exact = {name: i for i, name in reversed(list(enumerate(header)))}
    folded = {name.casefold(): i for i, name in reversed(list(enumerate(header)))}
    index: dict[str, int] = {}
    for name in [*mapping.required_columns(), *mapping.optional_columns()]:
        position = exact.get(name, folded.get(name.casefold()))
        if position is not None:
            index[name] = position
    return index
