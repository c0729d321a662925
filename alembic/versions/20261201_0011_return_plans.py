"""Return plans (一人一案, versioned), persuasion attempts (劝返) and follow-up visits (跟踪回访).

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-01 11:03:52.641766
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "follow_up",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by_id", sa.Uuid(), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "staying",
                "at_risk",
                "left_again",
                name="followupoutcome",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"], ["dropout_case.id"], name=op.f("fk_follow_up_case_id_dropout_case")
        ),
        sa.ForeignKeyConstraint(
            ["done_by_id"], ["user.id"], name=op.f("fk_follow_up_done_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
        sa.UniqueConstraint("case_id", "number", name=op.f("uq_follow_up_case_id")),
    )
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.create_index(
            "ix_follow_up_due_open",
            ["due_on", "case_id"],
            unique=False,
            sqlite_where=sa.text("done_at IS NULL"),
            postgresql_where=sa.text("done_at IS NULL"),
        )

    op.create_table(
        "persuasion_attempt",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("attempted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("persons", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column(
            "method",
            sa.Enum(
                "home_visit",
                "phone",
                "at_school",
                "video",
                "written_notice",
                name="persuasionmethod",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "outcome",
            sa.Enum(
                "agreed",
                "undecided",
                "refused",
                "not_met",
                name="attemptoutcome",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("next_step", sa.String(length=500), nullable=True),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("attachment_id", sa.Uuid(), nullable=True),
        sa.Column("recorded_by_id", sa.Uuid(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["attachment_id"],
            ["attachment.id"],
            name=op.f("fk_persuasion_attempt_attachment_id_attachment"),
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["dropout_case.id"],
            name=op.f("fk_persuasion_attempt_case_id_dropout_case"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"], ["user.id"], name=op.f("fk_persuasion_attempt_recorded_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_persuasion_attempt")),
        sa.UniqueConstraint("case_id", "number", name=op.f("uq_persuasion_attempt_case_id")),
    )
    op.create_table(
        "return_plan",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("government_person_id", sa.Uuid(), nullable=True),
        sa.Column("school_person_id", sa.Uuid(), nullable=True),
        sa.Column("methods", sa.JSON(), nullable=False),
        sa.Column("target_return_on", sa.Date(), nullable=False),
        sa.Column("schedule", sa.String(length=500), nullable=True),
        sa.Column("measures", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["dropout_case.id"], name=op.f("fk_return_plan_case_id_dropout_case")
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_return_plan_created_by_id_user")
        ),
        sa.ForeignKeyConstraint(
            ["government_person_id"],
            ["user.id"],
            name=op.f("fk_return_plan_government_person_id_user"),
        ),
        sa.ForeignKeyConstraint(
            ["school_person_id"], ["user.id"], name=op.f("fk_return_plan_school_person_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_return_plan")),
        sa.UniqueConstraint("case_id", "version", name=op.f("uq_return_plan_case_id")),
    )


def downgrade() -> None:
    op.drop_table("return_plan")
    op.drop_table("persuasion_attempt")
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index(
            "ix_follow_up_due_open",
            sqlite_where=sa.text("done_at IS NULL"),
            postgresql_where=sa.text("done_at IS NULL"),
        )

    op.drop_table("follow_up")
