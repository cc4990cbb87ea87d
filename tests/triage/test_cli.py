"""`civicgrid model` against a fresh SQLite database (the CLI commits)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from civicgrid.cli.main import app
from tests.conftest import shared_file
from tests.triage.conftest import dataset

runner = CliRunner()


@pytest.fixture
def fresh_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "cli.db"
    monkeypatch.setenv("CIVICGRID_DATABASE_URL", f"sqlite:///{db}")
    monkeypatch.setenv("CIVICGRID_DATA_DIR", str(tmp_path))
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    return db


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


def test_train_predict_approve_serve(fresh_db: Path, tmp_path: Path) -> None:
    data = dataset()
    source = _write(
        tmp_path / "train.csv",
        [{"text": t, "label": lab} for t, lab in zip(data.texts, data.labels, strict=True)],
    )
    trained = runner.invoke(
        app,
        [
            "model",
            "train",
            "--data",
            str(source),
            "--text-column",
            "text",
            "--label-column",
            "label",
            "--name",
            "demo",
            "--folds",
            "2",
        ],
    )
    assert trained.exit_code == 0, trained.output
    assert "demo@1" in trained.stdout
    unseen = _write(
        tmp_path / "new.csv",
        [
            {"id": "1", "text": "pothole in the avenue road"},
            {"id": "2", "text": "graffiti paint on wall"},
        ],
    )
    out = tmp_path / "out.csv"
    predicted = runner.invoke(
        app,
        [
            "model",
            "predict",
            "--model",
            "demo",
            "--input",
            str(unseen),
            "--text-column",
            "text",
            "--output",
            str(out),
        ],
    )
    assert predicted.exit_code == 0, predicted.output
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [r["predicted"] for r in rows] == ["pothole", "graffiti"]
    assert all(0 < float(r["confidence"]) <= 1 for r in rows)
    refused = runner.invoke(app, ["model", "serve", "demo", "--by", "ann"])
    assert refused.exit_code == 1
    assert "not approved" in refused.output
    assert runner.invoke(app, ["model", "approve", "demo", "--by", "ann"]).exit_code == 0
    assert runner.invoke(app, ["model", "serve", "demo", "--by", "ann"]).exit_code == 0
    listed = runner.invoke(app, ["model", "list"])
    assert "serving" in listed.stdout
    assert "approved by ann" in listed.stdout
    card = json.loads(runner.invoke(app, ["model", "show", "demo"]).stdout)
    assert card["approved_by"] == "ann"
    assert runner.invoke(app, ["model", "retire", "demo", "--by", "ann"]).exit_code == 0


def test_bad_input_gets_clear_errors(fresh_db: Path, tmp_path: Path) -> None:
    source = _write(tmp_path / "t.csv", [{"text": "a", "label": "x"}, {"text": "b", "label": "x"}])
    wrong = runner.invoke(
        app,
        [
            "model",
            "train",
            "--data",
            str(source),
            "--text-column",
            "body",
            "--label-column",
            "label",
            "--name",
            "m",
        ],
    )
    assert wrong.exit_code == 1
    assert "no column 'body'" in wrong.output
    one_label = runner.invoke(
        app,
        [
            "model",
            "train",
            "--data",
            str(source),
            "--text-column",
            "text",
            "--label-column",
            "label",
            "--name",
            "m",
        ],
    )
    assert "two different labels" in one_label.output
    assert runner.invoke(app, ["model", "train", "--name", "m"]).exit_code != 0
    assert "no models yet" in runner.invoke(app, ["model", "list"]).output
    from_cases = runner.invoke(app, ["model", "train", "--from-cases", "--name", "m"])
    assert "two different labels" in from_cases.output


def test_teddy_cup_sample_trains_and_predicts_raw_text(fresh_db: Path, tmp_path: Path) -> None:
    path = shared_file("teddycup2020c", "messages_labelled_segmented.csv")
    with path.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))[::20]
    sample = _write(tmp_path / "sample.csv", rows)
    trained = runner.invoke(
        app,
        [
            "model",
            "train",
            "--data",
            str(sample),
            "--text-column",
            "text_segmented",
            "--label-column",
            "label",
            "--name",
            "teddy",
            "--folds",
            "3",
        ],
    )
    assert trained.exit_code == 0, trained.output
    raw = _write(tmp_path / "raw.csv", [{"t": "小区附近的学校老师乱收补课费,请教育局查处"}])
    out = tmp_path / "raw_out.csv"
    assert (
        runner.invoke(
            app,
            [
                "model",
                "predict",
                "--model",
                "teddy",
                "--input",
                str(raw),
                "--text-column",
                "t",
                "--output",
                str(out),
            ],
        ).exit_code
        == 0
    )
    assert next(csv.DictReader(out.open(encoding="utf-8")))["predicted"] == "教育文体"
