"""Case lists for the web pages: a queue by urgency, cases near a point, similar open cases,
and the deadline state each case is drawn in."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, and_, func, or_, select
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from civicgrid.cases.models import Case
from civicgrid.cases.workflow import OPEN_STATES
from civicgrid.catalog.models import Category

DEADLINE_STATES = ("breached", "due_soon", "on_time", "none", "done")
EARTH_RADIUS_M = 6_371_000


def deadline_state(case: Case, now: datetime) -> str:
    """breached, due_soon, on_time, none (no deadline) or done (resolved or closed)."""
    if case.status not in OPEN_STATES:
        return "done"
    if case.resolution_due is None and case.first_response_due is None:
        return "none"
    if case.resolution_breached or case.first_response_breached:
        return "breached"
    if case.resolution_due is not None and case.resolution_due <= now:
        return "breached"
    warn = case.resolution_warn_at
    if case.resolution_warned or case.first_response_warned or (warn is not None and warn <= now):
        return "due_soon"
    return "on_time"


def _urgency(now: datetime) -> Any:
    return when(
        (
            or_(
                Case.resolution_breached,
                Case.first_response_breached,
                Case.resolution_due <= now,
            ),
            0,
        ),
        (
            or_(
                Case.resolution_warned,
                Case.first_response_warned,
                Case.resolution_warn_at <= now,
            ),
            1,
        ),
        else_=2,
    )


@dataclass(frozen=True)
class QueueFilter:
    """What a staff list shows: open cases by default."""

    status: str = "open"
    category: str = ""
    deadline: str = ""
    text: str = ""


def filtered(query: Select[Case], f: QueueFilter, now: datetime) -> Select[Case]:
    """``query`` narrowed by the list's filters."""
    if f.status == "open":
        query = query.where(Case.status.in_(OPEN_STATES))
    elif f.status and f.status != "all":
        query = query.where(Case.status == f.status)
    if f.category:
        query = query.where(
            Case.category_id.in_(select(Category.id).where(Category.code == f.category))
        )
    if f.deadline in ("breached", "due_soon", "on_time"):
        level = {"breached": 0, "due_soon": 1, "on_time": 2}[f.deadline]
        query = query.where(
            and_(
                _urgency(now) == level,
                Case.status.in_(OPEN_STATES),
                Case.resolution_due.is_not(None),
            )
        )
    if f.text.strip():
        like = f"%{f.text.strip()}%"
        query = query.where(
            or_(
                Case.tracking_id.ilike(like),
                Case.description.ilike(like),
                Case.title.ilike(like),
                Case.address.ilike(like),
            )
        )
    return query


def by_urgency(
    session: Session,
    query: Select[Case],
    *,
    now: datetime,
    escalations_first: bool = False,
    page: int = 1,
    page_size: int = 50,
) -> tuple[list[Case], int]:
    """One page of ``query``: overdue first, then nearly due, then by due time; and the total."""
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    order: list[Any] = [Case.escalation_level.desc()] if escalations_first else []
    order += [_urgency(now), Case.resolution_due.is_(None), Case.resolution_due, Case.id]
    rows = session.scalars(
        query.order_by(*order).offset((page - 1) * page_size).limit(page_size)
    ).all()
    return list(rows), int(total)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def nearby_open(
    session: Session,
    *,
    category_id: int,
    lat: float,
    lon: float,
    radius_m: float = 250,
    limit: int = 5,
) -> list[tuple[Case, float]]:
    """Open cases of the category within ``radius_m`` of the point, nearest first."""
    dlat = radius_m / 111_320
    dlon = radius_m / max(111_320 * math.cos(math.radians(lat)), 1.0)
    rows = session.scalars(
        select(Case).where(
            Case.category_id == category_id,
            Case.status.in_(OPEN_STATES),
            Case.lat.between(lat - dlat, lat + dlat),
            Case.lon.between(lon - dlon, lon + dlon),
        )
    ).all()
    found = [
        (c, distance_m(lat, lon, c.lat, c.lon))
        for c in rows
        if c.lat is not None and c.lon is not None
    ]
    return sorted((p for p in found if p[1] <= radius_m), key=lambda p: p[1])[:limit]


_WORD = re.compile(r"[a-z0-9]+|[\u4e00-\u9fff]+")
_STOP = frozenset(
    {"the", "a", "an", "is", "on", "in", "at", "of", "and", "to", "there", "it", "my"}
)


def tokens(text: str) -> set[str]:
    """Words of Latin text and character pairs of Chinese text, for a rough likeness."""
    found: set[str] = set()
    for chunk in _WORD.findall(text.lower()):
        if "\u4e00" <= chunk[0] <= "\u9fff":
            found |= {chunk[i : i + 2] for i in range(max(len(chunk) - 1, 1))}
        elif chunk not in _STOP and len(chunk) > 1:
            found.add(chunk)
    return found


def similar_open(
    session: Session,
    *,
    text: str,
    category_id: int | None,
    now: datetime,
    days: int = 60,
    limit: int = 5,
    candidates: int = 500,
) -> list[tuple[Case, float]]:
    """Open cases from the last ``days`` whose text is most like ``text`` (a suggestion only)."""
    wanted = tokens(text)
    if not wanted:
        return []
    query = select(Case).where(
        Case.status.in_(OPEN_STATES), Case.created_at >= now - timedelta(days=days)
    )
    if category_id is not None:
        query = query.where(Case.category_id == category_id)
    rows = session.scalars(query.order_by(Case.created_at.desc()).limit(candidates)).all()
    scored = []
    for c in rows:
        theirs = tokens(f"{c.title} {c.description} {c.address}")
        score = len(wanted & theirs) / len(wanted | theirs) if theirs else 0.0
        if score >= 0.1:
            scored.append((c, score))
    return sorted(scored, key=lambda p: -p[1])[:limit]


def feature_collection(
    cases: Sequence[Case], *, now: datetime, url: str, labels: dict[int, str]
) -> dict[str, Any]:
    """Cases with a point as GeoJSON features for the maps (``url`` has a {tracking_id} slot)."""
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [c.lon, c.lat]},
                "properties": {
                    "label": f"{c.tracking_id} · {labels.get(c.category_id, '')}",
                    "state": deadline_state(c, now),
                    "status": c.status,
                    "url": url.format(tracking_id=c.tracking_id),
                },
            }
            for c in cases
            if c.lat is not None and c.lon is not None
        ],
    }


def category_names(session: Session) -> dict[int, str]:
    """Category names by id."""
    return dict(session.execute(select(Category.id, Category.name)).all())
