"""Reply quality: agreement of the scorer with the Teddy Cup attachment 4 annotations.

    .venv/bin/python bench/reply_quality.py [--json FILE]

Scores every official reply of ../shared/data/teddycup2020c/attachment4_full2816.csv and
prints, for each annotating team, Spearman, AUC, and Cohen's kappa / accuracy of the scorer's
components against the team's labels. Team A's rows that B and C did not annotate are the
development rows (the cue lists and the thresholds were chosen there); teams B and C are held
out. Also prints how far the teams agree with one another, a label-free check of relevance
(a reply against its own complaint vs another one), and the scoring speed. Skips cleanly when
../shared is absent.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

from civicgrid.replyquality import agreement as ag
from civicgrid.replyquality import scorer

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "teddycup2020c"


def _fmt(figures: dict[str, float]) -> str:
    return "  ".join(
        f"{k}={v:.3f}" if isinstance(v, float) else f"{k}={v}" for k, v in figures.items()
    )


def _print_team(title: str, table: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}")
    for part, figures in table.items():
        print(f"  {part:13s} {_fmt(figures)}")


def development(messages: dict[str, ag.Message], notes: ag.Annotations) -> dict[str, object]:
    """Team A's development rows: per-reply time, thresholds fitted there, their figures."""
    dev = notes.development_ids()
    started = time.perf_counter()
    verdicts = [ag.score_message(messages[mid]) for mid in dev]
    per_reply_ms = (time.perf_counter() - started) / len(dev) * 1000
    labels = [notes.team_a[mid] for mid in dev]
    fitted = {
        part: ag.best_threshold([getattr(v, part) for v in verdicts], labels) for part in ag.PARTS
    }
    thresholds = {**fitted, "overall": scorer.WEAK_BELOW}
    print(f"scorer {scorer.VERSION}; {len(messages)} messages; {per_reply_ms:.1f} ms per reply")
    print("thresholds fitted on team A's development rows:", _fmt(fitted))
    print(f"product default: weak when overall < {scorer.WEAK_BELOW}")
    table = ag.team_figures(verdicts, labels, thresholds)
    _print_team(f"team A, development rows (tuned here), n={len(dev)}", table)
    weak_share = sum(v.weak for v in verdicts) / len(verdicts)
    return {
        "per_reply_ms": per_reply_ms,
        "fitted_thresholds": fitted,
        "thresholds": thresholds,
        "team_a_development": table,
        "weak_share": weak_share,
    }


def held_out(
    messages: dict[str, ag.Message], notes: ag.Annotations, thresholds: dict[str, float]
) -> dict[str, object]:
    """Teams B and C (held out), and the teams against each other."""
    held_b = list(notes.team_b_complete)
    b_verdicts = [ag.score_message(messages[mid]) for mid in held_b]
    b_complete = ag.team_figures(b_verdicts, [notes.team_b_complete[m] for m in held_b], thresholds)
    b_explains = ag.team_figures(b_verdicts, [notes.team_b_explains[m] for m in held_b], thresholds)
    _print_team("team B 完整性 (complete), held out", b_complete)
    _print_team("team B 可解释性 (explains), held out", b_explains)
    c_table = ag.team_c_figures(messages, notes)
    _print_team("team C explanation 0-4, held out (Spearman)", c_table)
    humans = ag.human_figures(notes)
    _print_team("teams against each other", humans)
    return {
        "team_b_complete": b_complete,
        "team_b_explains": b_explains,
        "team_c": c_table,
        "humans": humans,
    }


def relevance(messages: dict[str, ag.Message], notes: ag.Annotations) -> dict[str, float]:
    """How much higher a reply's relevance is to its own complaint than to another's."""
    own, other = ag.mismatched_relevance([messages[mid] for mid in notes.development_ids()[:600]])
    figures = {
        "n": len(own),
        "auc_own_vs_other": ag.auc(own + other, [1] * len(own) + [0] * len(other)),
        "median_own": statistics.median(own),
        "median_other": statistics.median(other),
    }
    print(f"\nrelevance, own complaint vs another's: {_fmt(figures)}")
    return figures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if not (DATA / ag.FULL).exists():
        print(f"skipped: {DATA} is absent")
        return 0
    messages = ag.load_messages(DATA)
    notes = ag.load_annotations(DATA)
    report: dict[str, object] = {"scorer": scorer.VERSION, "weak_below": scorer.WEAK_BELOW}
    dev = development(messages, notes)
    thresholds = dev.pop("thresholds")
    assert isinstance(thresholds, dict)
    report.update(dev)
    report.update(held_out(messages, notes, thresholds))
    report["relevance"] = relevance(messages, notes)
    print(f"share of development replies flagged weak: {report['weak_share']:.3f}")
    if args.json:
        args.json.write_text(json.dumps(report, indent=2, ensure_ascii=False), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
