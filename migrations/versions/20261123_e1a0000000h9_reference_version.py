"""reference data version: the token under which each process caches what a filing reads

Revision ID: e1a0000000h9
Revises: e1a0000000g8
Create Date: 2026-11-23 15:45:00
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

import civicgrid.db

revision: str = "e1a0000000h9"
down_revision: str | None = "e1a0000000g8"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table(
        "reference_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "token",
            sa.String(length=32),
            nullable=False,
            comment="Random; new with every change",
        ),
        sa.Column("changed_at", civicgrid.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reference_version")),
    )
    # The one row every write to reference data updates (civicgrid.catalog.reference).
    op.bulk_insert(table, [{"id": 1, "token": uuid.uuid4().hex, "changed_at": datetime.now(UTC)}])


def downgrade() -> None:
    op.drop_table("reference_version")
