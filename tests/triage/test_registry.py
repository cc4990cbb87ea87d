from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.audit.models import AuditEntry
from civicgrid.errors import Conflict, Invalid, NotFound
from civicgrid.settings import Settings
from civicgrid.triage import registry, training
from civicgrid.triage.models import TriageModel
from tests.triage.conftest import dataset


def _actions(session: Session, subject: str) -> list[str]:
    rows = session.scalars(
        select(AuditEntry).where(AuditEntry.subject == subject).order_by(AuditEntry.seq)
    )
    return [r.action for r in rows]


def test_trained_model_is_a_candidate_with_its_figures(trained: TriageModel) -> None:
    assert trained.status == "candidate"
    assert trained.version == 1
    assert trained.approved_at is None
    assert trained.evaluation["folds"] == 2
    assert set(trained.evaluation["per_class_f1"]) == {"graffiti", "pothole"}
    assert Path(trained.artifact_path).exists()


def test_an_unapproved_model_never_serves(session: Session, trained: TriageModel) -> None:
    with pytest.raises(Conflict, match="not approved"):
        registry.serve(session, model=trained, by="alice")
    assert registry.serving(session) is None
    trained.status = "serving"  # even if someone sets the status by hand
    session.flush()
    assert registry.serving(session) is None


def test_approval_and_switch_are_audited(
    session: Session, settings: Settings, trained: TriageModel
) -> None:
    registry.approve(session, model=trained, by="alice")
    assert registry.serve(session, model=trained, by="alice") is None
    assert registry.serving(session) is trained
    second = training.train(
        session, name="tiny", data=dataset(), trained_by="user:t", settings=settings, folds=2
    )
    assert second.version == 2
    registry.approve(session, model=second, by="bob")
    assert registry.serve(session, model=second, by="bob") is trained
    assert trained.status == "candidate"
    assert registry.serving(session) is second
    assert _actions(session, "model:tiny@1") == [
        "triage.model_trained",
        "triage.model_approved",
        "triage.model_switched",
    ]
    assert "triage.model_switched" in _actions(session, "model:tiny@2")
    with pytest.raises(Conflict, match="already serving"):
        registry.serve(session, model=second, by="bob")
    with pytest.raises(Conflict, match="already approved"):
        registry.approve(session, model=second, by="bob")


def test_retire(session: Session, trained: TriageModel) -> None:
    registry.approve(session, model=trained, by="alice")
    registry.serve(session, model=trained, by="alice")
    registry.retire(session, model=trained, by="alice")
    assert registry.serving(session) is None
    assert "triage.model_retired" in _actions(session, "model:tiny@1")
    for call in (registry.retire, registry.serve, registry.approve):
        with pytest.raises(Conflict):
            call(session, model=trained, by="alice")


def test_an_altered_artifact_is_refused(session: Session, trained: TriageModel) -> None:
    registry.approve(session, model=trained, by="alice")
    Path(trained.artifact_path).write_bytes(b"not the model")
    with pytest.raises(Conflict, match="checksum"):
        registry.serve(session, model=trained, by="alice")
    Path(trained.artifact_path).unlink()
    with pytest.raises(Conflict, match="cannot be read"):
        registry.load(trained)


def test_lookup_and_names(session: Session, trained: TriageModel) -> None:
    assert registry.get_or_raise(session, "tiny", 1) is trained
    assert registry.get_or_raise(session, "tiny") is trained
    with pytest.raises(NotFound, match="no version 7"):
        registry.get_or_raise(session, "tiny", 7)
    with pytest.raises(NotFound, match="model list"):
        registry.get_or_raise(session, "nope")
    with pytest.raises(Invalid):
        registry.check_name("Bad Name!")
    assert registry.list_(session) == [trained]
