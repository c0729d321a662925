"""A registration's and a roster row's ID document other than a 居民身份证 (a passport, a
港澳/台湾 pass...): its type and its number as given, beside the ID number.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-08 02:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("enrolment", "roster_entry")


def upgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("id_document_type", sa.String(length=32), nullable=True))
            batch.add_column(sa.Column("id_document_number", sa.String(length=30), nullable=True))


def downgrade() -> None:
    for table in _TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column("id_document_number")
            batch.drop_column("id_document_type")
