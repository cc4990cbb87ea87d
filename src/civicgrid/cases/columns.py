"""Cases as columns: one array or list per field, for writing a batch of thousands at once.

Instants are ``datetime64[us]`` arrays in UTC with NaT for "none"; ids are int64 arrays with
:data:`NO_ID` for "none"; text is a list of str (or None). An import builds these directly
from a file's columns, so no Python object is made per case.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from operator import itemgetter
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from civicgrid.cases.tracking import ALPHABET, LENGTH

Instants = npt.NDArray[np.datetime64]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

T = TypeVar("T")

NO_ID = -1
"""An id column's "none" (no area, no SLA policy)."""
NO_AREA = NO_ID
NAT = np.datetime64("NaT", "us")
_NAT_INT = int(np.iinfo(np.int64).min)
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

_KINDS = {
    "ints": ("category_id", "department_id", "area_id", "sla_policy_id"),
    "floats": ("lat", "lon"),
    "bools": ("first_response_warned", "first_response_breached", "resolution_warned",
              "resolution_breached"),
    "instants": ("created_at", "updated_at", "first_response_at", "resolved_at", "closed_at",
                 "first_response_due", "first_response_warn_at", "resolution_due",
                 "resolution_warn_at"),
}  # fmt: skip
_KIND_OF = {name: kind for kind, names in _KINDS.items() for name in names}


@dataclass
class EventColumns:
    """Timeline entries of a batch of cases; ``case`` is each entry's case's position.

    Entries are stored in the order given, which numbers them: a case's entries must come
    in the order they happened (those of different cases may interleave freely).
    """

    case: IntArray
    kind: list[str]
    created_at: Instants
    from_status: list[str | None]
    to_status: list[str | None]
    public: BoolArray
    body: list[str]
    actor: list[str]
    data: list[str]
    """JSON text."""

    def __len__(self) -> int:
        return len(self.case)

    def take(self, keep: IntArray, cases: int) -> EventColumns:
        """The entries of the cases at positions ``keep`` (of ``cases``), renumbered."""
        renumber = np.full(cases, -1, dtype=np.int64)
        renumber[keep] = np.arange(len(keep))
        new_case = renumber[self.case]
        rows = np.flatnonzero(new_case >= 0)
        return EventColumns(
            case=new_case[rows],
            kind=pick(self.kind, rows),
            created_at=self.created_at[rows],
            from_status=pick(self.from_status, rows),
            to_status=pick(self.to_status, rows),
            public=self.public[rows],
            body=pick(self.body, rows),
            actor=pick(self.actor, rows),
            data=pick(self.data, rows),
        )


@dataclass
class CaseColumns:
    """A batch of cases ready to store: placed, routed, with deadlines and timeline."""

    category_id: IntArray
    department_id: IntArray
    channel: list[str]
    created_at: Instants
    status: list[str]
    title: list[str]
    description: list[str]
    lat: FloatArray
    """NaN where the case has no point."""
    lon: FloatArray
    address: list[str]
    area_id: IntArray
    """The deepest containing area, or NO_AREA outside the grid."""
    level_ids: IntArray
    """(levels,) the grid levels of the columns of :attr:`areas`."""
    areas: IntArray
    """(cases, levels) the containing area of each level, or NO_AREA."""
    h3_cell: list[str | None]
    attributes: list[str]
    """JSON text."""
    source: list[str | None]
    external_id: list[str | None]
    first_response_at: Instants
    resolved_at: Instants
    closed_at: Instants
    sla_policy_id: IntArray
    first_response_due: Instants
    first_response_warn_at: Instants
    resolution_due: Instants
    resolution_warn_at: Instants
    first_response_warned: BoolArray
    first_response_breached: BoolArray
    resolution_warned: BoolArray
    resolution_breached: BoolArray
    updated_at: Instants
    events: EventColumns

    def __len__(self) -> int:
        return len(self.category_id)

    @classmethod
    def per_case_fields(cls) -> list[str]:
        """Fields with one entry per case."""
        return [f.name for f in fields(cls) if f.name not in ("level_ids", "events")]

    @staticmethod
    def kind(name: str) -> str:
        """ "ints", "floats", "bools", "instants" or "texts": how field ``name`` is held."""
        return _KIND_OF.get(name, "texts")

    def take(self, keep: IntArray) -> CaseColumns:
        """The cases at positions ``keep``, with their events."""
        values: dict[str, Any] = {}
        for name in self.per_case_fields():
            value = getattr(self, name)
            values[name] = value[keep] if isinstance(value, np.ndarray) else pick(value, keep)
        return CaseColumns(
            **values, level_ids=self.level_ids, events=self.events.take(keep, len(self))
        )


def pick(values: Sequence[T], positions: npt.NDArray[np.int64]) -> list[T]:
    """The items of a list at ``positions``, in that order."""
    found = positions.tolist()
    if not found:
        return []
    if len(found) == 1:
        return [values[found[0]]]
    return list(itemgetter(*found)(values))


def instants(values: Iterable[datetime | None]) -> Instants:
    """Aware datetimes (or None) as a UTC ``datetime64[us]`` array (NaT for None)."""
    one = timedelta(microseconds=1)
    micros = [_NAT_INT if v is None else (v - _EPOCH) // one for v in values]
    return np.array(micros, dtype=np.int64).view("datetime64[us]")


def to_datetimes(values: Instants) -> list[datetime | None]:
    """A ``datetime64[us]`` array as aware UTC datetimes (None for NaT)."""
    as_int: list[int] = values.astype("datetime64[us]").view(np.int64).tolist()
    missing = np.isnat(values).tolist()
    return [
        None if gone else _EPOCH + timedelta(microseconds=us)
        for us, gone in zip(as_int, missing, strict=True)
    ]


def new_tracking_codes(count: int) -> npt.NDArray[np.uint64]:
    """``count`` random 50-bit numbers, each the value of one tracking id."""
    picks = np.frombuffer(secrets.token_bytes(count * 8), dtype=np.uint64)
    return picks & np.uint64((1 << (5 * LENGTH)) - 1)


def tracking_ids(codes: npt.NDArray[np.uint64]) -> list[str]:
    """The tracking ids (format of :func:`civicgrid.cases.tracking.new_tracking_id`) of codes."""
    count = len(codes)
    shifts = np.arange(LENGTH - 1, -1, -1, dtype=np.uint64) * np.uint64(5)
    picks = (codes[:, None] >> shifts) & np.uint64(31)
    letters = np.frombuffer(ALPHABET.encode(), dtype=np.uint8)[picks.astype(np.intp)]
    dash = np.full((count, 1), ord("-"), dtype=np.uint8)
    grouped = np.ascontiguousarray(np.hstack([letters[:, :4], dash, letters[:, 4:]]))
    return [raw.decode() for raw in grouped.view(f"S{LENGTH + 1}").ravel().tolist()]


def new_tracking_ids(count: int) -> list[str]:
    """``count`` new random tracking ids, fast (not checked against stored ones)."""
    return tracking_ids(new_tracking_codes(count))
