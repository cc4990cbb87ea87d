"""reply quality assessments

Revision ID: e1a0000000f7
Revises: e1a0000000f6
Create Date: 2026-11-23 12:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import civicgrid.db

revision: str = "e1a0000000f7"
down_revision: str | None = "e1a0000000f6"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "reply_assessments",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column(
            "event_id",
            sa.Integer(),
            nullable=True,
            comment="The public reply event once the reply was sent; null for a draft",
        ),
        sa.Column(
            "draft_sha256",
            sa.String(length=64),
            nullable=False,
            comment="SHA-256 of the reply text",
        ),
        sa.Column("language", sa.String(length=8), nullable=False),
        sa.Column("relevance", sa.Float(), nullable=False),
        sa.Column("completeness", sa.Float(), nullable=False),
        sa.Column("explanation", sa.Float(), nullable=False),
        sa.Column("timeliness", sa.Float(), nullable=True),
        sa.Column("overall", sa.Float(), nullable=False),
        sa.Column("threshold", sa.Float(), nullable=False, comment="Weak below this overall score"),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.Column(
            "superseded_at",
            civicgrid.db.UtcDateTime(timezone=True),
            nullable=True,
            comment="When a newer draft of the same case replaced this unsent one",
        ),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("cues", sa.JSON(), nullable=False),
        sa.Column("scorer_version", sa.String(length=32), nullable=False),
        sa.Column(
            "assessed_by",
            sa.String(length=100),
            nullable=False,
            comment="Who asked: a user or system",
        ),
        sa.Column("assessed_at", civicgrid.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_reply_assessments_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["case_events.id"],
            name=op.f("fk_reply_assessments_event_id_case_events"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reply_assessments")),
    )
    with op.batch_alter_table("reply_assessments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_reply_assessments_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "ix_reply_assessments_case_draft", ["case_id", "draft_sha256"], unique=False
        )
        batch_op.create_index(
            "ix_reply_assessments_flagged_assessed", ["flagged", "assessed_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("reply_assessments", schema=None) as batch_op:
        batch_op.drop_index("ix_reply_assessments_flagged_assessed")
        batch_op.drop_index("ix_reply_assessments_case_draft")
        batch_op.drop_index(batch_op.f("ix_reply_assessments_case_id"))
    op.drop_table("reply_assessments")
