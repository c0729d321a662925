"""The statistics snapshot's table named as the concept is everywhere else: statistics_snapshot.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 01:00:00.000000
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _rename(old: str, new: str) -> None:
    op.rename_table(old, new)
    # PostgreSQL names the primary key by the table's old name; SQLite keeps a constraint's
    # name only in the table's text and never uses it.
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"ALTER TABLE {new} RENAME CONSTRAINT pk_{old} TO pk_{new}")


def upgrade() -> None:
    _rename("stats_snapshot", "statistics_snapshot")


def downgrade() -> None:
    _rename("statistics_snapshot", "stats_snapshot")
