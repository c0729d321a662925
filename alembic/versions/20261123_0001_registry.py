"""The registry: areas, schools, classes, households, children, guardians, enrolments, users.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 08:57:23.393187
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "area",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column(
            "code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column(
            "level",
            sa.Enum(
                "province",
                "prefecture",
                "county",
                "township",
                "village",
                "group",
                name="arealevel",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "parent_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["parent_code"], ["area.code"], name=op.f("fk_area_parent_code_area")
        ),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_area")),
    )
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_area_level"), ["level"], unique=False)
        batch_op.create_index(batch_op.f("ix_area_parent_code"), ["parent_code"], unique=False)

    op.create_table(
        "user",
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("username", sa.String(length=60), nullable=False),
        sa.Column("display_name", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column(
            "role",
            sa.Enum(
                "county_admin",
                "township_officer",
                "village_cadre",
                "principal",
                "teacher",
                "supervisor",
                "integration_client",
                name="userrole",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("password_hash", sa.String(length=200), nullable=False),
        sa.Column("is_active", sa.Boolean(), nullable=False),
        sa.Column("must_change_password", sa.Boolean(), nullable=False),
        sa.Column("failed_login_count", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_login_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user")),
        sa.UniqueConstraint("username", name=op.f("uq_user_username")),
    )
    op.create_table(
        "household",
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_reason", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "area_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("head_name", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("is_poverty_registered", sa.Boolean(), nullable=False),
        sa.Column("is_minimum_living", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["area_code"], ["area.code"], name=op.f("fk_household_area_code_area")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_household")),
    )
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_household_area_code"), ["area_code"], unique=False)

    op.create_table(
        "school",
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_reason", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "primary",
                "junior_middle",
                "nine_year",
                "teaching_point",
                "special_education",
                name="schoolkind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "area_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("grade_from", sa.Integer(), nullable=False),
        sa.Column("grade_to", sa.Integer(), nullable=False),
        sa.CheckConstraint("grade_from <= grade_to", name=op.f("ck_school_grade_range")),
        sa.ForeignKeyConstraint(
            ["area_code"], ["area.code"], name=op.f("fk_school_area_code_area")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school")),
        sa.UniqueConstraint("code", name=op.f("uq_school_code")),
    )
    with op.batch_alter_table("school", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_school_area_code"), ["area_code"], unique=False)

    op.create_table(
        "child",
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_reason", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=False),
        sa.Column(
            "area_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("name_pinyin", sa.String(length=200), nullable=False),
        sa.Column("name_initials", sa.String(length=50), nullable=False),
        sa.Column(
            "sex",
            sa.Enum("male", "female", name="sex", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("registered_address", sa.String(length=200), nullable=True),
        sa.Column("left_behind", sa.Integer(), nullable=False),
        sa.Column("disability_kind", sa.String(length=40), nullable=True),
        sa.Column("disability_grade", sa.Integer(), nullable=True),
        sa.Column(
            "placement",
            sa.Enum(
                "special_school",
                "regular_class",
                "special_class",
                "home_delivered",
                "institution",
                "awaiting",
                name="disabilityplacement",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("is_orphan", sa.Boolean(), nullable=False),
        sa.Column("is_unattended", sa.Boolean(), nullable=False),
        sa.Column("is_in_hardship", sa.Boolean(), nullable=False),
        sa.Column("is_migrant", sa.Boolean(), nullable=False),
        sa.Column("is_in_legal_case", sa.Boolean(), nullable=False),
        sa.Column(
            "schooling_status",
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
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "disability_grade BETWEEN 1 AND 4", name=op.f("ck_child_disability_grade")
        ),
        sa.CheckConstraint("left_behind IN (0, 1, 2)", name=op.f("ck_child_left_behind")),
        sa.ForeignKeyConstraint(["area_code"], ["area.code"], name=op.f("fk_child_area_code_area")),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_child_household_id_household")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_child")),
        sa.UniqueConstraint("id_number", name=op.f("uq_child_id_number")),
    )
    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_child_area_code"), ["area_code"], unique=False)
        batch_op.create_index(
            "ix_child_area_status", ["area_code", "schooling_status"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_child_birth_date"), ["birth_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_child_household_id"), ["household_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_child_name"), ["name"], unique=False)
        batch_op.create_index(batch_op.f("ix_child_name_initials"), ["name_initials"], unique=False)
        batch_op.create_index(batch_op.f("ix_child_name_pinyin"), ["name_pinyin"], unique=False)

    op.create_table(
        "guardian",
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_reason", sa.String(length=200), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("household_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("phone", sa.String(length=20), nullable=True),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("works_away", sa.Boolean(), nullable=False),
        sa.Column("work_place", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["household_id"], ["household.id"], name=op.f("fk_guardian_household_id_household")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_guardian")),
    )
    with op.batch_alter_table("guardian", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_guardian_household_id"), ["household_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_guardian_id_number"), ["id_number"], unique=False)

    op.create_table(
        "school_class",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("school_year", sa.Integer(), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=40), nullable=False),
        sa.CheckConstraint("grade BETWEEN 1 AND 9", name=op.f("ck_school_class_grade")),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_school_class_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_school_class")),
        sa.UniqueConstraint(
            "school_id", "school_year", "grade", "number", name=op.f("uq_school_class_school_id")
        ),
    )
    with op.batch_alter_table("school_class", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_school_class_school_id"), ["school_id"], unique=False)

    op.create_table(
        "enrolment",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=True),
        sa.Column("school_id", sa.Uuid(), nullable=False),
        sa.Column("class_id", sa.Uuid(), nullable=True),
        sa.Column("term", sa.String(length=11), nullable=False),
        sa.Column("grade", sa.Integer(), nullable=False),
        sa.Column("student_number", sa.String(length=30), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column(
            "sex",
            sa.Enum("male", "female", name="sex", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("birth_date", sa.Date(), nullable=False),
        sa.Column("id_number", sa.String(length=18), nullable=True),
        sa.Column("entry_date", sa.Date(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "enrolled",
                "suspended",
                "transferred_out",
                "graduated",
                "withdrawn",
                name="enrolmentstatus",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.CheckConstraint("grade BETWEEN 1 AND 9", name=op.f("ck_enrolment_grade")),
        sa.ForeignKeyConstraint(
            ["child_id"], ["child.id"], name=op.f("fk_enrolment_child_id_child")
        ),
        sa.ForeignKeyConstraint(
            ["class_id"], ["school_class.id"], name=op.f("fk_enrolment_class_id_school_class")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_enrolment_school_id_school")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_enrolment")),
    )
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_enrolment_child_id"), ["child_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_enrolment_class_id"), ["class_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_enrolment_student_number"), ["student_number"], unique=False
        )
        batch_op.create_index("ix_enrolment_term_id_number", ["term", "id_number"], unique=False)
        batch_op.create_index(
            "ix_enrolment_term_school", ["term", "school_id", "grade"], unique=False
        )

    op.create_table(
        "guardianship",
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column("guardian_id", sa.Uuid(), nullable=False),
        sa.Column(
            "relation",
            sa.Enum(
                "father",
                "mother",
                "grandfather",
                "grandmother",
                "other_relative",
                "other",
                name="guardianrelation",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("lives_with_child", sa.Boolean(), nullable=False),
        sa.Column("is_primary", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["child_id"], ["child.id"], name=op.f("fk_guardianship_child_id_child")
        ),
        sa.ForeignKeyConstraint(
            ["guardian_id"], ["guardian.id"], name=op.f("fk_guardianship_guardian_id_guardian")
        ),
        sa.PrimaryKeyConstraint("child_id", "guardian_id", name=op.f("pk_guardianship")),
    )
    with op.batch_alter_table("guardianship", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_guardianship_guardian_id"), ["guardian_id"], unique=False
        )

    op.create_table(
        "schooling_status_change",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("child_id", sa.Uuid(), nullable=False),
        sa.Column(
            "from_status",
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
            nullable=True,
        ),
        sa.Column(
            "to_status",
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
            "source",
            sa.Enum(
                "demo",
                "manual",
                "sweep",
                "roster",
                "case",
                "import",
                name="statussource",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("evidence", sa.String(length=500), nullable=True),
        sa.Column("changed_by_id", sa.Uuid(), nullable=True),
        sa.Column("changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["changed_by_id"],
            ["user.id"],
            name=op.f("fk_schooling_status_change_changed_by_id_user"),
        ),
        sa.ForeignKeyConstraint(
            ["child_id"], ["child.id"], name=op.f("fk_schooling_status_change_child_id_child")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_schooling_status_change")),
    )
    with op.batch_alter_table("schooling_status_change", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_schooling_status_change_changed_at"), ["changed_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_schooling_status_change_child_id"), ["child_id"], unique=False
        )

    op.create_table(
        "user_scope",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "area_code",
            sa.String(length=15).with_variant(sa.String(length=15, collation="C"), "postgresql"),
            nullable=True,
        ),
        sa.Column("school_id", sa.Uuid(), nullable=True),
        sa.Column("class_id", sa.Uuid(), nullable=True),
        sa.CheckConstraint(
            "(CASE WHEN area_code IS NULL THEN 0 ELSE 1 END) + (CASE WHEN school_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN class_id IS NULL THEN 0 ELSE 1 END) = 1",
            name=op.f("ck_user_scope_exactly_one_target"),
        ),
        sa.ForeignKeyConstraint(
            ["area_code"], ["area.code"], name=op.f("fk_user_scope_area_code_area")
        ),
        sa.ForeignKeyConstraint(
            ["class_id"], ["school_class.id"], name=op.f("fk_user_scope_class_id_school_class")
        ),
        sa.ForeignKeyConstraint(
            ["school_id"], ["school.id"], name=op.f("fk_user_scope_school_id_school")
        ),
        sa.ForeignKeyConstraint(["user_id"], ["user.id"], name=op.f("fk_user_scope_user_id_user")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_user_scope")),
    )
    with op.batch_alter_table("user_scope", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_user_scope_user_id"), ["user_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("user_scope", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_user_scope_user_id"))

    op.drop_table("user_scope")
    with op.batch_alter_table("schooling_status_change", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_schooling_status_change_child_id"))
        batch_op.drop_index(batch_op.f("ix_schooling_status_change_changed_at"))

    op.drop_table("schooling_status_change")
    with op.batch_alter_table("guardianship", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guardianship_guardian_id"))

    op.drop_table("guardianship")
    with op.batch_alter_table("enrolment", schema=None) as batch_op:
        batch_op.drop_index("ix_enrolment_term_school")
        batch_op.drop_index("ix_enrolment_term_id_number")
        batch_op.drop_index(batch_op.f("ix_enrolment_student_number"))
        batch_op.drop_index(batch_op.f("ix_enrolment_class_id"))
        batch_op.drop_index(batch_op.f("ix_enrolment_child_id"))

    op.drop_table("enrolment")
    with op.batch_alter_table("school_class", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_school_class_school_id"))

    op.drop_table("school_class")
    with op.batch_alter_table("guardian", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_guardian_id_number"))
        batch_op.drop_index(batch_op.f("ix_guardian_household_id"))

    op.drop_table("guardian")
    with op.batch_alter_table("child", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_child_name_pinyin"))
        batch_op.drop_index(batch_op.f("ix_child_name_initials"))
        batch_op.drop_index(batch_op.f("ix_child_name"))
        batch_op.drop_index(batch_op.f("ix_child_household_id"))
        batch_op.drop_index(batch_op.f("ix_child_birth_date"))
        batch_op.drop_index("ix_child_area_status")
        batch_op.drop_index(batch_op.f("ix_child_area_code"))

    op.drop_table("child")
    with op.batch_alter_table("school", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_school_area_code"))

    op.drop_table("school")
    with op.batch_alter_table("household", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_household_area_code"))

    op.drop_table("household")
    op.drop_table("user")
    with op.batch_alter_table("area", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_area_parent_code"))
        batch_op.drop_index(batch_op.f("ix_area_level"))

    op.drop_table("area")
