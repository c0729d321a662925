"""Registry reads: indexes in the lists' order, byte-ordered prefixes, narrow search indexes.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23 15:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LIVE = sa.text("removed_at IS NULL")


BYTE_ORDERED = (
    ("child", "name_pinyin", 200),
    ("child", "name_initials", 50),
    ("school", "code", 20),
)


def _collate(collation: str | None) -> None:
    """Prefix searches become index ranges, which must compare byte by byte."""
    if op.get_bind().dialect.name != "postgresql":
        return  # SQLite compares text byte by byte already
    for table, column, length in BYTE_ORDERED:
        op.alter_column(
            table,
            column,
            type_=sa.String(length, collation=collation),
            existing_nullable=False,
        )


def upgrade() -> None:
    _collate("C")
    op.drop_index("ix_child_area_status", table_name="child")
    op.drop_index("ix_child_area_code", table_name="child")
    op.drop_index("ix_child_name", table_name="child")
    op.create_index(
        "ix_child_live_area",
        "child",
        ["area_code", "name_pinyin", "id"],
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )
    op.create_index(
        "ix_child_live_status",
        "child",
        ["schooling_status", "area_code", "name_pinyin", "id"],
        sqlite_where=LIVE,
        postgresql_where=LIVE,
    )
    op.create_index("ix_child_name_id", "child", ["name", "id"])
    op.create_index("ix_child_id_number_id", "child", ["id_number", "id"])
    op.drop_index("ix_enrolment_class_id", table_name="enrolment")
    op.create_index(
        "ix_enrolment_school_term_child", "enrolment", ["school_id", "term", "child_id"]
    )
    op.create_index("ix_enrolment_class_term_child", "enrolment", ["class_id", "term", "child_id"])


def downgrade() -> None:
    op.drop_index("ix_enrolment_class_term_child", table_name="enrolment")
    op.drop_index("ix_enrolment_school_term_child", table_name="enrolment")
    op.create_index("ix_enrolment_class_id", "enrolment", ["class_id"])
    op.drop_index("ix_child_id_number_id", table_name="child")
    op.drop_index("ix_child_name_id", table_name="child")
    op.drop_index("ix_child_live_status", table_name="child")
    op.drop_index("ix_child_live_area", table_name="child")
    op.create_index("ix_child_name", "child", ["name"])
    op.create_index("ix_child_area_code", "child", ["area_code"])
    op.create_index("ix_child_area_status", "child", ["area_code", "schooling_status"])
    _collate(None)
