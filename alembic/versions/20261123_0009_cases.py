"""Dropout cases (个案) and their lifecycle's transitions, one open case a child.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 18:27:53.182722
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dropout_case",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "reported",
                "verified",
                "dismissed",
                "planned",
                "persuading",
                "returned",
                "following_up",
                "closed",
                name="casestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "source",
            sa.Enum(
                "teacher_report",
                "sweep",
                "reconciliation",
                "manual",
                name="casesource",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reported_by_id", sa.Uuid(), nullable=False),
        sa.Column("noticed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reported_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("school_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("county_due_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("county_reported_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("days_absent", sa.Integer(), nullable=True),
        sa.Column("last_seen_on", sa.Date(), nullable=True),
        sa.Column(
            "reason",
            sa.Enum(
                "unknown",
                "economic_hardship",
                "learning_difficulty",
                "weariness",
                "family_change",
                "gone_to_work",
                "illness_or_disability",
                "other",
                name="dropoutreason",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason_note", sa.String(length=500), nullable=True),
        sa.Column("whereabouts", sa.String(length=200), nullable=True),
        sa.Column("support_given", sa.String(length=500), nullable=True),
        sa.Column("school_id", sa.Uuid(), nullable=True),
        sa.Column("class_id", sa.Uuid(), nullable=True),
        sa.Column("grade", sa.Integer(), nullable=True),
        sa.Column(
            "dismissal_reason",
            sa.Enum(
                "enrolled_elsewhere",
                "moved_with_proof",
                "deceased",
                "lawfully_absent",
                "back_at_school",
                "mistaken",
                name="dismissalreason",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("returned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reopened", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"], ["child.id"], name=op.f("fk_dropout_case_child_id_child")
        ),
        sa.ForeignKeyConstraint(
            ["class_id"], ["school_class.id"], name=op.f("fk_dropout_case_class_id_school_class")
        ),
        sa.ForeignKeyConstraint(
            ["reported_by_id"], ["user.id"], name=op.f("fk_dropout_case_reported_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_dropout_case_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dropout_case")),
    )
    with op.batch_alter_table("dropout_case", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_dropout_case_child_id"), ["child_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_dropout_case_county_due_at"), ["county_due_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_dropout_case_school_id"), ["school_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_dropout_case_status"), ["status"], unique=False)
        batch_op.create_index(
            "uq_dropout_case_open_child",
            ["child_id"],
            unique=True,
            sqlite_where=sa.text("status NOT IN ('dismissed', 'closed')"),
            postgresql_where=sa.text("status NOT IN ('dismissed', 'closed')"),
        )

    op.create_table(
        "case_transition",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "action",
            sa.Enum(
                "report",
                "verify",
                "dismiss",
                "report_upward",
                "plan",
                "persuade",
                "return",
                "follow_up",
                "close",
                "reopen",
                name="caseaction",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "from_status",
            sa.Enum(
                "reported",
                "verified",
                "dismissed",
                "planned",
                "persuading",
                "returned",
                "following_up",
                "closed",
                name="casestatus",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column(
            "to_status",
            sa.Enum(
                "reported",
                "verified",
                "dismissed",
                "planned",
                "persuading",
                "returned",
                "following_up",
                "closed",
                name="casestatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("evidence_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["user.id"], name=op.f("fk_case_transition_actor_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["dropout_case.id"], name=op.f("fk_case_transition_case_id_dropout_case")
        ),
        sa.ForeignKeyConstraint(
            ["evidence_id"],
            ["attachment.id"],
            name=op.f("fk_case_transition_evidence_id_attachment"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_transition")),
    )
    with op.batch_alter_table("case_transition", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_transition_case_id"), ["case_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("case_transition", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_transition_case_id"))

    op.drop_table("case_transition")
    with op.batch_alter_table("dropout_case", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_dropout_case_open_child",
            sqlite_where=sa.text("status NOT IN ('dismissed', 'closed')"),
            postgresql_where=sa.text("status NOT IN ('dismissed', 'closed')"),
        )
        batch_op.drop_index(batch_op.f("ix_dropout_case_status"))
        batch_op.drop_index(batch_op.f("ix_dropout_case_school_id"))
        batch_op.drop_index(batch_op.f("ix_dropout_case_county_due_at"))
        batch_op.drop_index(batch_op.f("ix_dropout_case_child_id"))

    op.drop_table("dropout_case")
