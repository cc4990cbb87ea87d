"""`civicgrid model`: train, evaluate, approve, serve and retire the triage models."""

from __future__ import annotations

import getpass
import json
from datetime import datetime
from pathlib import Path
from typing import Annotated

import typer

from civicgrid.cli.common import console, load_settings, open_database
from civicgrid.db import transaction
from civicgrid.triage import registry, report, training
from civicgrid.triage.models import TriageModel

app = typer.Typer(
    help="Triage models: train, predict, approve, serve, retire.", no_args_is_help=True
)

VersionOption = Annotated[
    int | None, typer.Option(help="Model version (default: the newest).", min=1)
]
ByOption = Annotated[str, typer.Option("--by", help="Who decides (your staff user name).")]
TextColumns = Annotated[
    list[str],
    typer.Option("--text-column", help="Column holding the text; repeat to join several."),
]


def _summary(model: TriageModel) -> str:
    f1 = (model.evaluation or {}).get("macro_f1")
    approved = f"approved by {model.approved_by}" if model.approved_by else "not approved"
    return (
        f"{model.label:<28} {model.status:<9} rows={model.training_rows:<6} "
        f"macro-F1={f1 if f1 is not None else '-'}  {approved}"
    )


@app.command("train")
def train(
    name: Annotated[str, typer.Option(help="Model name; a new version if it exists.")],
    data: Annotated[Path | None, typer.Option(help="Training CSV (UTF-8).")] = None,
    text_column: TextColumns = None,  # type: ignore[assignment]
    label_column: Annotated[str | None, typer.Option(help="Column holding the label.")] = None,
    from_cases: Annotated[
        bool, typer.Option("--from-cases", help="Learn from this instance's closed cases.")
    ] = False,
    since: Annotated[
        datetime | None, typer.Option(help="With --from-cases: only cases filed since.")
    ] = None,
    folds: Annotated[int, typer.Option(help="Cross-validation folds.", min=2, max=20)] = 5,
    c: Annotated[float, typer.Option("--c", help="SVM regularisation C.", min=1e-4)] = 1.0,
) -> None:
    """Train a category model, cross-validate it and register it as a candidate."""
    settings = load_settings()
    if from_cases == (data is not None):
        raise typer.BadParameter("give either --data FILE.csv or --from-cases")
    engine, factory = open_database(settings)
    try:
        with transaction(factory) as session:
            if data is not None:
                if not text_column or not label_column:
                    raise typer.BadParameter("--data needs --text-column and --label-column")
                dataset = training.from_csv(
                    data, text_columns=text_column, label_column=label_column
                )
            else:
                dataset = training.from_cases(session, since=since)
            console.print(f"training {name} on {len(dataset.texts)} rows ...")
            model = training.train(
                session,
                name=name,
                data=dataset,
                trained_by=f"user:{getpass.getuser()}",
                settings=settings,
                folds=folds,
                c=c,
            )
            typer.echo(_summary(model))
            typer.echo(json.dumps(model.evaluation["per_class_f1"], ensure_ascii=False))
    finally:
        engine.dispose()
    console.print(
        f"registered as a candidate; review `civicgrid model show {name}`, then approve it"
    )


@app.command("predict")
def predict(
    model: Annotated[str, typer.Option(help="Model name.")],
    input: Annotated[Path, typer.Option("--input", help="CSV to classify (UTF-8).")],
    output: Annotated[Path, typer.Option(help="Where to write the CSV with predictions.")],
    text_column: TextColumns = None,  # type: ignore[assignment]
    version: VersionOption = None,
) -> None:
    """Add `predicted` and `confidence` columns to a CSV (any model, approved or not)."""
    if not text_column:
        raise typer.BadParameter("give --text-column")
    settings = load_settings()
    engine, factory = open_database(settings)
    try:
        with transaction(factory) as session:
            row = registry.get_or_raise(session, model, version)
            classifier = registry.load(row)
    finally:
        engine.dispose()
    count = training.predict_csv(classifier, source=input, text_columns=text_column, output=output)
    console.print(f"{count} rows classified by {row.label} -> {output}")


def _decide(name: str, version: int | None, by: str, verb: str) -> None:
    settings = load_settings()
    engine, factory = open_database(settings)
    try:
        with transaction(factory) as session:
            row = registry.get_or_raise(session, name, version)
            if verb == "approve":
                registry.approve(session, model=row, by=by)
                message = f"{row.label} approved by {by}"
            elif verb == "serve":
                previous = registry.serve(session, model=row, by=by)
                message = f"{row.label} now serves" + (
                    f" (replacing {previous.label})" if previous else ""
                )
            else:
                registry.retire(session, model=row, by=by)
                message = f"{row.label} retired"
    finally:
        engine.dispose()
    console.print(message)


@app.command("approve")
def approve(name: str, by: ByOption, version: VersionOption = None) -> None:
    """Approve a model after reviewing its card; only approved models can serve."""
    _decide(name, version, by, "approve")


@app.command("serve")
def serve(name: str, by: ByOption, version: VersionOption = None) -> None:
    """Switch suggestions to this approved model (logged in the audit trail)."""
    _decide(name, version, by, "serve")


@app.command("retire")
def retire(name: str, by: ByOption, version: VersionOption = None) -> None:
    """Retire a model for good; if it was serving, no model serves until another is switched on."""
    _decide(name, version, by, "retire")


@app.command("list")
def list_models() -> None:
    """Every model version with its status, figures and approval."""
    settings = load_settings()
    engine, factory = open_database(settings)
    try:
        with transaction(factory) as session:
            rows = registry.list_(session)
            for row in rows:
                typer.echo(_summary(row))
    finally:
        engine.dispose()
    if not rows:
        console.print("no models yet: `civicgrid model train --help`")


@app.command("show")
def show(name: str, version: VersionOption = None) -> None:
    """A model's card as JSON: purpose, data, figures, approval, monthly use."""
    settings = load_settings()
    engine, factory = open_database(settings)
    try:
        with transaction(factory) as session:
            row = registry.get_or_raise(session, name, version)
            usage = report.monthly(session, model_ids=[row.id], settings=settings)
            card = report.card(row, usage[row.id])
    finally:
        engine.dispose()
    typer.echo(json.dumps(card, ensure_ascii=False, indent=2, default=str))
