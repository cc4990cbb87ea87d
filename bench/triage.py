"""Triage quality and speed on the shared data (figures go to docs/benchmarks.md).

    .venv/bin/python bench/triage.py [--skip-cv] [--skip-nested] [--skip-duplicates]

Classifier (../shared/data/teddycup2020c): nested cross-validation on
messages_labelled_segmented.csv: outer 5 folds grouped by identical text, the SVM's C and the
title view's weight chosen by an inner 3-fold CV on each outer training fold only; the raw text
(messages_labelled_fulltext.csv) of the messages in each outer test fold is scored by that fold's
model as well (macro-F1, per-class F1 for both); then plain 5-fold CV of the defaults (what
`model train` stores); training time on 10,000 messages
(the 8,274 segmented plus 1,726 raw ones); single-message suggestion latency (p50/p95) and batch
throughput on raw and on segmented text; peak memory. Duplicates: Teddy Cup re-submissions
(identical details after removing white space, as in derived_exact_duplicate_groups.csv, over
attachments 3 and 4 together): precision and recall of the top suggestion above thresholds;
San Francisco cases whose notes name the case they duplicate (../shared/data/sf311): the
original among the top 3, and the false-suggestion rate on 500 random non-duplicates.
Skips cleanly when ../shared is absent.
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import sys
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path

import h3
import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import f1_score

from civicgrid.settings import Settings
from civicgrid.triage import classifier, duplicates, evaluation, features, ngrams

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
TEDDY = DATA / "teddycup2020c"
SF = DATA / "sf311"
DEFAULT_HEAD = classifier.VIEW_WEIGHTS["head"]
csv.field_size_limit(sys.maxsize)


def rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


GRID = [(c, head) for c in (0.5, 1.0) for head in (0.5, 1.0)]  # (SVM C, title view weight)


def _raw_twins(seg: list[str], raw: list[str]) -> np.ndarray:
    """For each raw message, the row of its segmented copy (-1 when none is close enough)."""
    vectorizer = TfidfVectorizer(analyzer="char", ngram_range=(2, 2))
    x_seg = vectorizer.fit_transform([s.replace(" ", "") for s in seg])
    sims = (vectorizer.transform(raw) @ x_seg.T).toarray()
    return np.where(sims.max(axis=1) >= 0.3, sims.argmax(axis=1), -1)


def _fit(table: classifier.GramTable, y: np.ndarray, rows: np.ndarray, c: float, head: float):
    classifier.VIEW_WEIGHTS["head"] = head
    views, columns = table.fit(rows)
    return views, columns, classifier.fit_svm(table.matrix(views, columns, rows), y[rows], c)


def _choose(table: classifier.GramTable, prepared: list[str], y: np.ndarray, rows: np.ndarray):
    """The grid point with the best 3-fold macro-F1 inside ``rows`` (the outer training fold)."""
    inner = evaluation.folds_of([prepared[i] for i in rows], y[rows], 3, seed=1)
    best = (-1.0, GRID[0])
    for c, head in GRID:
        predicted = np.zeros(len(rows), dtype=np.int64)
        for tr, te in inner:
            views, columns, svm = _fit(table, y, rows[tr], c, head)
            predicted[te] = svm.predict(table.matrix(views, columns, rows[te]))
        best = max(best, (float(f1_score(y[rows], predicted, average="macro")), (c, head)))
    return best[1]


def nested_cv(seg: list[dict[str, str]], raw: list[dict[str, str]], labels: list[str]) -> None:
    """Outer 5-fold grouped CV, hyper-parameters chosen by inner CV on each training fold; the
    raw text of messages in an outer test fold is scored by that fold's model too."""
    started = time.perf_counter()
    index = {label: i for i, label in enumerate(labels)}
    prepared = [features.prepare(r["text_segmented"]) for r in seg]
    y = np.array([index[r["label"]] for r in seg])
    twins = _raw_twins([r["text_segmented"] for r in seg], [r["text"] for r in raw])
    table = classifier.GramTable(prepared)
    predicted, raw_predicted = np.zeros(len(y), dtype=np.int64), np.full(len(raw), -1)
    for train_rows, test_rows in evaluation.folds_of(prepared, y, 5):
        c, head = _choose(table, prepared, y, train_rows)
        views, columns, svm = _fit(table, y, train_rows, c, head)
        predicted[test_rows] = svm.predict(table.matrix(views, columns, test_rows))
        mine = np.flatnonzero(np.isin(twins, test_rows))
        grams = ngrams.grams([features.prepare(raw[i]["text"]) for i in mine])
        x = sparse.hstack([v.matrix(grams) for v in views], format="csr")
        raw_predicted[mine] = svm.predict(x)
        print(f"  outer fold: inner CV chose C {c}, title weight {head}")
    classifier.VIEW_WEIGHTS["head"] = DEFAULT_HEAD
    y_raw = np.array([index[r["label"]] for r in raw])
    scored = raw_predicted >= 0
    for name, truth, guess in (
        ("segmented", y, predicted),
        (f"raw ({scored.sum()} of {len(raw)})", y_raw[scored], raw_predicted[scored]),
    ):
        per_class = f1_score(truth, guess, average=None, labels=range(len(labels)))
        print(
            f"nested CV, {name}: macro-F1 {f1_score(truth, guess, average='macro'):.4f}, "
            f"accuracy {np.mean(truth == guess):.4f}; "
            + ", ".join(f"{lab} {f:.3f}" for lab, f in zip(labels, per_class, strict=True))
        )
    print(f"  ({time.perf_counter() - started:.0f} s)")


