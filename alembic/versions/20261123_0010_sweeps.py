"""Sweeps: campaigns with their areas, phases and households fixed at the start; household
visits (their ids the phones' own) and what each found of each child.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 18:49:28.540083
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "campaign",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "semester_survey",
                "control_month",
                "summer_visits",
                name="campaignkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by_id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("starts_on <= ends_on", name=op.f("ck_campaign_date_range")),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["user.id"], name=op.f("fk_campaign_created_by_id_user")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_campaign")),
    )
    op.create_table(
        "campaign_area",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column(
            "area_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.ForeignKeyConstraint(
            ["area_code"], ["area.code"], name=op.f("fk_campaign_area_area_code_area")
        ),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_campaign_area_campaign_id_campaign")
        ),
        sa.PrimaryKeyConstraint("campaign_id", "area_code", name=op.f("pk_campaign_area")),
    )
    op.create_table(
        "campaign_household",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"],
            ["campaign.id"],
            name=op.f("fk_campaign_household_campaign_id_campaign"),
        ),
        sa.ForeignKeyConstraint(
            ["household_id"],
            ["household.id"],
            name=op.f("fk_campaign_household_household_id_household"),
        ),
        sa.PrimaryKeyConstraint("campaign_id", "household_id", name=op.f("pk_campaign_household")),
    )
    with op.batch_alter_table("campaign_household", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_campaign_household_household_id"), ["household_id"], unique=False
        )

    op.create_table(
        "campaign_phase",
        sa.Column("campaign_id", sa.Uuid(), nullable=False),
        sa.Column(
            "phase",
            sa.Enum(
                "publicity",
                "sweep",
                "return",
                "summary",
                name="campaignphase",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=False),
        sa.CheckConstraint("starts_on <= ends_on", name=op.f("ck_campaign_phase_date_range")),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_campaign_phase_campaign_id_campaign")
        ),
        sa.PrimaryKeyConstraint("campaign_id", "phase", name=op.f("pk_campaign_phase")),
    )
    op.create_table(
        "visit",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("campaign_id", sa.Uuid(), nullable=True),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column("visitor_id", sa.Uuid(), nullable=False),
        sa.Column("visited_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "outcome",
            sa.Enum(
                "met",
                "nobody_home",
                "refused",
                "moved_away",
                "household_gone",
                name="visitoutcome",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("latitude", sa.Float(), nullable=True),
        sa.Column("longitude", sa.Float(), nullable=True),
        sa.Column("accuracy_m", sa.Float(), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaign.id"], name=op.f("fk_visit_campaign_id_campaign")
        ),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_visit_household_id_household")
        ),
        sa.ForeignKeyConstraint(["visitor_id"], ["user.id"], name=op.f("fk_visit_visitor_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit")),
    )
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_campaign_id"), ["campaign_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_visitor_id"), ["visitor_id"], unique=False)

    op.create_table(
        "visit_observation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("visit_id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column("observed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "schooling",
            sa.Enum(
                "in_school",
                "not_in_school",
                "away",
                name="observedschooling",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("school_id", sa.Uuid(), nullable=True),
        sa.Column("school_name", sa.String(length=100), nullable=True),
        sa.Column("grade", sa.Integer(), nullable=True),
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
            nullable=True,
        ),
        sa.Column("whereabouts", sa.String(length=200), nullable=True),
        sa.Column("applied", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"], ["child.id"], name=op.f("fk_visit_observation_child_id_child")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_visit_observation_school_id_school")
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"], ["visit.id"], name=op.f("fk_visit_observation_visit_id_visit")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_observation")),
        sa.UniqueConstraint("visit_id", "child_id", name=op.f("uq_visit_observation_visit_id")),
    )
    with op.batch_alter_table("visit_observation", schema=None) as batch_op:
        batch_op.create_index(
            "ix_visit_observation_child_seen",
            ["child_id", "applied", "observed_at"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("visit_observation", schema=None) as batch_op:
        batch_op.drop_index("ix_visit_observation_child_seen")

    op.drop_table("visit_observation")
    with op.batch_alter_table("visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_visitor_id"))
        batch_op.drop_index(batch_op.f("ix_visit_household_id"))
        batch_op.drop_index(batch_op.f("ix_visit_campaign_id"))

    op.drop_table("visit")
    op.drop_table("campaign_phase")
    with op.batch_alter_table("campaign_household", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_campaign_household_household_id"))

    op.drop_table("campaign_household")
    op.drop_table("campaign_area")
    op.drop_table("campaign")
