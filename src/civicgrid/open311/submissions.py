"""POST requests: read the form, claim the idempotency key, then file the case (or queue it).

Retries never duplicate. A key (``Idempotency-Key`` header, or ``idempotency_key``/``token``
in the form) is stored, hashed with the API key, in a unique column, and that row is inserted
*first* in the request's transaction. Of concurrent retries one inserts it and files the case;
the others wait on the unique index (PostgreSQL) or the write lock (SQLite), get an
IntegrityError once the first commits, and answer with the first answer stored in the row.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from civicgrid.cases import service as cases
from civicgrid.cases.models import Case
from civicgrid.cases.schemas import CaseCreate, Channel
from civicgrid.catalog import reference
from civicgrid.catalog import service as catalog
from civicgrid.catalog.reference import CategoryTerms
from civicgrid.errors import NotFound
from civicgrid.open311 import apikeys
from civicgrid.open311.formats import Open311Error
from civicgrid.open311.models import Open311Submission
from civicgrid.open311.params import reject_nul
from civicgrid.open311.schemas import PostedRequest, QueuedRequest
from civicgrid.open311.service import MAX_DESCRIPTION, notice
from civicgrid.photos import service as photos
from civicgrid.rows import insert_now
from civicgrid.settings import Settings

Params = Mapping[str, Sequence[str]]
ATTRIBUTE = re.compile(r"^attribute\[([^\[\]]+)\](\[\])?$")
# Parameters that say who is asking rather than what is reported: not part of the fingerprint.
_NOT_FINGERPRINTED = {"api_key", "jurisdiction_id", "idempotency_key", "token"}
# CaseCreate's field names -> the Open311 parameter to name in an error message.
_OPEN311_NAMES = {
    "lon": "long",
    "address": "address_string",
    "contact.email": "email",
    "contact.phone": "phone",
    "contact.name": "first_name/last_name",
}


@dataclass(frozen=True)
class Upload:
    """The ``media`` file of a multipart POST: what the client called it and its bytes."""

    filename: str
    data: bytes


@dataclass(frozen=True)
class Answer:
    """What a POST answers: status, the spec's list body, and whether it is a replay."""

    status_code: int
    body: list[dict[str, Any]]
    replayed: bool = False


def first(params: Params, name: str) -> str | None:
    """The first non-blank value of ``name``; the spec treats empty as absent."""
    for value in params.get(name, ()):
        if value.strip():
            return value.strip()
    return None


def new_token() -> str:
    """A token naming a submission (for tokens/{token})."""
    return secrets.token_urlsafe(12)


def fingerprint(params: Params, upload: Upload | None) -> str:
    """SHA-256 of what is reported, so a reused key with other content is caught."""
    items = sorted((k, list(v)) for k, v in params.items() if k not in _NOT_FINGERPRINTED)
    digest = hashlib.sha256(json.dumps(items, ensure_ascii=False).encode())
    if upload is not None:
        digest.update(hashlib.sha256(upload.data).digest())
    return digest.hexdigest()


def claim(
    session: Session, *, api_key: str, kind: str, key: str | None, fingerprint: str
) -> Open311Submission | Answer:
    """Insert the submission row, first thing; for a key already used, the stored answer.

    Without a key there is nothing to claim and the row is added at the end, except on SQLite:
    inserting before any read makes it take its write lock at the start, so concurrent POSTs
    queue on its busy timeout instead of failing on a stale snapshot.
    """
    row = Open311Submission(kind=kind, token=new_token(), fingerprint=fingerprint)
    row.state, row.status_code = "pending", 0
    if key is None:
        if session.get_bind().dialect.name == "sqlite":
            session.add(row)
            session.flush()
        return row
    if len(key) > 200:
        raise Open311Error(400, "the idempotency key is longer than 200 characters")
    digest = hashlib.sha256(f"{apikeys.hash_key(api_key)}\n{kind}\n{key}".encode()).hexdigest()
    row.idempotency_digest = digest
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:
        stored = session.scalar(
            select(Open311Submission).where(Open311Submission.idempotency_digest == digest)
        )
        if stored is None or stored.response is None:
            raise Open311Error(400, "a request with this idempotency key failed; retry") from None
        if stored.fingerprint != fingerprint:
            raise Open311Error(
                400,
                "this idempotency key was used for a different request; "
                "use a new key for a new report",
            ) from None
        return Answer(stored.status_code, stored.response, replayed=True)
    return row


