"""accountability: pre-aggregated monthly figures and their refresh state

Revision ID: e1a0000000f6
Revises: e1a0000000e5
Create Date: 2026-11-23 12:20:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import civicgrid.db

revision: str = "e1a0000000f6"
down_revision: str | None = "e1a0000000e5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "accountability_aggregate_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_event_id", sa.Integer(), nullable=False),
        sa.Column("refreshed_at", civicgrid.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("rebuilt_at", civicgrid.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("months_refreshed", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accountability_aggregate_state")),
    )
    op.create_table(
        "accountability_monthly_figures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("month", sa.Date(), nullable=False, comment="first day of the month, city time"),
        sa.Column("dimension", sa.String(length=16), nullable=False),
        sa.Column(
            "unit",
            sa.String(length=64),
            nullable=False,
            comment="unit id or channel; '' for the city",
        ),
        sa.Column("cases", sa.Integer(), nullable=False),
        sa.Column("response_due", sa.Integer(), nullable=False),
        sa.Column("response_on_time", sa.Integer(), nullable=False),
        sa.Column("resolution_due", sa.Integer(), nullable=False),
        sa.Column("resolved", sa.Integer(), nullable=False),
        sa.Column("resolved_on_time", sa.Integer(), nullable=False),
        sa.Column("rated", sa.Integer(), nullable=False),
        sa.Column("satisfied", sa.Integer(), nullable=False),
        sa.Column("settled", sa.Integer(), nullable=False),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.Column("response_n", sa.Integer(), nullable=False),
        sa.Column("response_p50", sa.Float(), nullable=True),
        sa.Column("response_p90", sa.Float(), nullable=True),
        sa.Column("resolution_n", sa.Integer(), nullable=False),
        sa.Column("resolution_p50", sa.Float(), nullable=True),
        sa.Column("resolution_p90", sa.Float(), nullable=True),
        sa.Column("computed_at", civicgrid.db.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accountability_monthly_figures")),
        sa.UniqueConstraint(
            "month",
            "dimension",
            "unit",
            name=op.f("uq_accountability_monthly_figures_month"),
        ),
    )
    with op.batch_alter_table("accountability_monthly_figures", schema=None) as batch_op:
        batch_op.create_index(
            "ix_accountability_monthly_figures_dimension_month",
            ["dimension", "month"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("accountability_monthly_figures", schema=None) as batch_op:
        batch_op.drop_index("ix_accountability_monthly_figures_dimension_month")
    op.drop_table("accountability_monthly_figures")
    op.drop_table("accountability_aggregate_state")
