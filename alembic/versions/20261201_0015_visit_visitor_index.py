"""Visits lose the index on their visitor: never searched by, and paid for on every insert.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 12:01:54.465943
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_visitor_id"))


def downgrade() -> None:
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_visitor_id"), ["visitor_id"], unique=False)