def submit(
    session: Session,
    *,
    params: Params,
    upload: Upload | None,
    idempotency_key: str | None,
    settings: Settings,
    now: datetime,
) -> Answer:
    """File (or queue) one Open311 POST requests; a retry with the same key changes nothing."""
    api_key = first(params, "api_key")
    if api_key is None:
        raise Open311Error(403, "an api_key is required to post; ask the city for one")
    claimed = claim(
        session,
        api_key=api_key,
        kind="request",
        key=idempotency_key,
        fingerprint=fingerprint(params, upload),
    )
    if isinstance(claimed, Answer):
        return claimed
    row = claimed
    key = apikeys.authenticate(session, api_key)
    reject_nul(params)
    data = parse(params)
    # The category is read here only when needed (answers to check, a title to borrow, or a
    # queue to check against): cases.prepare reads it again, and every round trip counts.
    category = None
    if data["attributes"] or not data["description"] or settings.open311_queue_requests:
        category = _category(session, data["category"])
    create = case_create(category, data)
    # Checked (and stripped of its metadata) now, so a bad photo is refused at once.
    photo = (
        None if upload is None else photos.clean(upload.data, settings=settings, filename="media")
    )
    row.api_key_id = key.id
    row.address_id = first(params, "address_id")
    row.media_url = data["media_url"]
    claimed_first = row in session  # a key, or SQLite: the row exists and is now updated
    if category is not None and settings.open311_queue_requests:
        _queue(row, category, create, upload)
        if not claimed_first:
            insert_now(session, [row])
    else:
        actor = f"apikey:{key.name}"
        new_row = [] if claimed_first else [row]
        _file(session, row, create, photo, new_row, actor=actor, settings=settings, now=now)
    if claimed_first:
        session.flush()
    assert row.response is not None
    return Answer(row.status_code, row.response)


def _file(
    session: Session,
    row: Open311Submission,
    create: CaseCreate,
    photo: photos.CleanPhoto | None,
    also: Sequence[Open311Submission],
    *,
    actor: str,
    settings: Settings,
    now: datetime,
) -> None:
    """File the case; ``also`` (the submission row when not claimed first) is written with it."""
    with session.no_autoflush:  # a claimed row is updated once, at the end
        filing = _prepare(session, create, actor=actor, settings=settings, now=now)
    _filed(row, filing.case, settings=settings, now=now)
    case = cases.write(session, filing, settings=settings, also=also)
    row.case_id = case.id
    if photo is not None:
        photos.store(session, case_id=case.id, photo=photo, settings=settings)


def _filed(row: Open311Submission, case: Case, *, settings: Settings, now: datetime) -> None:
    """Record the filing on the submission, with the answer a retry will get back."""
    answer = PostedRequest(
        service_request_id=case.tracking_id,
        service_notice=notice(case, tz=ZoneInfo(settings.timezone)),
        account_id=None,
    )
    row.state, row.filed_at = "filed", now
    row.status_code, row.response = 201, [answer.model_dump()]


def _category(session: Session, code: str) -> CategoryTerms:
    try:
        return reference.current(session).category_or_raise(code)
    except NotFound:
        raise Open311Error(
            404, f"service_code {code!r} not found; services.json lists them"
        ) from None


def _prepare(
    session: Session, create: CaseCreate, *, actor: str, settings: Settings, now: datetime
) -> cases.Filing:
    try:
        return cases.prepare(session, data=create, settings=settings, actor=actor, now=now)
    except NotFound as exc:
        if exc.field != "category":
            raise
        raise Open311Error(
            404, f"service_code {create.category!r} not found; services.json lists them"
        ) from None


def _queue(
    row: Open311Submission, category: CategoryTerms, create: CaseCreate, upload: Upload | None
) -> None:
    # Answers are checked now, so a bad report is refused at once rather than in the worker.
    catalog.validate_answers(category, create.attributes)
    row.state, row.status_code = "queued", 202
    row.params = {"case": create.model_dump(mode="json")}
    if upload is not None:
        row.params["media"] = base64.b64encode(upload.data).decode()
    answer = QueuedRequest(
        token=row.token,
        service_notice=f"Queued; tokens/{row.token} gives its service_request_id once filed.",
        account_id=None,
    )
    row.response = [answer.model_dump()]


