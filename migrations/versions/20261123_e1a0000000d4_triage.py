"""triage models and suggestions

Revision ID: e1a0000000d4
Revises: e1a0000000c3
Create Date: 2026-11-23 12:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import civicgrid.db

revision: str = "e1a0000000d4"
down_revision: str | None = "e1a0000000c3"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "triage_models",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column(
            "training_data", sa.Text(), nullable=False, comment="Where the training rows came from"
        ),
        sa.Column("training_rows", sa.Integer(), nullable=False),
        sa.Column("labels", sa.JSON(), nullable=False),
        sa.Column("parameters", sa.JSON(), nullable=False),
        sa.Column(
            "evaluation",
            sa.JSON(),
            nullable=False,
            comment="Cross-validated figures: macro-F1, per-class F1, folds",
        ),
        sa.Column("artifact_path", sa.String(length=500), nullable=False),
        sa.Column("artifact_sha256", sa.String(length=64), nullable=False),
        sa.Column("trained_at", civicgrid.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("trained_by", sa.String(length=100), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("approved_by", sa.String(length=100), nullable=True),
        sa.Column("approved_at", civicgrid.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("serving_since", civicgrid.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("retired_at", civicgrid.db.UtcDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_models")),
        sa.UniqueConstraint("name", "version", name=op.f("uq_triage_models_name")),
    )
    op.create_index(op.f("ix_triage_models_name"), "triage_models", ["name"], unique=False)
    op.create_index(op.f("ix_triage_models_status"), "triage_models", ["status"], unique=False)
    op.create_table(
        "triage_category_settings",
        sa.Column("category_id", sa.Integer(), nullable=False),
        sa.Column(
            "auto_apply_threshold",
            sa.Float(),
            nullable=True,
            comment="Confidence at or above which a suggestion is applied; null: never",
        ),
        sa.Column("duplicate_rings", sa.Integer(), nullable=True),
        sa.Column("duplicate_window_hours", sa.Float(), nullable=True),
        sa.Column("related_categories", sa.JSON(), nullable=False),
        sa.Column("updated_by", sa.String(length=100), nullable=False),
        sa.Column("updated_at", civicgrid.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_triage_category_settings_category_id_categories"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("category_id", name=op.f("pk_triage_category_settings")),
    )
    op.create_table(
        "triage_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("model_id", sa.Integer(), nullable=False),
        sa.Column("model_label", sa.String(length=80), nullable=False, comment="NAME@VERSION"),
        sa.Column("predicted_label", sa.String(length=200), nullable=False),
        sa.Column("category_id", sa.Integer(), nullable=True),
        sa.Column("department_id", sa.Integer(), nullable=True),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("alternatives", sa.JSON(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("previous_category_id", sa.Integer(), nullable=True),
        sa.Column("previous_department_id", sa.Integer(), nullable=True),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", civicgrid.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", civicgrid.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_triage_suggestions_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["category_id"],
            ["categories.id"],
            name=op.f("fk_triage_suggestions_category_id_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["department_id"],
            ["departments.id"],
            name=op.f("fk_triage_suggestions_department_id_departments"),
        ),
        sa.ForeignKeyConstraint(
            ["model_id"],
            ["triage_models.id"],
            name=op.f("fk_triage_suggestions_model_id_triage_models"),
        ),
        sa.ForeignKeyConstraint(
            ["previous_category_id"],
            ["categories.id"],
            name=op.f("fk_triage_suggestions_previous_category_id_categories"),
        ),
        sa.ForeignKeyConstraint(
            ["previous_department_id"],
            ["departments.id"],
            name=op.f("fk_triage_suggestions_previous_department_id_departments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_suggestions")),
    )
    op.create_index(
        op.f("ix_triage_suggestions_case_id"), "triage_suggestions", ["case_id"], unique=False
    )
    op.create_index(
        "ix_triage_suggestions_model_created",
        "triage_suggestions",
        ["model_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "triage_duplicate_suggestions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("original_case_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Float(), nullable=False),
        sa.Column("reasons", sa.JSON(), nullable=False),
        sa.Column("method", sa.String(length=80), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=100), nullable=True),
        sa.Column("decided_at", civicgrid.db.UtcDateTime(timezone=True), nullable=True),
        sa.Column("created_at", civicgrid.db.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["cases.id"],
            name=op.f("fk_triage_duplicate_suggestions_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["original_case_id"],
            ["cases.id"],
            name=op.f("fk_triage_duplicate_suggestions_original_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_duplicate_suggestions")),
        sa.UniqueConstraint(
            "case_id", "original_case_id", name=op.f("uq_triage_duplicate_suggestions_case_id")
        ),
    )
    op.create_index(
        op.f("ix_triage_duplicate_suggestions_case_id"),
        "triage_duplicate_suggestions",
        ["case_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_triage_duplicate_suggestions_original_case_id"),
        "triage_duplicate_suggestions",
        ["original_case_id"],
        unique=False,
    )
    op.create_table(
        "triage_case_merges",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("duplicate_case_id", sa.Integer(), nullable=False),
        sa.Column("original_case_id", sa.Integer(), nullable=False),
        sa.Column("suggestion_id", sa.Integer(), nullable=True),
        sa.Column(
            "supporter_id",
            sa.Integer(),
            nullable=True,
            comment="The me-too (case_supporters.id) the merge added to the original",
        ),
        sa.Column("duplicate_status_before", sa.String(length=16), nullable=False),
        sa.Column("merged_by", sa.String(length=100), nullable=False),
        sa.Column("merged_at", civicgrid.db.UtcDateTime(timezone=True), nullable=False),
        sa.Column("undone_by", sa.String(length=100), nullable=True),
        sa.Column("undone_at", civicgrid.db.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["duplicate_case_id"],
            ["cases.id"],
            name=op.f("fk_triage_case_merges_duplicate_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["original_case_id"],
            ["cases.id"],
            name=op.f("fk_triage_case_merges_original_case_id_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["suggestion_id"],
            ["triage_duplicate_suggestions.id"],
            name=op.f("fk_triage_case_merges_suggestion_id_triage_duplicate_suggestions"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_triage_case_merges")),
    )
    op.create_index(
        op.f("ix_triage_case_merges_duplicate_case_id"),
        "triage_case_merges",
        ["duplicate_case_id"],
        unique=False,
    )
    op.create_index(
        op.f("ix_triage_case_merges_original_case_id"),
        "triage_case_merges",
        ["original_case_id"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_triage_case_merges_original_case_id"), table_name="triage_case_merges")
    op.drop_index(op.f("ix_triage_case_merges_duplicate_case_id"), table_name="triage_case_merges")
    op.drop_table("triage_case_merges")
    op.drop_index(
        op.f("ix_triage_duplicate_suggestions_original_case_id"),
        table_name="triage_duplicate_suggestions",
    )
    op.drop_index(
        op.f("ix_triage_duplicate_suggestions_case_id"), table_name="triage_duplicate_suggestions"
    )
    op.drop_table("triage_duplicate_suggestions")
    op.drop_index("ix_triage_suggestions_model_created", table_name="triage_suggestions")
    op.drop_index(op.f("ix_triage_suggestions_case_id"), table_name="triage_suggestions")
    op.drop_table("triage_suggestions")
    op.drop_table("triage_category_settings")
    op.drop_index(op.f("ix_triage_models_status"), table_name="triage_models")
    op.drop_index(op.f("ix_triage_models_name"), table_name="triage_models")
    op.drop_table("triage_models")
