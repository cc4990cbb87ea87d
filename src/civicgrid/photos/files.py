"""Files that belong to a database transaction: removed again when it does not commit.

A photo's files are written before its row is flushed, so a committed row always has its
files; if the transaction (or the savepoint) that wrote them rolls back, or the session is
closed without committing, the files are deleted, so no orphan is left in DATA_DIR/photos.
A savepoint that is released hands its files on to the enclosing transaction, which decides.
"""

from __future__ import annotations

import logging
from pathlib import Path

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

_PENDING = "civicgrid.transaction_files"
_COMMITTED = "civicgrid.committed_transactions"
log = logging.getLogger(__name__)


def write(session: Session, path: Path, data: bytes) -> None:
    """Write ``data`` to ``path``, to be deleted if the session's current transaction fails."""
    transaction = session.get_nested_transaction() or session.get_transaction()
    if transaction is None:  # no transaction: begin one, so the file has an owner
        transaction = session.begin()
    pending: dict[SessionTransaction, list[Path]] = session.info.setdefault(_PENDING, {})
    pending.setdefault(transaction, []).append(path)
    path.write_bytes(data)


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if not session.info.get(_PENDING):
        return
    transaction = session.get_nested_transaction() or session.get_transaction()
    if transaction is not None:
        session.info.setdefault(_COMMITTED, set()).add(transaction)


@event.listens_for(Session, "after_transaction_end")
def _ended(session: Session, transaction: SessionTransaction) -> None:
    pending: dict[SessionTransaction, list[Path]] | None = session.info.get(_PENDING)
    if not pending:
        return
    committed: set[SessionTransaction] = session.info.get(_COMMITTED, set())
    was_committed = transaction in committed
    committed.discard(transaction)
    files = pending.pop(transaction, [])
    if was_committed:
        if transaction.parent is not None:
            pending.setdefault(transaction.parent, []).extend(files)
        return
    for path in files:
        path.unlink(missing_ok=True)
    if files:
        log.info("removed %d file(s) written by a transaction that did not commit", len(files))
