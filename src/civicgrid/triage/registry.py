"""The model registry: every trained model's card, its approval, and which one serves.

Only an approved model can serve, one at a time; approvals, switches and retirements go into
the audit trail. Artifacts are pickles under the model directory, and a pickle is only loaded
when its SHA-256 matches the one recorded when it was trained.
"""

from __future__ import annotations

import hashlib
import pickle
import re
import threading
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from civicgrid.audit import service as audit
from civicgrid.db import utcnow
from civicgrid.errors import Conflict, Invalid, NotFound
from civicgrid.settings import Settings
from civicgrid.triage.classifier import TextClassifier
from civicgrid.triage.models import TriageModel

PURPOSE = "Suggest a report's category, and through the routing rules its department."
_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_cache_lock = threading.Lock()
_cache: dict[str, TextClassifier] = {}


def model_dir(settings: Settings) -> Path:
    """Where model artifacts are kept: CIVICGRID_TRIAGE_MODEL_DIR or DATA_DIR/models."""
    return settings.triage_model_dir or settings.data_dir / "models"


def check_name(name: str) -> str:
    """A model name as the registry keeps it, or a clear error."""
    if not _NAME.match(name):
        raise Invalid(
            f"model name {name!r}: use 1-64 lower-case letters, digits, '.', '_' or '-'",
            field="name",
        )
    return name


def register(
    session: Session,
    *,
    name: str,
    model: TextClassifier,
    training_data: str,
    training_rows: int,
    evaluation: dict[str, Any],
    trained_by: str,
    settings: Settings,
    now: datetime | None = None,
) -> TriageModel:
    """Store a newly trained model as the next version of ``name``, a candidate."""
    check_name(name)
    version = (
        session.scalar(select(func.max(TriageModel.version)).where(TriageModel.name == name)) or 0
    ) + 1
    folder = model_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{name}-v{version}.pkl"
    blob = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    path.write_bytes(blob)
    row = TriageModel(
        name=name,
        version=version,
        purpose=PURPOSE,
        training_data=training_data,
        training_rows=training_rows,
        labels=list(model.labels),
        parameters=dict(model.parameters),
        evaluation=evaluation,
        artifact_path=str(path.resolve()),
        artifact_sha256=hashlib.sha256(blob).hexdigest(),
        trained_at=now or utcnow(),
        trained_by=trained_by,
        status="candidate",
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor=trained_by,
        action="triage.model_trained",
        subject=f"model:{row.label}",
        details={"rows": training_rows, "macro_f1": evaluation.get("macro_f1")},
        now=now,
    )
    return row


def list_(session: Session) -> list[TriageModel]:
    """Every model version, by name then newest version first."""
    return list(
        session.scalars(select(TriageModel).order_by(TriageModel.name, TriageModel.version.desc()))
    )


def versions(session: Session, name: str) -> list[TriageModel]:
    """Every version of one model, newest first (404 when there is none)."""
    rows = list(
        session.scalars(
            select(TriageModel).where(TriageModel.name == name).order_by(TriageModel.version.desc())
        )
    )
    if not rows:
        raise NotFound(f"no model named {name!r}; `civicgrid model list` shows them")
    return rows


def get_or_raise(session: Session, name: str, version: int | None = None) -> TriageModel:
    """One version of a model; without ``version`` the newest."""
    rows = versions(session, name)
    if version is None:
        return rows[0]
    for row in rows:
        if row.version == version:
            return row
    raise NotFound(
        f"model {name!r} has no version {version}; it has "
        + ", ".join(str(r.version) for r in rows)
    )


def serving(session: Session) -> TriageModel | None:
    """The model that serves suggestions now, if any (never one without an approval)."""
    return session.scalar(
        select(TriageModel).where(
            TriageModel.status == "serving", TriageModel.approved_at.is_not(None)
        )
    )


def approve(
    session: Session, *, model: TriageModel, by: str, now: datetime | None = None
) -> TriageModel:
    """Record that a person reviewed the model's card and approves it to serve."""
    if model.status == "retired":
        raise Conflict(f"model {model.label} is retired; train a new version instead")
    if model.approved_at is not None:
        raise Conflict(f"model {model.label} was already approved by {model.approved_by}")
    model.approved_by = by
    model.approved_at = now or utcnow()
    audit.record(
        session,
        actor=f"user:{by}",
        action="triage.model_approved",
        subject=f"model:{model.label}",
        details={"macro_f1": model.evaluation.get("macro_f1"), "rows": model.training_rows},
        now=now,
    )
    return model


def serve(
    session: Session, *, model: TriageModel, by: str, now: datetime | None = None
) -> TriageModel | None:
    """Make ``model`` the serving one; returns the model it replaces (back to candidate)."""
    now = now or utcnow()
    if model.approved_at is None:
        raise Conflict(
            f"model {model.label} is not approved; a person must approve it first "
            f"(`civicgrid model approve {model.name} --version {model.version} --by NAME`)"
        )
    if model.status == "retired":
        raise Conflict(f"model {model.label} is retired and cannot serve again")
    if model.status == "serving":
        raise Conflict(f"model {model.label} is already serving")
    load(model)  # refuse to switch to an artifact that is missing or altered
    previous = serving(session)
    if previous is not None:
        previous.status = "candidate"
        previous.serving_since = None
    model.status = "serving"
    model.serving_since = now
    session.flush()
    audit.record(
        session,
        actor=f"user:{by}",
        action="triage.model_switched",
        subject=f"model:{model.label}",
        details={"from": previous.label if previous else None, "to": model.label},
        now=now,
    )
    return previous


def retire(
    session: Session, *, model: TriageModel, by: str, now: datetime | None = None
) -> TriageModel:
    """Take a model out of use for good; a serving model stops serving."""
    if model.status == "retired":
        raise Conflict(f"model {model.label} is already retired")
    was = model.status
    model.status = "retired"
    model.serving_since = None
    model.retired_at = now or utcnow()
    audit.record(
        session,
        actor=f"user:{by}",
        action="triage.model_retired",
        subject=f"model:{model.label}",
        details={"was": was},
        now=now,
    )
    return model


def load(model: TriageModel) -> TextClassifier:
    """The model's classifier, read once per process after its checksum is verified."""
    with _cache_lock:
        cached = _cache.get(model.artifact_sha256)
    if cached is not None:
        return cached
    path = Path(model.artifact_path)
    try:
        blob = path.read_bytes()
    except OSError as exc:
        raise Conflict(f"model {model.label}: its artifact {path} cannot be read ({exc})") from exc
    if hashlib.sha256(blob).hexdigest() != model.artifact_sha256:
        raise Conflict(
            f"model {model.label}: {path} does not match the checksum recorded at training; "
            "it was changed or replaced, so it is not loaded"
        )
    classifier = pickle.loads(blob)  # noqa: S301  (our own artifact, checksum verified above)
    if not isinstance(classifier, TextClassifier):
        raise Conflict(f"model {model.label}: {path} holds no civicgrid text classifier")
    with _cache_lock:
        _cache[model.artifact_sha256] = classifier
    return classifier
