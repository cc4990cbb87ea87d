from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.audit.models import AuditEntry
from civicgrid.errors import Conflict, Invalid
from civicgrid.settings import Settings
from civicgrid.triage import registry, report, service
from civicgrid.triage.models import TriageModel
from tests.triage.conftest import City, file


@pytest.fixture
def serving(session: Session, trained: TriageModel) -> TriageModel:
    registry.approve(session, model=trained, by="admin")
    registry.serve(session, model=trained, by="admin")
    return trained


def test_no_serving_model_no_suggestion(
    session: Session, settings: Settings, city: City, trained: TriageModel
) -> None:
    case, _ = file(session, settings, title="graffiti on the wall")
    assert service.suggest(session, case=case) is None


def test_suggestion_is_stored_with_the_model_version(
    session: Session, settings: Settings, city: City, serving: TriageModel
) -> None:
    case, _ = file(
        session,
        settings,
        category="graffiti",
        title="big pothole in the road",
        description="deep pothole",
        attributes={},
    )
    suggestion = service.suggest(session, case=case)
    assert suggestion is not None
    assert suggestion.model_label == "tiny@1"
    assert suggestion.predicted_label == "pothole"
    assert suggestion.category_id == city.pothole.id
    assert suggestion.department_id == city.roads.id
    assert suggestion.outcome == "pending"
    assert case.category_id == city.graffiti.id  # nothing applied without a threshold
    service.accept(session, suggestion=suggestion, by="cw")
    assert (case.category_id, case.department_id) == (city.pothole.id, city.roads.id)
    with pytest.raises(Conflict, match="already decided"):
        service.accept(session, suggestion=suggestion, by="cw")


def test_auto_apply_above_threshold_is_audited_and_reversible(
    session: Session, settings: Settings, city: City, serving: TriageModel
) -> None:
    service.set_category_settings(session, category="pothole", by="admin", auto_apply_threshold=0.5)
    case, _ = file(
        session,
        settings.model_copy(update={"triage_enabled": False}),  # the service is asked below
        category="graffiti",
        title="pothole on main street road",
        description="huge hole in the asphalt",
    )
    before = (case.category_id, case.department_id)
    suggestion = service.suggest(session, case=case)
    assert suggestion is not None
    assert suggestion.outcome == "auto_applied"
    assert (case.category_id, case.department_id) == (city.pothole.id, city.roads.id)
    actions = session.scalars(
        select(AuditEntry.action).where(AuditEntry.subject == f"case:{case.tracking_id}")
    ).all()
    assert "triage.routing_auto_applied" in actions
    service.revert(session, suggestion=suggestion, by="cw")
    assert (case.category_id, case.department_id) == before
    assert suggestion.outcome == "reverted"
    with pytest.raises(Conflict, match="only an auto-applied"):
        service.revert(session, suggestion=suggestion, by="cw")


def test_overrides_are_counted(
    session: Session, settings: Settings, city: City, serving: TriageModel
) -> None:
    now = datetime(2026, 6, 3, tzinfo=UTC)
    outcomes = []
    for title in ("pothole in road", "graffiti on wall", "pothole again", "paint tags"):
        case, _ = file(session, settings, title=title)
        s = service.suggest(session, case=case, now=now)
        assert s is not None
        outcomes.append(s)
    service.override(
        session, suggestion=outcomes[0], by="cw", category="graffiti", department="DPR"
    )
    service.override(session, suggestion=outcomes[1], by="cw")
    service.accept(session, suggestion=outcomes[2], by="cw")
    usage = report.monthly(session, model_ids=[serving.id], settings=settings)[serving.id]
    assert usage == [
        {
            "month": "2026-06",
            "pre_triaged": 4,
            "auto_applied": 0,
            "accepted": 1,
            "overridden": 2,
            "pending": 1,
            "override_rate": round(2 / 3, 4),
            "minutes_saved": settings.triage_minutes_saved_per_case,
        }
    ]
    card = report.cards(session, settings=settings, name="tiny")[0]
    assert card["monthly"] == usage
    assert card["approved_by"] == "admin"


def test_label_outside_the_catalogue(
    session: Session, settings: Settings, city: City, serving: TriageModel
) -> None:
    city.pothole.code = "road_hole"
    session.flush()
    case, _ = file(session, settings, title="deep pothole in the road")
    suggestion = service.suggest(session, case=case)
    assert suggestion is not None
    assert suggestion.category_id is None
    with pytest.raises(Conflict, match="no category"):
        service.accept(session, suggestion=suggestion, by="cw")


def test_category_settings_are_checked_and_audited(session: Session, city: City) -> None:
    with pytest.raises(Invalid, match=r"0\.5 to 1"):
        service.set_category_settings(session, category="pothole", by="a", auto_apply_threshold=0.2)
    row = service.set_category_settings(
        session,
        category="pothole",
        by="a",
        auto_apply_threshold=0.9,
        duplicate_rings=3,
        related_categories=["graffiti"],
    )
    assert row.related_categories == ["graffiti"]
    assert (
        session.scalar(select(AuditEntry.action).where(AuditEntry.subject == "category:pothole"))
        == "triage.settings_changed"
    )
