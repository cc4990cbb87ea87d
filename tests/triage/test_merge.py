from datetime import timedelta

import pytest
from sqlalchemy.orm import Session

from civicgrid.cases import supporters
from civicgrid.errors import Conflict
from civicgrid.settings import Settings
from civicgrid.triage import hook, merge, registry, service
from civicgrid.triage.models import TriageModel
from tests.cases.conftest import MONDAY
from tests.triage.conftest import City, file


def _pair(session: Session, settings: Settings):
    first, _ = file(session, settings, title="graffiti on the library wall")
    second, _ = file(
        session, settings, title="graffiti on the library wall again", lat=1.5001, lon=0.5001
    )
    second.created_at = MONDAY + timedelta(hours=3)
    return first, second


def test_nearby_recent_similar_case_is_suggested(
    session: Session, settings: Settings, city: City
) -> None:
    first, second = _pair(session, settings)
    far, _ = file(session, settings, title="graffiti on the library wall", lat=0.2, lon=0.2)
    found = merge.suggest(session, case=second, settings=settings)
    assert [d.original_case_id for d in found] == [first.id]
    assert found[0].reasons["same_category"] is True
    assert found[0].reasons["rings_apart"] <= settings.triage_duplicate_rings
    assert far.id not in [d.original_case_id for d in found]


def test_merge_makes_a_me_too_and_undo_restores(
    session: Session, settings: Settings, city: City
) -> None:
    first, second = _pair(session, settings)
    suggestion = merge.suggest(session, case=second, settings=settings)[0]
    row = merge.merge(
        session, duplicate=second, original=first, by="cw", settings=settings, suggestion=suggestion
    )
    assert second.status == "closed"
    assert suggestion.status == "merged"
    assert supporters.count(session, case_id=first.id) == 1
    assert merge.followed_case(session, second) is first
    assert merge.me_too_count(session, first) == 1
    with pytest.raises(Conflict, match="already merged"):
        merge.merge(session, duplicate=second, original=first, by="cw", settings=settings)
    third, _ = file(session, settings, title="x")
    with pytest.raises(Conflict, match="merge into"):
        merge.merge(session, duplicate=third, original=second, by="cw", settings=settings)
    with pytest.raises(Conflict, match="itself"):
        merge.merge(session, duplicate=third, original=third, by="cw", settings=settings)
    merge.undo(session, merge_row=row, by="sup", settings=settings)
    assert second.status == "reopened"
    assert suggestion.status == "unmerged"
    assert supporters.count(session, case_id=first.id) == 0
    assert merge.followed_case(session, second) is second
    with pytest.raises(Conflict, match="already undone"):
        merge.undo(session, merge_row=row, by="sup", settings=settings)


def test_dismiss(session: Session, settings: Settings, city: City) -> None:
    _, second = _pair(session, settings)
    suggestion = merge.suggest(session, case=second, settings=settings)[0]
    merge.dismiss(session, suggestion=suggestion, by="cw")
    assert suggestion.status == "dismissed"
    with pytest.raises(Conflict):
        merge.dismiss(session, suggestion=suggestion, by="cw")


def test_category_rules_narrow_the_search(session: Session, settings: Settings, city: City) -> None:
    service.set_category_settings(
        session,
        category="graffiti",
        by="a",
        auto_apply_threshold=None,
        duplicate_rings=0,
        duplicate_window_hours=1,
    )
    _, second = _pair(session, settings.model_copy(update={"triage_enabled": False}))
    assert merge.suggest(session, case=second, settings=settings) == []


def test_hook_suggests_and_never_fails(
    session: Session, settings: Settings, city: City, trained: TriageModel
) -> None:
    registry.approve(session, model=trained, by="a")
    registry.serve(session, model=trained, by="a")
    on = settings.model_copy(update={"triage_enabled": True})
    first, second = _pair(session, on)  # filing itself runs the hook
    assert [d.original_case_id for d in merge.suggestions_for(session, second)] == [first.id]
    result = hook.on_case_filed(session, case=second, settings=on)  # asking again adds nothing
    assert result.error is None
    assert result.suggestion is not None
    assert [d.original_case_id for d in result.duplicates] == [first.id]
    registry._cache.clear()
    trained_path = trained.artifact_path
    with open(trained_path, "wb") as handle:
        handle.write(b"broken")
    third, _ = file(session, settings, title="graffiti")
    failed = hook.on_case_filed(session, case=third, settings=on)
    assert failed.error is not None
    assert "checksum" in failed.error
    assert session.get(type(third), third.id) is third  # the report is kept
    assert (
        hook.on_case_filed(
            session, case=third, settings=settings.model_copy(update={"triage_enabled": False})
        ).suggestion
        is None
    )
