"""Assignments: who is responsible for a village, group, school, class or child, and when.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

TARGETS = ("area_code", "school_id", "class_id", "child_id")
KINDS = ("village", "group", "school", "class", "child")


def upgrade() -> None:
    op.create_table(
        "assignment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(*KINDS, name="assignmentkind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "area_code",
            sa.String(15).with_variant(sa.String(15, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("school_id", sa.Uuid(), nullable=True),
        sa.Column("class_id", sa.Uuid(), nullable=True),
        sa.Column("child_id", sa.Uuid(), nullable=True),
        sa.Column("valid_from", sa.Date(), nullable=False),
        sa.Column("valid_to", sa.Date(), nullable=True),
        sa.Column("assigned_by_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            " + ".join(f"(CASE WHEN {t} IS NULL THEN 0 ELSE 1 END)" for t in TARGETS) + " = 1",
            name=op.f("ck_assignment_exactly_one_target"),
        ),
        sa.CheckConstraint(
            "valid_to IS NULL OR valid_to >= valid_from", name=op.f("ck_assignment_valid_range")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_assignment_user_id_user")),
        sa.ForeignKeyConstraint(
            ["area_code"], ["area.code"], name=op.f("fk_assignment_area_code_area")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_assignment_school_id_school")
        ),
        sa.ForeignKeyConstraint(
            ["class_id"], ["school_class.id"], name=op.f("fk_assignment_class_id_school_class")
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["child.id"], name=op.f("fk_assignment_child_id_child")
        ),
        sa.ForeignKeyConstraint(
            ["assigned_by_id"], ["user.id"], name=op.f("fk_assignment_assigned_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment")),
    )
    op.create_index("ix_assignment_user_id", "assignment", ["user_id"])
    for target in TARGETS:
        where = sa.text(f"valid_to IS NULL AND {target} IS NOT NULL")
        op.create_index(
            f"uq_assignment_current_{target}",
            "assignment",
            ["kind", target],
            unique=True,
            sqlite_where=where,
            postgresql_where=where,
        )


def downgrade() -> None:
    for target in TARGETS:
        op.drop_index(f"uq_assignment_current_{target}", table_name="assignment")
    op.drop_index("ix_assignment_user_id", table_name="assignment")
    op.drop_table("assignment")