def classifier_figures(skip_cv: bool, skip_nested: bool) -> None:
    seg = rows(TEDDY / "messages_labelled_segmented.csv")
    raw = rows(TEDDY / "messages_labelled_fulltext.csv")
    labels = sorted({r["label"] for r in seg})
    index = {label: i for i, label in enumerate(labels)}
    if not skip_nested:
        nested_cv(seg, raw, labels)
    if not skip_cv:
        started = time.perf_counter()
        prepared = [features.prepare(r["text_segmented"]) for r in seg]
        y = np.array([index[r["label"]] for r in seg])
        table = classifier.GramTable(prepared)
        cv = evaluation.cross_validate(table, prepared, y, labels)
        fig = cv.figures(classifier.fit_temperature(cv.scores, y))
        print(
            f"CV of the defaults ({fig['method']}): macro-F1 {fig['macro_f1']}, accuracy "
            f"{fig['accuracy']}, {fig['duplicate_groups']} rows share a text; "
            f"{time.perf_counter() - started:.0f} s"
        )
        for label, f1 in fig["per_class_f1"].items():
            print(f"  F1 {label}: {f1}")
    texts = [r["text_segmented"] for r in seg] + [r["text"] for r in raw][: 10_000 - len(seg)]
    ys = [r["label"] for r in seg] + [r["label"] for r in raw][: 10_000 - len(seg)]
    started = time.perf_counter()
    prepared = [features.prepare(t) for t in texts]
    model = classifier.train(prepared, np.array([index[v] for v in ys]), labels)
    print(
        f"training on {len(texts)} messages (fit only, no CV): "
        f"{time.perf_counter() - started:.1f} s"
    )
    raw_texts = [r["text"] for r in raw]
    model.predict(raw_texts[:3])
    latencies = []
    for text in raw_texts[:300]:
        t0 = time.perf_counter()
        model.predict([text])
        latencies.append((time.perf_counter() - t0) * 1000)
    print(
        f"single raw message: p50 {np.percentile(latencies, 50):.1f} ms, "
        f"p95 {np.percentile(latencies, 95):.1f} ms"
    )
    for name, batch in (
        ("raw", raw_texts),
        ("segmented", [r["text_segmented"] for r in seg][:2000]),
    ):
        rates = []
        for _ in range(3):
            t0 = time.perf_counter()
            model.predict(batch)
            rates.append(len(batch) / (time.perf_counter() - t0))
        print(f"batch of {len(batch)} {name} messages: median {np.median(rates):.0f}/s of 3 runs")
    print(f"peak memory so far: {peak_mb():.0f} MB")


def _teddy_reports() -> tuple[list[duplicates.Report], dict[str, str]]:
    # derived_exact_duplicate_groups.csv groups identical details (white space removed) within
    # one attachment; the same key, taken over both files, also pairs the 35 cross-file copies.
    group_of: dict[str, str] = {}
    reports = []
    for source in ("attachment3", "attachment4"):
        name = "attachment3_full4326.csv" if source == "attachment3" else "attachment4_full2816.csv"
        for r in rows(TEDDY / name):
            stamp = r["留言时间"].strip().replace("-", "/")
            when = datetime.strptime(stamp, "%Y/%m/%d %H:%M:%S").replace(tzinfo=UTC)
            text = f"{r['留言主题']}\n{r['留言详情'].strip()}"
            group_of.setdefault(f"{source}:{r['留言编号']}", "".join(r["留言详情"].split()))
            reports.append(duplicates.Report(f"{source}:{r['留言编号']}", text, "msg", when))
    reports.sort(key=lambda r: r.created_at)
    return reports, group_of


