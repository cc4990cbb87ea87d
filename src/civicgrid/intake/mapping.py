"""Mapping files: how the columns of one city's export become civicgrid cases (TOML).

docs/import.md describes every key. A mapping is checked when loaded and again against a
file's header, so a wrong column name is reported before any row is read.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
import unicodedata
from collections.abc import Mapping as MappingType
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from civicgrid.errors import Invalid

STATUSES = ("new", "acknowledged", "in_progress", "waiting", "resolved", "closed", "reopened")
CHANNELS = ("web", "api", "phone", "import", "sensor")
BUNDLED = ("sf311", "nyc311", "la311")
_PLACEHOLDER = re.compile(r"\{([^{}]+)\}")
_KEYS = {
    "": {"source", "timezone", "datetime_formats", "columns", "text", "category", "department",
         "status", "channel"},
    "columns": {"external_id", "created", "closed", "updated", "latitude", "longitude", "point",
                "resolution"},
    "text": {"title", "description", "address", "attributes"},
    "category": {"code", "name", "group"},
    "department": {"column", "name_column", "pattern", "codes", "names", "authoritative"},
    "status": {"column", "values"},
    "channel": {"column", "values", "default"},
}  # fmt: skip
_CODE_LENGTH = 64  # String length of Category.code and Department.code


@dataclass(frozen=True)
class Template:
    """Text with ``{column}`` placeholders; empty columns leave no stray separators."""

    text: str
    columns: tuple[str, ...] = field(init=False)
    """The columns the template reads, in order."""
    literals: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # split() alternates literal text and placeholder names: literal, name, literal, ...
        pieces = _PLACEHOLDER.split(self.text)
        object.__setattr__(self, "columns", tuple(pieces[1::2]))
        object.__setattr__(self, "literals", tuple(pieces[0::2]))

    def render(self, row: MappingType[str, str]) -> str:
        """The template filled from ``row``; blank when every column it names is empty."""
        return self.fill([row.get(name, "") for name in self.columns])

    def fill(self, values: Sequence[str]) -> str:
        """The template filled with ``values``, one per column in :attr:`columns` order."""
        stripped = [value.strip() for value in values]
        if self.columns and not any(stripped):
            return ""
        parts = [self.literals[0]]
        for value, literal in zip(stripped, self.literals[1:], strict=True):
            parts += (value, literal)
        filled = "".join(parts)
        return filled.strip() if all(stripped) else _tidy(filled)


def _tidy(filled: str) -> str:
    # "(): ," and the like are what empty columns leave behind between literal separators.
    filled = re.sub(r"\(\s*\)|\[\s*\]", "", filled)
    filled = re.sub(r"\s+([,.;:])", r"\1", filled)
    filled = re.sub(r"([,;:])(?:\s*[,;:])+", r"\1", filled)
    return re.sub(r"\s{2,}", " ", filled).strip(" ,;:-|/")


@dataclass(frozen=True)
class Mapping:
    """One source's export format: where each piece of a case is found, and what it means."""

    source: str
    timezone: str
    datetime_formats: tuple[str, ...]
    external_id: str
    created: str
    category_code: Template
    category_name: Template
    category_group: Template
    closed: str | None = None
    updated: str | None = None
    latitude: str | None = None
    longitude: str | None = None
    point: str | None = None
    resolution: str | None = None
    title: Template = Template("")
    description: Template = Template("")
    address: Template = Template("")
    attributes: tuple[str, ...] = ()
    department_column: str | None = None
    department_name_column: str | None = None
    department_pattern: re.Pattern[str] | None = None
    department_codes: dict[str, str] = field(default_factory=dict)
    department_names: dict[str, str] = field(default_factory=dict)
    department_authoritative: bool = True
    status_column: str | None = None
    status_values: dict[str, str] = field(default_factory=dict)
    channel_column: str | None = None
    channel_values: dict[str, str] = field(default_factory=dict)
    channel_default: str = "import"

    def required_columns(self) -> list[str]:
        """Columns every file must have: without them no row could be imported."""
        required = [self.external_id, self.created]
        required += [c for c in self.category_code.columns if c not in required]
        return required

    def optional_columns(self) -> list[str]:
        """Every other column the mapping reads; a file may lack some (e.g. a short export)."""
        named = [
            self.closed, self.updated, self.latitude, self.longitude, self.point,
            self.resolution, self.department_column, self.department_name_column,
            self.status_column, self.channel_column, *self.attributes,
        ]  # fmt: skip
        for template in (self.category_name, self.category_group, self.title,
                         self.description, self.address):  # fmt: skip
            named.extend(template.columns)
        required = set(self.required_columns())
        return list(dict.fromkeys(c for c in named if c and c not in required))

    def department_code(self, value: str) -> str | None:
        """Our department code for the source's agency value, or None when blank."""
        value = value.strip()
        if not value:
            return None
        if value in self.department_codes:
            return self.department_codes[value]
        if self.department_pattern is not None:
            match = self.department_pattern.search(value)
            if match:
                value = (match.group(1) if match.groups() else match.group(0)).strip()
        return self.department_codes.get(value, value)[:_CODE_LENGTH]


