from sqlalchemy.orm import Session

from civicgrid.cases import workflow
from civicgrid.settings import Settings
from civicgrid.triage import registry, service, training
from civicgrid.triage.jobs import suggest_for_untriaged_cases
from civicgrid.triage.models import TriageModel
from tests.triage.conftest import City, file


def test_job_catches_up_on_cases_without_suggestions(
    session: Session, settings: Settings, city: City, trained: TriageModel
) -> None:
    assert suggest_for_untriaged_cases(session, settings) == "no model serves"
    off = settings.model_copy(update={"triage_enabled": False})
    assert suggest_for_untriaged_cases(session, off) == "triage is off"
    case, _ = file(session, settings, title="graffiti on the wall")
    registry.approve(session, model=trained, by="a")
    registry.serve(session, model=trained, by="a", now=case.created_at)
    assert suggest_for_untriaged_cases(session, settings) == "1 cases triaged by tiny@1"
    assert len(service.suggestions_for(session, case)) == 1
    assert suggest_for_untriaged_cases(session, settings) == "0 cases triaged by tiny@1"


def test_training_from_closed_cases(session: Session, settings: Settings, city: City) -> None:
    for title in ("graffiti on wall", "paint tags", "pothole road", "hole in road"):
        category = "pothole" if "road" in title else "graffiti"
        extra = {"attributes": {"depth": "deep"}} if category == "pothole" else {}
        case, _ = file(session, settings, category=category, title=title, **extra)
        workflow.transition(session, case=case, to_status="resolved", actor="cw", settings=settings)
        workflow.transition(session, case=case, to_status="closed", actor="cw", settings=settings)
    data = training.from_cases(session)
    assert sorted(data.labels) == ["graffiti", "graffiti", "pothole", "pothole"]
    assert "4 closed cases" in data.description
    model = training.train(
        session, name="own", data=data, trained_by="system", settings=settings, folds=2
    )
    assert model.training_rows == 4