def parse(params: Params) -> dict[str, Any]:
    """The spec's POST parameters, checked; unknown ones are ignored."""
    code = first(params, "service_code")
    if not code:
        raise Open311Error(400, "service_code is required; services.json lists them")
    lat, lon = _coordinate(params, "lat", 90), _coordinate(params, "long", 180)
    if (lat is None) != (lon is None):
        raise Open311Error(400, "send lat and long together")
    address = first(params, "address_string") or ""
    address_id = first(params, "address_id")
    if lat is None and not address and not address_id:
        raise Open311Error(
            400, "say where the problem is: send lat and long, address_string or address_id"
        )
    if address_id and len(address_id) > 100:
        raise Open311Error(400, "address_id is longer than 100 characters")
    if not address and lat is None:
        address = f"Address ID {address_id}"
    description = first(params, "description") or ""
    if len(description) > MAX_DESCRIPTION:
        raise Open311Error(400, f"description is longer than {MAX_DESCRIPTION} characters")
    attributes: dict[str, list[str]] = {}
    for name, values in params.items():
        match = ATTRIBUTE.match(name)
        if match:
            attributes.setdefault(match.group(1), []).extend(v for v in values if v.strip())
    name = " ".join(n for n in (first(params, "first_name"), first(params, "last_name")) if n)
    contact = {
        "name": name or None,
        "email": first(params, "email"),
        "phone": first(params, "phone"),
    }
    return {
        "category": code,
        "lat": lat,
        "lon": lon,
        "address": address,
        "description": description,
        "attributes": attributes,
        "contact": contact if any(contact.values()) else None,
        "media_url": media_url_param(first(params, "media_url")),
    }


def case_create(category: CategoryTerms | None, data: dict[str, Any]) -> CaseCreate:
    """The CaseCreate for a parsed POST; the category's name titles an empty description.

    ``category`` may be None only when there are no answers and there is a description.
    """
    try:
        return CaseCreate(
            category=data["category"],
            title=category.name if category and not data["description"] else "",
            description=data["description"],
            lat=data["lat"],
            lon=data["lon"],
            address=data["address"],
            channel=Channel.API,
            attributes=_answers(category, data["attributes"]) if category else {},
            contact=data["contact"],
        )
    except ValidationError as exc:
        problems = "; ".join(f"{_open311_name(err['loc'])}: {err['msg']}" for err in exc.errors())
        raise Open311Error(400, f"invalid request: {problems}") from None


def _open311_name(loc: Sequence[Any]) -> str:
    name = ".".join(str(p) for p in loc)
    return _OPEN311_NAMES.get(name, name) or "request"


def _answers(category: CategoryTerms, given: dict[str, list[str]]) -> dict[str, Any]:
    """Answers by question; attributes the service does not define are ignored."""
    questions = {q.code: q for q in category.questions}
    answers: dict[str, Any] = {}
    for code, values in given.items():
        question = questions.get(code)
        if question is None or not values:
            continue
        if question.datatype == "multivaluelist":
            answers[code] = values
            continue
        if len(values) > 1:
            raise Open311Error(400, f"attribute[{code}] takes one value; got {len(values)}")
        if question.datatype == "number" and not _finite(values[0]):
            raise Open311Error(400, f"attribute[{code}] must be a number; got {values[0]!r}")
        answers[code] = values[0]
    return answers


def _finite(value: str) -> bool:
    try:
        return math.isfinite(float(value))
    except ValueError:
        return False


def _coordinate(params: Params, name: str, limit: float) -> float | None:
    raw = first(params, name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise Open311Error(400, f"{name} must be a number in WGS84 degrees; got {raw!r}") from None
    if not math.isfinite(value) or abs(value) > limit:
        raise Open311Error(400, f"{name} must be between -{limit:g} and {limit:g}; got {raw!r}")
    return value


def media_url_param(value: str | None) -> str | None:
    if value is None:
        return None
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or len(value) > 1000:
        raise Open311Error(400, "media_url must be an http(s) URL of at most 1000 characters")
    if any(ch.isspace() or ord(ch) < 32 for ch in value):
        raise Open311Error(400, "media_url may not contain spaces or control characters")
    return value
