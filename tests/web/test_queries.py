"""The pieces behind the staff lists: deadline states, likeness of texts, distances."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from civicgrid.cases.models import Case
from civicgrid.cases.queries import deadline_state, distance_m, tokens

NOW = datetime(2026, 6, 1, 12, tzinfo=UTC)


def _case(**fields: object) -> Case:
    base: dict[str, object] = {
        "status": "new",
        "resolution_due": NOW + timedelta(days=2),
        "resolution_warn_at": NOW + timedelta(days=1),
        "first_response_due": NOW + timedelta(hours=8),
        "resolution_breached": False,
        "first_response_breached": False,
        "resolution_warned": False,
        "first_response_warned": False,
    }
    return Case(**(base | fields))


@pytest.mark.parametrize(
    ("fields", "state"),
    [
        ({}, "on_time"),
        ({"status": "resolved"}, "done"),
        ({"resolution_due": None, "first_response_due": None}, "none"),
        ({"first_response_breached": True}, "breached"),
        ({"resolution_due": NOW - timedelta(minutes=1)}, "breached"),
        ({"resolution_warn_at": NOW - timedelta(minutes=1)}, "due_soon"),
        ({"first_response_warned": True}, "due_soon"),
    ],
)
def test_deadline_state(fields: dict[str, object], state: str) -> None:
    assert deadline_state(_case(**fields), NOW) == state


def test_tokens_of_english_and_chinese() -> None:
    assert tokens("The pothole ON Main-Street, a 2nd time") == {
        "pothole",
        "main",
        "street",
        "2nd",
        "time",
    }
    assert tokens("路灯不亮") == {"路灯", "灯不", "不亮"}
    assert tokens("灯") == {"灯"}


def test_distance() -> None:
    assert distance_m(40.0, -74.0, 40.0, -74.0) == 0
    assert 110_000 < distance_m(40.0, -74.0, 41.0, -74.0) < 112_000
