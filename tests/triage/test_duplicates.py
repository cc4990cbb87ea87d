from datetime import UTC, datetime, timedelta

import h3

from civicgrid.triage import duplicates

T0 = datetime(2026, 6, 1, tzinfo=UTC)
CELL = h3.latlng_to_cell(40.7, -74.0, 9)
RULES = duplicates.Rules(rings=1, window=timedelta(days=2), related=frozenset({"trash"}))


def _report(key: str, text: str, category: str = "litter", hours: float = 0, cell=None):
    return duplicates.Report(key, text, category, T0 + timedelta(hours=hours), cell)


def test_unplaced_reports_are_compared_on_text_time_and_category() -> None:
    new = _report("new", "垃圾堆在小区门口没人清理", hours=5)
    same = _report("a", "垃圾堆在小区门口没人清理!!", hours=1)
    related = _report("b", "垃圾堆在小区门口没人清理", category="trash", hours=1)
    other = _report("c", "垃圾堆在小区门口没人清理", category="noise", hours=1)
    later = _report("d", "垃圾堆在小区门口没人清理", hours=9)
    old = _report("e", "垃圾堆在小区门口没人清理", hours=-100)
    found = duplicates.rank(new, [new, same, related, other, later, old], RULES, 5)
    assert [m.key for m in found] == ["a", "b"]
    assert found[0].reasons["same_category"] is True
    assert "rings_apart" not in found[0].reasons


def test_place_limits_the_match() -> None:
    far = h3.grid_ring(CELL, 3)[0]
    new = _report("new", "broken street light", hours=1, cell=CELL)
    near = _report("a", "street light broken", cell=h3.grid_ring(CELL, 1)[0])
    away = _report("b", "broken street light", cell=far)
    found = duplicates.rank(new, [near, away], RULES, 3)
    assert [m.key for m in found] == ["a"]
    assert found[0].reasons["rings_apart"] == 1
    assert duplicates.ring_distance(CELL, None) is None
    assert duplicates.ring_distance(CELL, h3.latlng_to_cell(-33.9, 151.2, 9)) is None


def test_similarity_of_nothing() -> None:
    assert list(duplicates.text_similarity("x", [])) == []
