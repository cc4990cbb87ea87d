"""The deadline sweep: warn before a deadline, mark it breached after, and escalate the case to
the supervisor of the next area up the grid. Idempotent: a second run changes nothing more.

Services never commit: the job runner or the CLI command owns the transaction.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Select, and_, or_, select, true
from sqlalchemy.orm import Session, aliased

from civicgrid.accounts.models import User
from civicgrid.cases.models import Case, CaseEvent
from civicgrid.db import utcnow
from civicgrid.grid.models import Area
from civicgrid.settings import Settings
from civicgrid.sla.service import ACTOR, CLOCKS, CLOSED_STATUSES, SWEEP_BATCH, Clock


@dataclass
class SweepReport:
    """What one sweep did: warnings raised, deadlines breached, cases escalated."""

    warned: int = 0
    breached: int = 0
    escalated: int = 0

    def __str__(self) -> str:
        return f"{self.warned} warned, {self.breached} breached, {self.escalated} escalated"


@dataclass(frozen=True)
class _Target:
    """The area a case escalates to, with the supervisor answerable for it."""

    area_id: int
    area_name: str
    supervisor_id: int | None
    supervisor: str | None


def _due_cases(now: datetime) -> Select[Case]:
    """Open, running cases with a warning or deadline at or before ``now`` not yet acted on."""
    conditions = []
    for clock in CLOCKS:
        running = Case.first_response_at.is_(None) if clock.name == "first_response" else true()
        not_breached = getattr(Case, clock.col("breached")).is_(False)
        not_warned = getattr(Case, clock.col("warned")).is_(False)
        due, warn_at = getattr(Case, clock.col("due")), getattr(Case, clock.col("warn_at"))
        conditions.append(and_(running, not_breached, due <= now))
        conditions.append(and_(running, not_breached, not_warned, warn_at <= now))
    return select(Case).where(
        Case.status.not_in(CLOSED_STATUSES), Case.paused_since.is_(None), or_(*conditions)
    )


def sweep_sla_deadlines(
    session: Session,
    settings: Settings,
    *,
    now: datetime | None = None,
    batch_size: int = SWEEP_BATCH,
) -> SweepReport:
    """Warn, mark breaches and escalate every case whose time has come; safe to run again."""
    sweep = _Sweep(session, now=now or utcnow(), zone=ZoneInfo(settings.timezone))
    last_id = 0
    while True:
        query = _due_cases(sweep.now).where(Case.id > last_id).order_by(Case.id)
        # Separate workers may sweep at once: each takes the rows the others have not locked.
        query = query.limit(batch_size).with_for_update(skip_locked=True)
        batch = session.scalars(query).all()
        for case in batch:
            sweep.case(case)
        session.flush()
        if len(batch) < batch_size:
            return sweep.report
        last_id = batch[-1].id


@dataclass
class _Sweep:
    """One sweep: its instant, the city's zone, the counts, each area's parent as looked up."""

    session: Session
    now: datetime
    zone: ZoneInfo
    report: SweepReport = field(default_factory=SweepReport)
    parents: dict[int, _Target | None] = field(default_factory=dict)

    def case(self, case: Case) -> None:
        """Act on each clock of ``case`` whose warning or deadline has come."""
        for clock in CLOCKS:
            if not clock.running(case) or getattr(case, clock.col("breached")):
                continue
            due: datetime | None = getattr(case, clock.col("due"))
            warn_at: datetime | None = getattr(case, clock.col("warn_at"))
            warned: bool = getattr(case, clock.col("warned"))
            if due is not None and due <= self.now:
                self._breach(case, clock, due)
            elif due is not None and warn_at is not None and warn_at <= self.now and not warned:
                self._warn(case, clock, due)

    def _warn(self, case: Case, clock: Clock, due: datetime) -> None:
        setattr(case, clock.col("warned"), True)
        body = f"{clock.label} deadline approaching: due {self._local(due)}."
        self._event(case, "sla_warning", body, {"clock": clock.name, "due": due.isoformat()})
        self.report.warned += 1

    def _breach(self, case: Case, clock: Clock, due: datetime) -> None:
        # A warning raised after the deadline would only be noise, so a breach settles both.
        setattr(case, clock.col("breached"), True)
        setattr(case, clock.col("warned"), True)
        body = f"{clock.label} deadline missed: it was due {self._local(due)}."
        self._event(case, "sla_breached", body, {"clock": clock.name, "due": due.isoformat()})
        self.report.breached += 1
        current = case.escalated_area_id or case.area_id
        target = self._above(current) if current is not None else None
        if target is None:
            return
        case.escalated_area_id = target.area_id
        case.escalation_level += 1
        who = f"supervisor {target.supervisor}" if target.supervisor else "no supervisor named"
        body = f"Escalated to {target.area_name} (level {case.escalation_level}); {who}."
        data = {**asdict(target), "level": case.escalation_level}
        self._event(case, "escalated", body, data)
        self.report.escalated += 1

    def _above(self, area_id: int) -> _Target | None:
        if area_id not in self.parents:
            parent = aliased(Area)
            row = self.session.execute(
                select(parent.id, parent.name, parent.supervisor_id, User.display_name)
                .select_from(Area)
                .join(parent, Area.parent_id == parent.id)
                .outerjoin(User, User.id == parent.supervisor_id)
                .where(Area.id == area_id)
            ).first()
            self.parents[area_id] = _Target(*row) if row else None
        return self.parents[area_id]

    def _local(self, when: datetime) -> str:
        return when.astimezone(self.zone).strftime("%Y-%m-%d %H:%M %Z")

    def _event(self, case: Case, kind: str, body: str, data: dict[str, Any]) -> None:
        # Added by id, not through case.events, so a sweep never loads whole timelines.
        event = CaseEvent(
            case_id=case.id, kind=kind, body=body, actor=ACTOR, data=data, created_at=self.now
        )
        self.session.add(event)
