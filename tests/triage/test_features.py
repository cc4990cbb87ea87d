import jieba

from civicgrid.triage import features


def test_segmented_and_raw_chinese_meet() -> None:
    raw = "我们小区的路灯坏了,请尽快维修路灯"
    segmented = "小区 路灯 坏 请 尽快 维修 路灯"
    assert features.is_segmented(segmented)
    assert not features.is_segmented(raw)
    assert set(features.tokens(raw)) >= set(features.tokens(segmented)) - {"坏"}
    assert "的" not in features.tokens(raw)


def test_english_words_lowercased_without_stop_words() -> None:
    assert features.tokens("The Pothole on  MAIN street!") == ["pothole", "main", "street"]


def test_analyzers() -> None:
    assert features.word_analyzer("a b c") == ["a", "b", "c", "a b", "b c"]
    assert features.word_analyzer("") == []
    grams = features.char_analyzer("路灯 坏")
    assert "路灯坏" in grams
    assert "灯" in grams


def test_short_texts_are_not_taken_for_segmented() -> None:
    assert not features.is_segmented("路 灯")


def test_the_fast_cut_is_jiebas_cut() -> None:
    tokenizer = jieba.Tokenizer()
    text = "a市西湖建筑集团占道施工有安全隐患,请尽快整改这个极不文明的路段"
    assert features._segmenter()(text) == tokenizer.lcut(text, HMM=False)
