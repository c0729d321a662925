"""Assignment imports: each spreadsheet of assignments (分工表) imported, with its counts and
the rows it refused.

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assignment_import",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by_id", sa.Uuid(), nullable=False),
        sa.Column("created_by_username", sa.String(length=60), nullable=False),
        sa.Column("area_codes", sa.JSON(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("all_or_nothing", sa.Boolean(), nullable=False),
        sa.Column(
            "status",
            sa.Enum("stored", "refused", name="importstatus", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("rejected", sa.Integer(), nullable=False),
        sa.Column("columns", sa.JSON(), nullable=False),
        sa.Column("errors", sa.JSON(), nullable=False),
        sa.Column("rejected_rows", sa.JSON(), nullable=False),
        sa.Column("created", sa.Integer(), nullable=False),
        sa.Column("replaced", sa.Integer(), nullable=False),
        sa.Column("unchanged", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_assignment_import_created_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignment_import")),
    )
    with op.batch_alter_table("assignment_import", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_assignment_import_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_assignment_import_created_by_id"), ["created_by_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_assignment_import_sha256"), ["sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("assignment_import", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_assignment_import_sha256"))
        batch_op.drop_index(batch_op.f("ix_assignment_import_created_by_id"))
        batch_op.drop_index(batch_op.f("ix_assignment_import_created_at"))

    op.drop_table("assignment_import")
