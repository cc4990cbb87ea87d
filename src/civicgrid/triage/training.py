"""Training a category model from a CSV file or from the instance's own closed cases, and
predicting a CSV file with one: what `civicgrid model train|predict` run.
"""

from __future__ import annotations

import csv
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from civicgrid.cases.models import Case
from civicgrid.catalog.models import Category
from civicgrid.errors import Invalid
from civicgrid.settings import Settings
from civicgrid.triage import classifier, evaluation, features, registry
from civicgrid.triage.models import TriageModel
from civicgrid.triage.service import case_text

MIN_ROWS_PER_LABEL = 2


@dataclass
class TrainingSet:
    """Texts with their labels, and a sentence saying where they came from."""

    texts: list[str]
    labels: list[str]
    description: str


def _open_csv(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    csv.field_size_limit(sys.maxsize)
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            reader = csv.DictReader(handle)
            rows = list(reader)
            return list(reader.fieldnames or []), rows
    except OSError as exc:
        raise Invalid(f"cannot read {path}: {exc.strerror}", field="data") from exc
    except UnicodeDecodeError as exc:
        raise Invalid(f"{path} is not UTF-8 text; save it as UTF-8 CSV", field="data") from exc


def _require_columns(path: Path, header: list[str], wanted: Sequence[str]) -> None:
    missing = [c for c in wanted if c not in header]
    if missing:
        raise Invalid(
            f"{path} has no column {', '.join(map(repr, missing))}; its columns are: "
            + ", ".join(header),
            field="column",
        )


def read_texts(path: Path, text_columns: Sequence[str]) -> tuple[list[str], list[dict[str, str]]]:
    """The texts of a CSV file (several text columns are joined) and its rows."""
    header, rows = _open_csv(path)
    _require_columns(path, header, text_columns)
    texts = ["\n".join((row.get(c) or "").strip() for c in text_columns) for row in rows]
    return texts, rows


def from_csv(path: Path, *, text_columns: Sequence[str], label_column: str) -> TrainingSet:
    """A training set from a CSV file; rows without text or label are skipped."""
    header, _ = _open_csv(path)
    _require_columns(path, header, [*text_columns, label_column])
    texts, rows = read_texts(path, text_columns)
    pairs = [
        (t, (r.get(label_column) or "").strip())
        for t, r in zip(texts, rows, strict=True)
        if t.strip() and (r.get(label_column) or "").strip()
    ]
    return TrainingSet(
        texts=[t for t, _ in pairs],
        labels=[label for _, label in pairs],
        description=f"{path.name}: column(s) {', '.join(text_columns)} labelled by "
        f"{label_column}; {len(pairs)} of {len(rows)} rows had both",
    )


def from_cases(session: Session, *, since: datetime | None = None) -> TrainingSet:
    """A training set from the instance's closed cases: title and description -> category."""
    query = (
        select(Case, Category.code)
        .join(Category, Category.id == Case.category_id)
        .where(Case.status == "closed")
    )
    if since is not None:
        query = query.where(Case.created_at >= since)
    pairs = [(case_text(case), code) for case, code in session.execute(query)]
    pairs = [(t, c) for t, c in pairs if t]
    return TrainingSet(
        texts=[t for t, _ in pairs],
        labels=[c for _, c in pairs],
        description=f"{len(pairs)} closed cases of this instance (title + description -> "
        "category code)" + (f", filed since {since:%Y-%m-%d}" if since else ""),
    )


def _check(data: TrainingSet, folds: int) -> None:
    counts = Counter(data.labels)
    if len(counts) < 2:
        raise Invalid("training needs at least two different labels", field="label")
    rare = sorted(label for label, n in counts.items() if n < max(MIN_ROWS_PER_LABEL, folds))
    if rare:
        raise Invalid(
            f"labels with fewer than {max(MIN_ROWS_PER_LABEL, folds)} rows cannot be learnt or "
            f"cross-validated: {', '.join(rare[:10])}; add examples or drop them",
            field="label",
        )


def train(
    session: Session,
    *,
    name: str,
    data: TrainingSet,
    trained_by: str,
    settings: Settings,
    folds: int = 5,
    c: float = classifier.DEFAULT_C,
) -> TriageModel:
    """Cross-validate, fit on every row and register the model as a candidate."""
    registry.check_name(name)
    if folds < 2:
        raise Invalid("cross-validation needs at least 2 folds", field="folds")
    _check(data, folds)
    labels = sorted(set(data.labels))
    index = {label: i for i, label in enumerate(labels)}
    y = np.array([index[label] for label in data.labels], dtype=np.int64)
    prepared = [features.prepare(t) for t in data.texts]
    table = classifier.GramTable(prepared)
    cv = evaluation.cross_validate(table, prepared, y, labels, folds=folds, c=c)
    temperature = classifier.fit_temperature(cv.scores, y)
    model = classifier.train(prepared, y, labels, table=table, c=c, temperature=temperature)
    return registry.register(
        session,
        name=name,
        model=model,
        training_data=data.description,
        training_rows=len(y),
        evaluation=cv.figures(temperature),
        trained_by=trained_by,
        settings=settings,
    )


def predict_csv(
    model: classifier.TextClassifier,
    *,
    source: Path,
    text_columns: Sequence[str],
    output: Path,
    batch: int = 2000,
) -> int:
    """Write ``source`` with ``predicted`` and ``confidence`` columns added; returns the rows."""
    texts, rows = read_texts(source, text_columns)
    header = list(rows[0].keys()) if rows else list(text_columns)
    with output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=[*header, "predicted", "confidence"])
        writer.writeheader()
        for start in range(0, len(rows), batch):
            chunk = texts[start : start + batch]
            for row, p in zip(rows[start : start + batch], model.predict(chunk), strict=True):
                writer.writerow({**row, "predicted": p.label, "confidence": f"{p.confidence:.4f}"})
    return len(rows)
