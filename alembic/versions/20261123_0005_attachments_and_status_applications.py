"""Attachments on disk, and applications for suspension, deferral and exemption.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-23 12:40:01.417496
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "attachment",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("file_name", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("storage_key", sa.String(length=200), nullable=False),
        sa.Column("uploaded_by_id", sa.Uuid(), nullable=False),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("owner_type", sa.String(length=40), nullable=True),
        sa.Column("owner_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["user.id"], name=op.f("fk_attachment_uploaded_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attachment")),
    )
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attachment_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_attachment_uploaded_by_id"), ["uploaded_by_id"], unique=False
        )

    op.create_table(
        "status_application",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column(
            "requested_status",
            sa.Enum(
                "unknown",
                "enrolled_in_county",
                "enrolled_outside_county",
                "home_delivered",
                "suspended",
                "deferred",
                "exempt",
                "dropped_out",
                "never_enrolled",
                "completed",
                "deceased",
                "emigrated",
                "whereabouts_unknown",
                name="schoolingstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "cause",
            sa.Enum(
                "serious_illness",
                "severe_disability",
                "mental_illness",
                "other",
                name="incapacitycause",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("applicant_name", sa.String(length=50), nullable=False),
        sa.Column("applicant_phone", sa.String(length=20), nullable=True),
        sa.Column("reason", sa.String(length=500), nullable=False),
        sa.Column("certificate_id", sa.Uuid(), nullable=False),
        sa.Column("submitted_by_id", sa.Uuid(), nullable=False),
        sa.Column(
            "state",
            sa.Enum(
                "pending",
                "approved",
                "refused",
                name="applicationstate",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision_note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["attachment.id"],
            name=op.f("fk_status_application_certificate_id_attachment"),
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["child.id"], name=op.f("fk_status_application_child_id_child")
        ),
        sa.ForeignKeyConstraint(
            ["decided_by_id"], ["user.id"], name=op.f("fk_status_application_decided_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["submitted_by_id"],
            ["user.id"],
            name=op.f("fk_status_application_submitted_by_id_user"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_status_application")),
    )
    with op.batch_alter_table("status_application", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_status_application_child_id"), ["child_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_status_application_state"), ["state"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("status_application", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_status_application_state"))
        batch_op.drop_index(batch_op.f("ix_status_application_child_id"))

    op.drop_table("status_application")
    with op.batch_alter_table("attachment", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attachment_uploaded_by_id"))
        batch_op.drop_index(batch_op.f("ix_attachment_owner_id"))

    op.drop_table("attachment")