def teddy_duplicates(settings: Settings) -> None:
    reports, group_of = _teddy_reports()
    rules = duplicates.Rules(
        rings=0, window=timedelta(hours=settings.triage_duplicate_window_hours)
    )
    started = time.perf_counter()
    vectors = duplicates.text_vectors([r.text for r in reports])
    outcomes = []  # (best score, best is a group mate, an earlier group mate exists)
    first = 0
    for i, new in enumerate(reports):
        while new.created_at - reports[first].created_at > rules.window:
            first += 1
        sims = (vectors[first:i] @ vectors[i].T).toarray().ravel()
        matches = [
            m
            for old, sim in zip(reports[first:i], sims, strict=True)
            if (m := duplicates.score(new, old, float(sim), rules))
        ]
        best = max(matches, key=lambda m: m.score) if matches else None
        group = group_of.get(new.key)
        has_mate = group is not None and any(group_of.get(r.key) == group for r in reports[first:i])
        hit = best is not None and group is not None and group_of.get(best.key) == group
        outcomes.append((best.score if best else 0.0, hit, has_mate))
    for threshold in sorted({settings.triage_duplicate_threshold, 0.7, 0.8, 0.85, 0.9}):
        chosen = [o for o in outcomes if o[0] >= threshold]
        right = sum(o[1] for o in chosen)
        should = sum(o[2] for o in outcomes)
        found = sum(o[1] and o[2] for o in chosen)
        print(
            f"Teddy Cup duplicates, threshold {threshold}: precision "
            f"{right / max(len(chosen), 1):.3f} ({right}/{len(chosen)}), recall "
            f"{found / max(should, 1):.3f} ({found}/{should})"
        )
    elapsed = time.perf_counter() - started
    print(f"({len(reports)} messages, window {rules.window}, {elapsed:.0f} s in all)")


def _sf_reports(resolution: int) -> dict[str, duplicates.Report]:
    out = {}
    for name, fmt in (
        ("sf311_cases10000_2008_2016.csv", "%m/%d/%Y %I:%M:%S %p"),
        ("sf311_cases4984_geo_census.csv", "%Y-%m-%d %H:%M:%S"),
    ):
        for r in rows(SF / name):
            point = r.get("Point", "").strip("() ")
            try:
                lat, lon = (float(v) for v in point.split(","))
                when = datetime.strptime(r["Opened"], fmt).replace(tzinfo=UTC)
            except ValueError:
                continue
            cell = h3.latlng_to_cell(lat, lon, resolution)
            text = f"{r['Request.Type']} {r['Request.Details']} {r['Address']}"
            out[r["CaseID"]] = duplicates.Report(r["CaseID"], text, r["Category"], when, cell)
    return out


def sf_duplicates(settings: Settings) -> None:
    reports = _sf_reports(settings.h3_resolution)
    by_cell = defaultdict(list)
    for r in reports.values():
        by_cell[r.h3_cell].append(r)
    rules = duplicates.Rules(
        rings=settings.triage_duplicate_rings,
        window=timedelta(hours=settings.triage_duplicate_window_hours),
    )

    def candidates(new: duplicates.Report) -> list[duplicates.Report]:
        return [r for c in duplicates.disk(new.h3_cell or "", rules.rings) for r in by_cell[c]]

    labelled = rows(SF / "derived_duplicate_weak_labels.csv")
    named = [
        (r["CaseID"], r["referenced_ids_in_note"].split(";"))
        for r in labelled
        if r["referenced_ids_in_note"]
    ]
    evaluable = [(c, [o for o in refs if o in reports]) for c, refs in named if c in reports]
    evaluable = [(c, refs) for c, refs in evaluable if refs]
    hits = 0
    for case_id, originals in evaluable:
        new = reports[case_id]
        top = duplicates.rank(new, candidates(new), rules, 3)
        hits += any(m.key in originals for m in top)
    dup_ids = {r["CaseID"] for r in labelled}
    others = [k for k in reports if k not in dup_ids]
    sample = random.Random(0).sample(others, min(500, len(others)))
    best = []
    for k in sample:
        top = duplicates.rank(reports[k], candidates(reports[k]), rules, 1)
        best.append(top[0].score if top else 0.0)
    flagged = sum(b >= settings.triage_duplicate_threshold for b in best)
    for threshold in (0.7, 0.8, 0.85, 0.9):
        rate = sum(b >= threshold for b in best) / len(sample)
        print(f"SF false-suggestion rate at threshold {threshold}: {rate:.3f}")
    print(
        f"SF duplicates: {len(named)} name their original, {len(evaluable)} of those originals "
        f"are in the sample; original in top 3 for {hits}/{len(evaluable)}; false-suggestion "
        f"rate on {len(sample)} random non-duplicates: {flagged / len(sample):.3f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--skip-cv", action="store_true")
    parser.add_argument("--skip-nested", action="store_true")
    parser.add_argument("--skip-duplicates", action="store_true")
    parser.add_argument("--skip-classifier", action="store_true")
    args = parser.parse_args()
    if not TEDDY.exists():
        print(f"skipped: {TEDDY} is absent")
        return
    settings = Settings()
    if not args.skip_classifier:
        classifier_figures(args.skip_cv, args.skip_nested or args.skip_cv)
    if not args.skip_duplicates:
        teddy_duplicates(settings)
        if SF.exists():
            sf_duplicates(settings)
    print(f"peak memory: {peak_mb():.0f} MB")


if __name__ == "__main__":
    main()