def slug(value: str) -> str:
    """Lower-case ASCII words joined by dashes: "Noise - Residential" -> "noise-residential"."""
    ascii_text = unicodedata.normalize("NFKD", value).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def category_code(value: str) -> str:
    """The category code for a rendered category key; long ones keep a hash to stay unique."""
    code = slug(value) or "uncategorised"
    if len(code) <= _CODE_LENGTH:
        return code
    digest = hashlib.sha1(value.encode(), usedforsecurity=False).hexdigest()[:8]
    return f"{code[: _CODE_LENGTH - 9].rstrip('-')}-{digest}"


def load_mapping(name_or_path: str | Path) -> Mapping:
    """A bundled mapping by name (sf311, nyc311, la311) or a mapping file by path."""
    if str(name_or_path) in BUNDLED:
        text = resources.files("civicgrid.intake").joinpath(f"mappings/{name_or_path}.toml")
        return parse_mapping(text.read_text(encoding="utf-8"), origin=f"bundled {name_or_path}")
    path = Path(name_or_path)
    if not path.is_file():
        raise Invalid(
            f"mapping {str(name_or_path)!r} is neither a file nor a bundled mapping "
            f"({', '.join(BUNDLED)})",
            field="mapping",
        )
    return parse_mapping(path.read_text(encoding="utf-8"), origin=str(path))


def parse_mapping(text: str, *, origin: str = "mapping") -> Mapping:
    """Check and read a mapping from TOML text; errors name the key to fix."""
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise Invalid(f"{origin}: not valid TOML: {exc}", field="mapping") from exc
    reader = _Reader(raw, origin)
    return reader.mapping()


