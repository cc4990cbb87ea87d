"""Every official action on a case lands in the audit ledger, without disclosing its text."""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.audit import service as audit
from civicgrid.audit.models import AuditEntry
from civicgrid.cases import workflow
from civicgrid.settings import Settings
from tests.cases.conftest import City, file


def test_case_actions_are_chained_in_the_ledger(
    session: Session, settings: Settings, city: City
) -> None:
    case, key = file(session, settings, contact={"email": "r@example.org"})
    workflow.transition(session, case=case, to_status="acknowledged", actor="cw", settings=settings)
    workflow.add_message(session, case=case, body="Crew booked for Monday", actor="cw", public=True)
    workflow.transfer(session, case=case, department_code="DOT", reason="road", actor="sup")
    workflow.view_contact(session, case=case, user=city.supervisor, purpose="call back")
    workflow.transition(session, case=case, to_status="resolved", actor="cw", settings=settings)
    workflow.rate(session, case=case, rating=1, comment="no", resident_key=key, settings=settings)
    rows = session.scalars(
        select(AuditEntry)
        .where(AuditEntry.subject == f"case:{case.tracking_id}")
        .order_by(AuditEntry.seq)
    ).all()
    assert [r.action for r in rows] == [
        "case.status_changed",
        "case.reply",
        "case.transferred",
        "case.contact_viewed",
        "case.status_changed",
        "case.rated",
        "case.status_changed",
    ]
    reply = json.loads(rows[1].details)
    assert reply["body_sha256"] == hashlib.sha256(b"Crew booked for Monday").hexdigest()
    assert "Crew booked" not in rows[1].details
    assert "call back" not in rows[3].details
    assert rows[3].actor == city.supervisor.username
    assert audit.verify(session, public_key=None).ok
