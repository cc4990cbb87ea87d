"""Eight hand-built case histories of June 2026, moved through the real workflow and sweep:
prompt, late, ignored, paused, reopened, fresh, duplicate and one in the south district."""

from __future__ import annotations

from dataclasses import dataclass
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from civicgrid.accountability.periods import month_period, parse_month
from civicgrid.cases.models import Case
from civicgrid.settings import Settings
from tests.accountability.conftest import SOUTH, at, file, move, rate, sweep

NY = ZoneInfo("America/New_York")
JUNE = month_period(parse_month("2026-06"), NY)


@dataclass
class History:
    prompt: Case
    late: Case
    ignored: Case
    paused: Case
    reopened: Case
    fresh: Case
    duplicate: Case
    south: Case


def build(session: Session, settings: Settings) -> History:
    """Eight cases filed in June 2026; see each step's comment."""
    h = History(
        prompt=file(session, settings),
        late=file(session, settings),
        ignored=file(session, settings),
        paused=file(session, settings),
        reopened=file(session, settings),
        fresh=file(session, settings, now=at(8, 16)),  # filed after the last sweep
        duplicate=file(session, settings, category="graffiti"),
        south=file(session, settings, point=SOUTH, channel="phone"),
    )
    for case in (h.prompt, h.paused, h.reopened):
        move(session, settings, case, "acknowledged", at(1, 15))  # 1 h: on time
    move(session, settings, h.duplicate, "closed", at(1, 16), reason="same as another case")
    move(session, settings, h.south, "acknowledged", at(2, 13))  # 23 h, just in time
    move(session, settings, h.paused, "waiting", at(2))  # clock stops Tuesday 10:00
    move(session, settings, h.reopened, "resolved", at(2))
    rate(session, settings, h.reopened, 1, at(2, 15))  # reopens with a fresh deadline
    sweep(session, settings, at(2, 15))  # late and ignored miss the first response
    move(session, settings, h.prompt, "resolved", at(3))
    rate(session, settings, h.prompt, 5, at(3, 15))
    move(session, settings, h.late, "acknowledged", at(3))  # 48 h: late
    move(session, settings, h.south, "resolved", at(4))
    move(session, settings, h.reopened, "resolved", at(5))  # within the fresh deadline
    sweep(session, settings, at(8, 15))  # late and ignored miss resolution; paused is skipped
    move(session, settings, h.paused, "in_progress", at(9))  # 40 working hours paused
    move(session, settings, h.late, "resolved", at(9))
    rate(session, settings, h.late, 4, at(9, 15))
    move(session, settings, h.paused, "resolved", at(12))  # late without the pause, not with
    session.flush()
    return h