class _Reader:
    """Reads one TOML document into a Mapping, raising Invalid with the key at fault."""

    def __init__(self, raw: dict[str, Any], origin: str) -> None:
        self.raw, self.origin = raw, origin

    def fail(self, key: str, problem: str) -> Invalid:
        return Invalid(f"{self.origin}: {key}: {problem}", field="mapping")

    def section(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name, {})
        if not isinstance(value, dict):
            raise self.fail(name, "must be a table ([section])")
        self.known_keys(value, name)
        return value

    def known_keys(self, table: dict[str, Any], where: str) -> None:
        # A misspelt key would otherwise be ignored and its column silently not imported.
        unknown = sorted(set(table) - _KEYS[where])
        if unknown:
            raise self.fail(
                where or "top level",
                f"unknown key {unknown[0]!r}; the keys are: {', '.join(sorted(_KEYS[where]))}",
            )

    def text(
        self, table: dict[str, Any], key: str, where: str, *, required: bool = False
    ) -> str | None:
        value = table.get(key)
        if value is None and required:
            raise self.fail(f"{where}.{key}", "is required")
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise self.fail(f"{where}.{key}", "must be a non-empty string")
        return value

    def table_of_text(self, table: dict[str, Any], key: str, where: str) -> dict[str, str]:
        value = table.get(key, {})
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise self.fail(f"{where}.{key}", 'must be a table of strings ("from" = "to")')
        return {str(k): v for k, v in value.items()}

    def mapping(self) -> Mapping:
        self.known_keys(self.raw, "")
        top, columns = self.raw, self.section("columns")
        source = self.text(top, "source", "source", required=True) or ""
        timezone = self.text(top, "timezone", "timezone", required=True) or ""
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise self.fail("timezone", f"{timezone!r} is not an IANA time zone") from exc
        formats = top.get("datetime_formats", [])
        if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
            raise self.fail("datetime_formats", 'must be a list such as ["%m/%d/%Y %I:%M:%S %p"]')
        col = {k: self.text(columns, k, "columns") for k in (
            "external_id", "created", "closed", "updated", "latitude", "longitude", "point",
            "resolution")}  # fmt: skip
        for key in ("external_id", "created"):
            if col[key] is None:
                raise self.fail(f"columns.{key}", "is required")
        if (col["latitude"] is None) != (col["longitude"] is None):
            raise self.fail("columns.latitude", "latitude and longitude go together")
        return Mapping(
            source=source,
            timezone=timezone,
            datetime_formats=tuple(formats),
            external_id=col["external_id"] or "",
            created=col["created"] or "",
            closed=col["closed"],
            updated=col["updated"],
            latitude=col["latitude"],
            longitude=col["longitude"],
            point=col["point"],
            resolution=col["resolution"],
            **self._category(),
            **self._text_fields(),
            **self._department(),
            **self._status(),
            **self._channel(),
        )

    def _category(self) -> dict[str, Any]:
        table = self.section("category")
        code = self.text(table, "code", "category", required=True) or ""
        if not _PLACEHOLDER.search(code):
            raise self.fail("category.code", 'must name at least one column, e.g. "{Category}"')
        name = self.text(table, "name", "category") or code
        group = self.text(table, "group", "category") or ""
        return {
            "category_code": Template(code),
            "category_name": Template(name),
            "category_group": Template(group),
        }

    def _text_fields(self) -> dict[str, Any]:
        table = self.section("text")
        attributes = table.get("attributes", [])
        if not isinstance(attributes, list) or not all(isinstance(a, str) for a in attributes):
            raise self.fail("text.attributes", "must be a list of column names")
        return {
            "title": Template(self.text(table, "title", "text") or ""),
            "description": Template(self.text(table, "description", "text") or ""),
            "address": Template(self.text(table, "address", "text") or ""),
            "attributes": tuple(attributes),
        }

    def _department(self) -> dict[str, Any]:
        table = self.section("department")
        pattern = self.text(table, "pattern", "department")
        try:
            compiled = re.compile(pattern) if pattern else None
        except re.error as exc:
            raise self.fail("department.pattern", f"not a regular expression: {exc}") from exc
        authoritative = table.get("authoritative", True)
        if not isinstance(authoritative, bool):
            raise self.fail("department.authoritative", "must be true or false")
        return {
            "department_column": self.text(table, "column", "department"),
            "department_name_column": self.text(table, "name_column", "department"),
            "department_pattern": compiled,
            "department_codes": self.table_of_text(table, "codes", "department"),
            "department_names": self.table_of_text(table, "names", "department"),
            "department_authoritative": authoritative,
        }

    def _status(self) -> dict[str, Any]:
        table = self.section("status")
        values = self.table_of_text(table, "values", "status")
        bad = sorted({v for v in values.values() if v not in STATUSES})
        if bad:
            raise self.fail("status.values", f"{bad} are not statuses; use {', '.join(STATUSES)}")
        column = self.text(table, "column", "status")
        if column and not values:
            raise self.fail("status.values", "map each status of the file to one of ours")
        return {"status_column": column, "status_values": values}

    def _channel(self) -> dict[str, Any]:
        table = self.section("channel")
        values = self.table_of_text(table, "values", "channel")
        default = self.text(table, "default", "channel") or "import"
        bad = sorted({v for v in [*values.values(), default] if v not in CHANNELS})
        if bad:
            raise self.fail("channel", f"{bad} are not channels; use {', '.join(CHANNELS)}")
        return {
            "channel_column": self.text(table, "column", "channel"),
            "channel_values": values,
            "channel_default": default,
        }
