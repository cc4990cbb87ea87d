"""import speed: leaner case indexes

Revision ID: e1a0000000c3
Revises: e1a0000000b2
Create Date: 2026-11-23 12:00:00

Drops the two case indexes no query uses (EXPLAIN in docs/benchmarks.md): area_id (the area
filter reads case_areas) and resolution_due (the deadline sweep walks open cases by id). A
case's placement gets one foreign key, (area_id, level_id) -> areas (id, level_id), instead of
two, which also holds each placement's level to its area's.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "e1a0000000c3"
down_revision: str | None = "e1a0000000b2"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_cases_resolution_due"))
        batch_op.drop_index(batch_op.f("ix_cases_area_id"))
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.create_unique_constraint(batch_op.f("uq_areas_id"), ["id", "level_id"])
    with op.batch_alter_table("case_areas", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_case_areas_level_id_area_levels"), type_="foreignkey"
        )
        batch_op.drop_constraint(batch_op.f("fk_case_areas_area_id_areas"), type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_case_areas_area_id_areas"),
            "areas",
            ["area_id", "level_id"],
            ["id", "level_id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("case_areas", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_case_areas_area_id_areas"), type_="foreignkey")
        batch_op.create_foreign_key(
            batch_op.f("fk_case_areas_area_id_areas"), "areas", ["area_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_case_areas_level_id_area_levels"), "area_levels", ["level_id"], ["id"]
        )
    with op.batch_alter_table("areas", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("uq_areas_id"), type_="unique")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_cases_area_id"), ["area_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_cases_resolution_due"), ["resolution_due"], unique=False
        )
