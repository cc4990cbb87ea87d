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


TEXTS = [
    "垃圾堆在小区门口没人清理",
    "垃圾堆在小区门口没人清理!!",
    "小区门口 垃圾 没人 清理",
    "Broken street light on Main St",
    "street light broken, main street",
    "Overflowing litter basket at the corner of 5th Ave",
    "",
    "a",
    "ab" * 5000,  # a bucket counted thousands of times
    "\uff26\uff35\uff2c\uff2c width \uff05 signs",  # full-width letters, folded by NFKC
]


def _sklearn_similarity(text: str, others: list[str]) -> list[float]:
    vectors = duplicates.text_vectors([text, *others])
    return [float(v) for v in (vectors[1:] @ vectors[0].T).toarray().ravel()]


def test_few_texts_are_compared_without_sklearn_bit_for_bit() -> None:
    duplicates._vectors.clear()
    for text in TEXTS:
        others = [t for t in TEXTS if t != text][: duplicates.FEW]
        fast = duplicates.text_similarity(text, others)
        assert [float(v) for v in fast] == _sklearn_similarity(text, others)
    assert TEXTS[0] in duplicates._vectors  # kept for the next filing


def test_a_text_shared_by_many_candidates_is_compared_once() -> None:
    duplicates._vectors.clear()
    others = [TEXTS[1], TEXTS[2], TEXTS[1], "", TEXTS[2], TEXTS[1]]
    found = duplicates.text_similarity(TEXTS[0], others)
    assert [float(v) for v in found] == _sklearn_similarity(TEXTS[0], others)
    assert found[0] == found[2] == found[5] > 0
    assert found[3] == 0


def test_many_new_texts_go_through_sklearn() -> None:
    duplicates._vectors.clear()
    others = [f"{t} {n}" for n in range(3) for t in TEXTS]
    assert len(others) > duplicates.FEW
    found = duplicates.text_similarity(TEXTS[3], others)
    assert [float(v) for v in found] == _sklearn_similarity(TEXTS[3], others)
    assert not duplicates._vectors  # nothing kept on that path
