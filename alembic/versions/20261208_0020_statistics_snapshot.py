"""The statistics snapshot's table named as the concept is everywhere else: statistics_snapshot.

The snapshot is derived data, replaced whole by each refresh, so the old table is dropped and
the new one made empty: the app's next refresh (or the first reader) fills it.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-08 01:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0020"
down_revision: str | None = "0019"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _create(name: str) -> None:
    op.create_table(
        name,
        sa.Column("dimension", sa.String(length=10), nullable=False),
        sa.Column("key", sa.String(length=36), nullable=False),
        sa.Column(
            "area_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("campaign_id", sa.Uuid(), nullable=True),
        sa.Column("computed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("children_school_age", sa.Integer(), nullable=True),
        sa.Column("children_enrolled", sa.Integer(), nullable=True),
        sa.Column("enrolled_at_year_start", sa.Integer(), nullable=True),
        sa.Column("cohort_grade_9", sa.Integer(), nullable=True),
        sa.Column("cohort_intake", sa.Integer(), nullable=True),
        sa.Column("dropped_out_this_year", sa.Integer(), nullable=True),
        sa.Column("dropouts_open", sa.Integer(), nullable=True),
        sa.Column("suspected", sa.Integer(), nullable=True),
        sa.Column("cases_verified", sa.Integer(), nullable=True),
        sa.Column("returned", sa.Integer(), nullable=True),
        sa.Column("stable_returns", sa.Integer(), nullable=True),
        sa.Column("school_deadline_due", sa.Integer(), nullable=True),
        sa.Column("school_deadline_met", sa.Integer(), nullable=True),
        sa.Column("county_deadline_due", sa.Integer(), nullable=True),
        sa.Column("county_deadline_met", sa.Integer(), nullable=True),
        sa.Column("households", sa.Integer(), nullable=True),
        sa.Column("households_visited", sa.Integer(), nullable=True),
        sa.Column("sweep_children", sa.Integer(), nullable=True),
        sa.Column("sweep_children_observed", sa.Integer(), nullable=True),
        sa.PrimaryKeyConstraint("dimension", "key", "area_code", name=op.f(f"pk_{name}")),
    )


def upgrade() -> None:
    op.drop_table("stats_snapshot")
    _create("statistics_snapshot")


def downgrade() -> None:
    op.drop_table("statistics_snapshot")
    _create("stats_snapshot")
