"""The agreement statistics on hand-made data, and the scorer against the Teddy Cup teams.

The Teddy Cup test skips when ../shared is absent. Its bounds are the figures measured on the
held-out teams (B and C; docs/reply-quality.md) less a margin, not targets the scorer was tuned
to: they catch a change that makes the scorer agree less with people.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

from civicgrid.replyquality import agreement as ag
from civicgrid.replyquality import scorer
from tests.conftest import shared_file


def test_spearman_handles_ties_and_constants() -> None:
    assert ag.spearman([1, 2, 3, 4], [10, 20, 30, 40]) == pytest.approx(1.0)
    assert ag.spearman([1, 2, 3, 4], [4, 3, 2, 1]) == pytest.approx(-1.0)
    assert ag.spearman([1, 1, 2, 2], [1, 1, 2, 2]) == pytest.approx(1.0)
    assert math.isnan(ag.spearman([1, 1, 1], [1, 2, 3]))


def test_kappa_accuracy_and_auc() -> None:
    assert ag.cohen_kappa([1, 0, 1, 0], [1, 0, 1, 0]) == pytest.approx(1.0)
    assert ag.cohen_kappa([1, 1, 0, 0], [1, 0, 1, 0]) == pytest.approx(0.0)
    assert ag.cohen_kappa([1, 1, 1], [1, 1, 1]) == 0.0  # chance agreement is total
    assert ag.accuracy([1, 1, 0, 0], [1, 0, 1, 0]) == 0.5
    assert ag.auc([0.9, 0.8, 0.2, 0.1], [1, 1, 0, 0]) == pytest.approx(1.0)
    assert ag.auc([0.5, 0.5], [1, 0]) == pytest.approx(0.5)
    assert math.isnan(ag.auc([0.1, 0.2], [1, 1]))


def test_thresholds_are_fitted_away_from_the_row_they_predict() -> None:
    scores = [0.1, 0.2, 0.3, 0.6, 0.7, 0.8, 0.15, 0.75, 0.25, 0.65]
    labels = [0, 0, 0, 1, 1, 1, 0, 1, 0, 1]
    assert 0.3 < ag.best_threshold(scores, labels) <= 0.6
    # Each row is predicted by a cut fitted without it: 0.6 falls under the cut (0.65) that the
    # other rows of its fold give, where the in-sample cut would have put it right.
    assert ag.cross_validated_labels(scores, labels) == [0, 0, 0, 0, 1, 1, 0, 1, 0, 1]
    figures = ag.binary_figures(scores, labels, 0.5)
    assert figures["kappa"] == pytest.approx(1.0)
    assert figures["n"] == 10


def _write(path: Path, header: str, *rows: str) -> None:
    path.write_text("\n".join((header, *rows)) + "\n", encoding="utf-8")


def test_loaders_read_the_four_files(tmp_path: Path) -> None:
    _write(
        tmp_path / ag.FULL,
        "留言编号,留言用户,留言主题,留言时间,留言详情,答复意见,答复时间",
        '1,U1,路灯坏了,2019/4/25 9:32:09,"\n\t\t路灯不亮\n\t",经查已修复,2019-05-10 14:56:53',
        "2,U2,噪音,2019/4/25 9:32,夜间施工,已告知施工方,2019/5/1",
    )
    _write(tmp_path / ag.TEAM_A, "留言编号,可解释性", "1,1", "2,0")
    _write(tmp_path / ag.TEAM_B, "留言编号,完整性指标,可解释性指标", "1,1.0,0.0")
    _write(tmp_path / ag.TEAM_C, "留言编号,score,reply_text", "2,3,已告知施工方", ",1,无编号")
    messages = ag.load_messages(tmp_path)
    assert messages["1"].complaint == "路灯坏了。路灯不亮"
    assert messages["1"].replied_at.day == 10
    assert messages["2"].received_at.minute == 32
    notes = ag.load_annotations(tmp_path)
    assert notes.team_b_explains == {"1": 0}
    assert notes.development_ids() == []  # 1 is B's, 2 is C's
    assert "B vs C explains" not in ag.human_figures(notes)  # too few rows in common
    table = ag.team_c_figures(messages, notes)
    assert table["explanation"]["n"] == 2
    assert table["relevance"]["n"] == 1  # the unlinked row has no complaint
    _write(
        tmp_path / ag.FULL,
        "留言编号,留言用户,留言主题,留言时间,留言详情,答复意见,答复时间",
        "3,U3,x,yesterday,x,x,2019/5/1",
    )
    with pytest.raises(ValueError, match="yesterday"):
        ag.load_messages(tmp_path)


def test_agreement_with_the_teddy_cup_teams() -> None:
    full = shared_file("teddycup2020c", ag.FULL)
    messages = ag.load_messages(full.parent)
    notes = ag.load_annotations(full.parent)
    assert len(messages) == 2816
    dev = notes.development_ids()
    assert not set(dev) & set(notes.team_b_complete)
    assert len(dev) == 2474

    held_b = list(notes.team_b_complete)
    verdicts = [ag.score_message(messages[mid]) for mid in held_b]
    cuts = dict.fromkeys(ag.PARTS, 0.5) | {"overall": scorer.WEAK_BELOW}
    complete = ag.team_figures(verdicts, [notes.team_b_complete[m] for m in held_b], cuts)
    explains = ag.team_figures(verdicts, [notes.team_b_explains[m] for m in held_b], cuts)
    # Measured (n=100): Spearman 0.478, 0.295, 0.414, 0.376; cross-validated kappa 0.324.
    assert complete["explanation"]["spearman"] >= 0.40
    assert complete["completeness"]["spearman"] >= 0.20
    assert explains["overall"]["spearman"] >= 0.33
    assert explains["explanation"]["spearman"] >= 0.30
    assert complete["overall"]["kappa_cv"] >= 0.2

    team_c = ag.team_c_figures(messages, notes)
    # Measured: 0.383, 0.302, 0.329 (n=283, 283, 256).
    assert team_c["completeness"]["spearman"] >= 0.30
    assert team_c["explanation"]["spearman"] >= 0.22
    assert team_c["overall"]["spearman"] >= 0.25

    humans = ag.human_figures(notes)
    assert humans["A vs B explains"]["kappa"] == pytest.approx(0.0)  # A marks all 100 "1"

    own, other = ag.mismatched_relevance([messages[mid] for mid in dev[:150]])
    # Measured: 0.975 on these 150 rows.
    assert ag.auc(own + other, [1] * len(own) + [0] * len(other)) >= 0.9
