"""A visit observation keyed by its visit and child, the pair that was already unique.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01 11:19:13.340554
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A visit observes a child once: the pair is the key, one index fewer for every row.
    with op.batch_alter_table("visit_observation") as batch_op:
        batch_op.drop_constraint("pk_visit_observation", type_="primary")
        batch_op.drop_constraint("uq_visit_observation_visit_id", type_="unique")
        batch_op.drop_column("id")
        batch_op.create_primary_key("pk_visit_observation", ["visit_id", "child_id"])


def downgrade() -> None:
    fresh_id = (
        "gen_random_uuid()"
        if op.get_bind().dialect.name == "postgresql"
        else "lower(hex(randomblob(16)))"
    )
    with op.batch_alter_table("visit_observation") as batch_op:
        batch_op.add_column(sa.Column("id", sa.Uuid(), nullable=True))
    op.execute(f"UPDATE visit_observation SET id = {fresh_id}")  # noqa: S608 - no input
    with op.batch_alter_table("visit_observation") as batch_op:
        batch_op.drop_constraint("pk_visit_observation", type_="primary")
        batch_op.alter_column("id", nullable=False)
        batch_op.create_primary_key("pk_visit_observation", ["id"])
        batch_op.create_unique_constraint("uq_visit_observation_visit_id", ["visit_id", "child_id"])
