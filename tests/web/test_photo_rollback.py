"""No orphan photo files: files written in a transaction that does not commit are removed."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicgrid.cases.models import Case
from civicgrid.errors import Conflict
from civicgrid.photos import service as photos
from civicgrid.photos.models import Photo
from civicgrid.settings import Settings
from tests.web import seed
from tests.web.conftest import post
from tests.web.test_photos import png_bytes
from tests.web.test_staff_pages import file_case


def _files(settings: Settings) -> list[Path]:
    folder = photos.photo_dir(settings)
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_savepoint_that_rolls_back_removes_its_files(
    session: Session, settings: Settings, city: seed.WebCity
) -> None:
    case = file_case(session, settings)
    clean = photos.clean(png_bytes(), settings=settings)
    written: list[int] = []

    def store_then_fail() -> None:
        with session.begin_nested():
            photos.store(session, case_id=case.id, photo=clean, settings=settings)
            written.append(len(_files(settings)))  # the photo and its thumbnail
            raise Conflict("something later in the same transaction failed")

    with pytest.raises(Conflict):
        store_then_fail()
    assert written == [2]
    assert _files(settings) == []
    assert session.scalar(select(func.count(Photo.id))) == 0


def test_a_released_savepoint_leaves_the_decision_to_its_transaction(
    session: Session, settings: Settings, city: seed.WebCity
) -> None:
    case = file_case(session, settings)
    clean = photos.clean(png_bytes(), settings=settings)
    with session.begin_nested():
        photos.store(session, case_id=case.id, photo=clean, settings=settings)
    assert len(_files(settings)) == 2
    session.rollback()  # the enclosing transaction fails after the savepoint was released
    assert _files(settings) == []


def test_committed_files_stay(session: Session, settings: Settings, city: seed.WebCity) -> None:
    case = file_case(session, settings)
    clean = photos.clean(png_bytes(), settings=settings)
    with session.begin_nested():
        row = photos.store(session, case_id=case.id, photo=clean, settings=settings)
    session.commit()
    names = [p.name for p in _files(settings)]
    assert names == sorted([f"{row.name}.png", f"{row.name}.thumb.png"])
    path, _ = photos.file_of(session, name=row.name, thumbnail=False, settings=settings)
    assert path.read_bytes() == clean.data


def test_a_report_whose_transaction_fails_leaves_no_photo_files(
    client: TestClient,
    session: Session,
    settings: Settings,
    city: seed.WebCity,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real_store = photos.store
    stored: list[str] = []

    def store_then_fail(*args: object, **kwargs: object) -> Photo:
        row = real_store(*args, **kwargs)  # type: ignore[arg-type]
        stored.append(row.name)
        if len(stored) == 2:
            raise Conflict("the disk is full (forced failure)")
        return row

    monkeypatch.setattr(photos, "store", store_then_fail)
    form = {
        "category": "pothole",
        "attr.depth": "deep",
        "description": "Deep pothole by the bus stop",
        "lat": str(seed.WEST_POINT[0]),
        "lon": str(seed.WEST_POINT[1]),
    }
    files = [("photos", (f"p{i}.png", png_bytes(), "image/png")) for i in range(2)]
    response = post(client, "/report", form, files=files)
    assert response.status_code == 409
    assert "forced failure" in response.text
    assert len(stored) == 2  # both photos reached the disk before the failure
    assert _files(settings) == []
    assert session.scalar(select(func.count(Photo.id))) == 0
    assert session.scalar(select(func.count(Case.id))) == 0
