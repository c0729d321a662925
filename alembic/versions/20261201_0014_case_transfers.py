"""Cases handed to another township or school when the child moves, accepted by the receiving side.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 11:52:28.546568
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "case_transfer",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "to_area_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("to_school_id", sa.Uuid(), nullable=True),
        sa.Column(
            "from_area_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("from_school_id", sa.Uuid(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("requested_by_id", sa.Uuid(), nullable=False),
        sa.Column("requested_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "pending",
                "accepted",
                "declined",
                name="transferoutcome",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "(to_area_code IS NULL) <> (to_school_id IS NULL)",
            name=op.f("ck_case_transfer_one_target"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["dropout_case.id"], name=op.f("fk_case_transfer_case_id_dropout_case")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user.id"], name=op.f("fk_case_transfer_decided_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["from_school_id"], ["school.id"], name=op.f("fk_case_transfer_from_school_id_school")
        ),
        sa.ForeignKeyConstraint(
            ["requested_by_id"], ["user.id"], name=op.f("fk_case_transfer_requested_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["to_area_code"], ["area.code"], name=op.f("fk_case_transfer_to_area_code_area")
        ),
        sa.ForeignKeyConstraint(
            ["to_school_id"], ["school.id"], name=op.f("fk_case_transfer_to_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_transfer")),
    )
    with op.batch_alter_table("case_transfer", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_transfer_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            "uq_case_transfer_pending",
            ["case_id"],
            unique=True,
            sqlite_where=sa.text("outcome = 'pending'"),
            postgresql_where=sa.text("outcome = 'pending'"),
        )


def downgrade() -> None:
    with op.batch_alter_table("case_transfer", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_case_transfer_pending",
            sqlite_where=sa.text("outcome = 'pending'"),
            postgresql_where=sa.text("outcome = 'pending'"),
        )
        batch_op.drop_index(batch_op.f("ix_case_transfer_case_id"))

    op.drop_table("case_transfer")
