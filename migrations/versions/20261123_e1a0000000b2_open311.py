"""open311 api keys and idempotency

Revision ID: e1a0000000b2
Revises: e1a0000000a1
Create Date: 2026-11-23 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import civicgrid.db

revision: str = "e1a0000000b2"
down_revision: str | None = "e1a0000000a1"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "open311_api_keys",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("key_hash", sa.String(length=64), nullable=False),
        sa.Column(
            "key_prefix",
            sa.String(length=12),
            nullable=False,
            comment="First characters, to tell keys apart",
        ),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("created_at", civicgrid.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", civicgrid.db.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_api_keys")),
        sa.UniqueConstraint("key_hash", name=op.f("uq_open311_api_keys_key_hash")),
        sa.UniqueConstraint("name", name=op.f("uq_open311_api_keys_name")),
    )
    op.create_table(
        "open311_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False, comment="request or update"),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("idempotency_digest", sa.String(length=64), nullable=True),
        sa.Column(
            "fingerprint",
            sa.String(length=64),
            nullable=False,
            comment="SHA-256 of the parameters",
        ),
        sa.Column("api_key_id", sa.Integer(), nullable=True, comment="Set once the key is checked"),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=False),
        sa.Column("response", sa.JSON(), nullable=True),
        sa.Column(
            "params",
            sa.JSON(),
            nullable=True,
            comment="A queued request's parameters; cleared once its case is filed",
        ),
        sa.Column("address_id", sa.String(length=100), nullable=True),
        sa.Column("media_url", sa.String(length=1000), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("created_at", civicgrid.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("filed_at", civicgrid.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["api_key_id"],
            ["open311_api_keys.id"],
            name=op.f("fk_open311_submissions_api_key_id_open311_api_keys"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_open311_submissions_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_open311_submissions")),
        sa.UniqueConstraint(
            "idempotency_digest", name=op.f("uq_open311_submissions_idempotency_digest")
        ),
        sa.UniqueConstraint("token", name=op.f("uq_open311_submissions_token")),
    )
    with op.batch_alter_table("open311_submissions", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_open311_submissions_case_id"), ["case_id"])
        batch_op.create_index(batch_op.f("ix_open311_submissions_created_at"), ["created_at"])
        batch_op.create_index(batch_op.f("ix_open311_submissions_state"), ["state"])


def downgrade() -> None:
    with op.batch_alter_table("open311_submissions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_open311_submissions_state"))
        batch_op.drop_index(batch_op.f("ix_open311_submissions_created_at"))
        batch_op.drop_index(batch_op.f("ix_open311_submissions_case_id"))
    op.drop_table("open311_submissions")
    op.drop_table("open311_api_keys")
