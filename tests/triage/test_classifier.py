"""The n-gram keys and the classifier built on them."""

from collections import Counter

import numpy as np
import pytest

from civicgrid.errors import Invalid
from civicgrid.triage import classifier, features, ngrams
from tests.triage.conftest import dataset

TEXTS = [
    features.prepare("我们小区的路灯坏了,请尽快维修路灯"),
    features.prepare("The pothole on MAIN street is huge"),
    "",
    features.prepare("路灯 坏"),
]


def _key_counts(texts: list[str]) -> list[Counter[tuple[str, int]]]:
    grams = ngrams.grams(texts)
    out: list[Counter[tuple[str, int]]] = [Counter() for _ in texts]
    for view in ngrams.VIEWS:
        for key, row in zip(grams.keys[view], grams.rows[view], strict=True):
            out[row][(view, int(key))] += 1
    return out


def test_grams_count_every_python_ngram_once_and_tell_them_apart() -> None:
    counts = _key_counts(TEXTS)
    for text, found in zip(TEXTS, counts, strict=True):
        expected = {
            "word": Counter(features.word_analyzer(text)),
            "char": Counter(features.char_analyzer(text)),
            "head": Counter(features.char_analyzer(ngrams.head(text))),
        }
        for view, grams in expected.items():
            mine = sorted(n for (v, _), n in found.items() if v == view)
            assert mine == sorted(grams.values()), (text, view)
    # one string, two views: two keys
    word, char = ngrams.grams(["灯"]).keys["word"], ngrams.grams(["灯"]).keys["char"]
    assert word[0] != char[0]


def test_a_text_gets_the_same_keys_alone_or_in_a_batch() -> None:
    batch = _key_counts(TEXTS)
    for text, in_batch in zip(TEXTS, batch, strict=True):
        assert _key_counts([text])[0] == in_batch


def test_head_is_the_first_words() -> None:
    text = " ".join(f"w{i}" for i in range(30))
    assert ngrams.head(text).split(" ") == [f"w{i}" for i in range(ngrams.HEAD_TOKENS)]
    assert ngrams.head("a b") == "a b"


def _model() -> classifier.TextClassifier:
    data = dataset()
    labels = sorted(set(data.labels))
    y = np.array([labels.index(label) for label in data.labels])
    return classifier.train([features.prepare(t) for t in data.texts], y, labels)


def test_raw_and_segmented_text_score_alike() -> None:
    model = _model()
    raw, segmented = model.scores(["墙上被人乱涂乱画了", "墙上 被 人 乱 涂 乱画 了"])
    assert np.allclose(raw, segmented)
    assert model.predict(["graffiti on the wall of the park"])[0].label == "graffiti"
    assert model.predict(["a deep pothole in the road"])[0].label == "pothole"


def test_batch_scores_equal_single_scores_and_unknown_text_scores_the_bias() -> None:
    model = _model()
    texts = ["pothole on the bridge", "zzzqqq", "涂鸦"]
    batch = model.scores(texts)
    for text, row in zip(texts, batch, strict=True):
        assert np.allclose(model.scores([text])[0], row)
    assert np.allclose(batch[1], model.intercept)
    assert model.predict([]) == []


def test_a_model_of_the_old_format_asks_to_be_retrained() -> None:
    model = _model()
    del model.__dict__["views"]
    with pytest.raises(Invalid, match="train it again"):
        model.predict(["pothole"])


def test_texts_sharing_nothing_get_a_clear_error() -> None:
    prepared = [features.prepare(t) for t in ("ab", "cd", "ef", "gh")]
    with pytest.raises(Invalid, match="add examples"):
        classifier.train(prepared, np.array([0, 0, 1, 1]), ["x", "y"])
