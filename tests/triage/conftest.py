"""Triage fixtures: the small city of the cases tests and a tiny trained model."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from civicgrid.settings import Settings
from civicgrid.triage import training
from civicgrid.triage.models import TriageModel
from tests.cases.conftest import City, city, file  # noqa: F401  (shared fixtures)

POTHOLE = [
    "deep pothole in the road near the school",
    "pothole on main street damaged my tyre",
    "the road surface is broken, a big pothole",
    "huge hole in the asphalt of the avenue",
    "pothole keeps growing on the bridge road",
    "road has cracks and a pothole at the corner",
    "马路 上 有 一个 大 坑",
    "道路 坑洼 严重 影响 通行",
]
GRAFFITI = [
    "graffiti sprayed on the park wall",
    "someone painted graffiti on the shop front",
    "paint tags all over the bus shelter",
    "graffiti on the school wall again",
    "vandals sprayed paint on the monument",
    "new graffiti tags on the railway bridge wall",
    "墙上 被 人 乱 涂 乱画",
    "小区 围墙 涂鸦 严重",
]


def dataset() -> training.TrainingSet:
    """Sixteen short reports in two categories whose codes match the city's."""
    return training.TrainingSet(
        texts=POTHOLE + GRAFFITI,
        labels=["pothole"] * len(POTHOLE) + ["graffiti"] * len(GRAFFITI),
        description="sixteen made-up reports",
    )


@pytest.fixture
def trained(session: Session, settings: Settings) -> TriageModel:
    """A candidate model, trained and registered (not approved)."""
    return training.train(
        session, name="tiny", data=dataset(), trained_by="user:tester", settings=settings, folds=2
    )
