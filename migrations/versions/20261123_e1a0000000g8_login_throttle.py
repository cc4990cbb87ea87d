"""login throttle: failed web logins, counted per username and per address

Revision ID: e1a0000000g8
Revises: e1a0000000f7
Create Date: 2026-11-23 15:45:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import civicgrid.db

revision: str = "e1a0000000g8"
down_revision: str | None = "e1a0000000f7"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "username", sa.String(length=64), nullable=False, comment="The username typed, as typed"
        ),
        sa.Column(
            "address", sa.String(length=64), nullable=False, comment="The client's IP address"
        ),
        sa.Column("created_at", civicgrid.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_failures")),
    )
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_login_failures_username_created_at", ["username", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_login_failures_address_created_at", ["address", "created_at"], unique=False
        )
        batch_op.create_index("ix_login_failures_created_at", ["created_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("login_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_login_failures_created_at")
        batch_op.drop_index("ix_login_failures_address_created_at")
        batch_op.drop_index("ix_login_failures_username_created_at")
    op.drop_table("login_failures")
