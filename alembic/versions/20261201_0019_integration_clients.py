"""Integration clients: a rotated secret's grace period, a rate limit, and a token generation
that revokes every access token already issued.

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-01 23:10:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.add_column(sa.Column("previous_password_hash", sa.String(length=200), nullable=True))
        batch.add_column(
            sa.Column("previous_password_expires_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.add_column(sa.Column("rate_limit_per_minute", sa.Integer(), nullable=True))
        batch.add_column(
            sa.Column("token_generation", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("user") as batch:
        batch.drop_column("token_generation")
        batch.drop_column("rate_limit_per_minute")
        batch.drop_column("previous_password_expires_at")
        batch.drop_column("previous_password_hash")
