"""Duplicate suggestions for cases, and merging: the duplicate becomes a "me too" on its
original, its reporter follows the original, and the merge can be undone.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ARRAY, ColumnElement, Integer, Select, String, any_, bindparam, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.types import TypeEngine

from civicgrid.audit import service as audit
from civicgrid.cases import supporters, workflow
from civicgrid.cases.models import Case
from civicgrid.cases.supporters import CaseSupporter
from civicgrid.catalog import reference
from civicgrid.db import utcnow
from civicgrid.errors import Conflict, NotFound
from civicgrid.rows import insert_now
from civicgrid.settings import Settings
from civicgrid.triage import duplicates
from civicgrid.triage.models import CaseMerge, DuplicateSuggestion
from civicgrid.triage.service import case_text


def rules_for(session: Session, category_id: int, settings: Settings) -> duplicates.Rules:
    """The duplicate rules of a category: its own settings, else the instance defaults."""
    terms = reference.current(session).duplicate_terms.get(category_id)
    rings = terms.rings if terms and terms.rings is not None else None
    hours = terms.window_hours if terms and terms.window_hours else None
    return duplicates.Rules(
        rings=settings.triage_duplicate_rings if rings is None else rings,
        window=timedelta(hours=hours or settings.triage_duplicate_window_hours),
        related=terms.related if terms else frozenset(),
    )


def _report(case: Case, codes: Mapping[int, str]) -> duplicates.Report:
    return duplicates.Report(
        key=case.id,
        text=case_text(case),
        category=codes[case.category_id],
        created_at=case.created_at,
        h3_cell=case.h3_cell,
    )


def _candidates(
    session: Session, case: Case, rules: duplicates.Rules, codes: Mapping[int, str]
) -> list[duplicates.Report]:
    wanted = {case.category_id} | {cid for cid, code in codes.items() if code in rules.related}
    params: dict[str, Any] = {
        "case_id": case.id or 0,  # none yet while the case is being filed
        "categories": sorted(wanted),
        "since": case.created_at - rules.window,
        "until": case.created_at,
    }
    if case.h3_cell is not None:
        params["cells"] = duplicates.disk(case.h3_cell, rules.rings)
    postgres = session.get_bind().dialect.name == "postgresql"
    # Plain columns, read on the connection: the ORM's statement handling cost more than the
    # query. No autoflush, so a caller with changes to other cases flushes them first.
    query = _candidate_query(placed=case.h3_cell is not None, arrays=postgres)
    rows = session.connection().execute(query, params)
    return [
        duplicates.Report(
            key=row.id,
            text=case_text(row),
            category=codes[row.category_id],
            created_at=row.created_at,
            h3_cell=row.h3_cell,
        )
        for row in rows
    ]


@functools.cache
def _candidate_query(
    *, placed: bool, arrays: bool
) -> Select[int, str, str, int, datetime, str | None]:
    # Built once, with parameters: building it cost more than running it. Only the columns a
    # report needs: loading whole cases cost more than the search itself. With ``arrays``
    # (PostgreSQL) the lists are one array parameter each, ``= ANY(...)``, so the SQL text is
    # the same for every filing and the driver prepares it once.
    merged = select(CaseMerge.duplicate_case_id).where(CaseMerge.undone_at.is_(None))
    query = (
        select(
            Case.id, Case.title, Case.description, Case.category_id, Case.created_at, Case.h3_cell
        )
        .where(
            Case.id != bindparam("case_id"),
            Case.status.in_(workflow.OPEN_STATES),
            _among(Case.category_id, "categories", Integer(), arrays=arrays),
            Case.created_at >= bindparam("since"),
            Case.created_at <= bindparam("until"),
            Case.id.not_in(merged),
        )
        .order_by(Case.created_at.desc())
        .limit(duplicates.MAX_UNPLACED_CANDIDATES)
    )
    if placed:
        query = query.where(_among(Case.h3_cell, "cells", String(), arrays=arrays))
    return query


def _among(
    column: InstrumentedAttribute[Any], name: str, item: TypeEngine[Any], *, arrays: bool
) -> ColumnElement[bool]:
    if arrays:
        return column == any_(bindparam(name, type_=ARRAY(item)))
    return column.in_(bindparam(name, expanding=True))


def find(session: Session, *, case: Case, settings: Settings) -> list[duplicates.Match]:
    """Open cases that are probably the same problem as ``case``, best first."""
    rules = rules_for(session, case.category_id, settings)
    codes = reference.current(session).category_codes
    matches = duplicates.rank(
        _report(case, codes),
        _candidates(session, case, rules, codes),
        rules,
        settings.triage_duplicate_limit,
    )
    return [m for m in matches if m.score >= settings.triage_duplicate_threshold]


def suggest(
    session: Session,
    *,
    case: Case,
    settings: Settings,
    now: datetime | None = None,
    known: Sequence[DuplicateSuggestion] | None = None,
) -> list[DuplicateSuggestion]:
    """Find and store the duplicate suggestions of a new case (pairs already known are kept).

    ``known`` are the case's suggestions when the caller knows them: none for a case filed in
    this very transaction.
    """
    existing = list(suggestions_for(session, case) if known is None else known)
    matches = find(session, case=case, settings=settings)
    return record(session, case=case, matches=matches, existing=existing, now=now)


def record(
    session: Session,
    *,
    case: Case,
    matches: Sequence[duplicates.Match],
    existing: Sequence[DuplicateSuggestion] = (),
    now: datetime | None = None,
) -> list[DuplicateSuggestion]:
    """Store ``matches`` as duplicate suggestions of ``case``; pairs in ``existing`` are kept."""
    rows = suggestion_rows(case=case, matches=matches, existing=existing, now=now)
    insert_now(session, rows)
    return sorted([*existing, *rows], key=lambda row: (-row.score, row.id))


def suggestion_rows(
    *,
    case: Case,
    matches: Sequence[duplicates.Match],
    existing: Sequence[DuplicateSuggestion] = (),
    now: datetime | None = None,
) -> list[DuplicateSuggestion]:
    """New, unwritten suggestions of ``case`` for ``matches``, skipping pairs in ``existing``."""
    now = now or utcnow()
    seen = {row.original_case_id for row in existing}
    return [
        DuplicateSuggestion(
            case_id=case.id,
            original_case_id=match.key,
            score=match.score,
            reasons=match.reasons,
            method=duplicates.METHOD,
            status="open",
            created_at=now,
        )
        for match in matches
        if match.key not in seen
    ]


def suggestions_for(session: Session, case: Case) -> list[DuplicateSuggestion]:
    """The duplicate suggestions of a case, best first."""
    return list(
        session.scalars(
            select(DuplicateSuggestion)
            .where(DuplicateSuggestion.case_id == case.id)
            .order_by(DuplicateSuggestion.score.desc(), DuplicateSuggestion.id)
        )
    )


def get_suggestion_or_raise(session: Session, suggestion_id: int) -> DuplicateSuggestion:
    """One duplicate suggestion by id."""
    found = session.get(DuplicateSuggestion, suggestion_id)
    if found is None:
        raise NotFound(f"no duplicate suggestion {suggestion_id}")
    return found


def active_merge(session: Session, case: Case) -> CaseMerge | None:
    """The merge that made ``case`` a me-too of another, unless it was undone."""
    return session.scalar(
        select(CaseMerge).where(
            CaseMerge.duplicate_case_id == case.id, CaseMerge.undone_at.is_(None)
        )
    )


def followed_case(session: Session, case: Case) -> Case:
    """The case whose progress the reporter of ``case`` follows: its original when merged."""
    merge = active_merge(session, case)
    if merge is None:
        return case
    original = session.get(Case, merge.original_case_id)
    assert original is not None  # a foreign key guarantees it
    return original


def me_too_count(session: Session, case: Case) -> int:
    """How many other reports were merged into ``case`` as the same problem."""
    return int(
        session.scalar(
            select(func.count()).where(
                CaseMerge.original_case_id == case.id, CaseMerge.undone_at.is_(None)
            )
        )
        or 0
    )


def _check_mergeable(session: Session, duplicate: Case, original: Case) -> None:
    if duplicate.id == original.id:
        raise Conflict("a case cannot be merged into itself")
    if active_merge(session, duplicate):
        raise Conflict(f"case {duplicate.tracking_id} is already merged into another case")
    into = active_merge(session, original)
    if into is not None:
        target = session.get(Case, into.original_case_id)
        assert target is not None
        raise Conflict(
            f"case {original.tracking_id} is itself a me-too of {target.tracking_id}; "
            f"merge into {target.tracking_id} instead"
        )


def merge(
    session: Session,
    *,
    duplicate: Case,
    original: Case,
    by: str,
    settings: Settings,
    suggestion: DuplicateSuggestion | None = None,
    now: datetime | None = None,
) -> CaseMerge:
    """Make ``duplicate`` a me-too of ``original``: closed with a pointer, its reporter following
    the original. Undo with :func:`undo`.
    """
    now = now or utcnow()
    _check_mergeable(session, duplicate, original)
    row = CaseMerge(
        duplicate_case_id=duplicate.id,
        original_case_id=original.id,
        suggestion_id=suggestion.id if suggestion else None,
        duplicate_status_before=duplicate.status,
        merged_by=by,
        merged_at=now,
    )
    row.supporter_id = supporters.add(session, case=original, channel=duplicate.channel, now=now).id
    session.add(row)
    if (
        duplicate.status in workflow.TRANSITIONS
        and "closed" in workflow.TRANSITIONS[duplicate.status]
    ):
        workflow.transition(
            session,
            case=duplicate,
            to_status="closed",
            actor=by,
            settings=settings,
            reason=f"The same problem was already reported as case {original.tracking_id}; "
            "this report now follows that case.",
            now=now,
        )
    workflow.add_message(
        session,
        case=original,
        body=f"Me too: case {duplicate.tracking_id} reports the same problem and was merged here.",
        actor=by,
        public=False,
        now=now,
    )
    if suggestion is not None:
        suggestion.status, suggestion.decided_by, suggestion.decided_at = "merged", by, now
    session.flush()
    audit.record(
        session,
        actor=f"user:{by}",
        action="triage.cases_merged",
        subject=f"case:{duplicate.tracking_id}",
        details={"original": original.tracking_id, "suggestion": row.suggestion_id},
        now=now,
    )
    return row


def undo(
    session: Session,
    *,
    merge_row: CaseMerge,
    by: str,
    settings: Settings,
    now: datetime | None = None,
) -> CaseMerge:
    """Undo a merge: the duplicate stands alone again, reopened if the merge closed it."""
    now = now or utcnow()
    if merge_row.undone_at is not None:
        raise Conflict(f"merge {merge_row.id} was already undone by {merge_row.undone_by}")
    duplicate = session.get(Case, merge_row.duplicate_case_id)
    original = session.get(Case, merge_row.original_case_id)
    assert duplicate is not None
    assert original is not None
    merge_row.undone_by, merge_row.undone_at = by, now
    if merge_row.supporter_id is not None:
        supporter = session.get(CaseSupporter, merge_row.supporter_id)
        if supporter is not None:
            session.delete(supporter)
        merge_row.supporter_id = None
    if duplicate.status == "closed" and merge_row.duplicate_status_before != "closed":
        workflow.transition(
            session,
            case=duplicate,
            to_status="reopened",
            actor=by,
            settings=settings,
            reason=f"Not the same problem as case {original.tracking_id} after all; "
            "this report is worked on its own again.",
            now=now,
        )
    if merge_row.suggestion_id is not None:
        suggestion = session.get(DuplicateSuggestion, merge_row.suggestion_id)
        if suggestion is not None:
            suggestion.status, suggestion.decided_by, suggestion.decided_at = "unmerged", by, now
    session.flush()
    audit.record(
        session,
        actor=f"user:{by}",
        action="triage.merge_undone",
        subject=f"case:{duplicate.tracking_id}",
        details={"original": original.tracking_id, "merge": merge_row.id},
        now=now,
    )
    return merge_row


def get_merge_or_raise(session: Session, merge_id: int) -> CaseMerge:
    """One merge by id."""
    found = session.get(CaseMerge, merge_id)
    if found is None:
        raise NotFound(f"no merge {merge_id}")
    return found


def dismiss(
    session: Session, *, suggestion: DuplicateSuggestion, by: str, now: datetime | None = None
) -> DuplicateSuggestion:
    """Staff say the two cases are different problems."""
    if suggestion.status != "open":
        raise Conflict(f"duplicate suggestion {suggestion.id} is already {suggestion.status}")
    suggestion.status, suggestion.decided_by, suggestion.decided_at = (
        "dismissed",
        by,
        now or utcnow(),
    )
    session.flush()
    return suggestion
