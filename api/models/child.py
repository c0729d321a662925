import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from api.models.base import (
    SoftRemoved,
    Timestamped,
    UTCDateTime,
    UUIDKeyed,
    Versioned,
    area_code_field,
    byte_ordered,
    partial,
    str_enum,
    utcnow,
)
from api.models.vocabulary import DisabilityPlacement, SchoolingStatus, Sex, StatusSource

_LIVE = partial("removed_at IS NULL")


class Child(UUIDKeyed, Timestamped, Versioned, SoftRemoved, table=True):
    """适龄儿童少年: a child of compulsory-school age, or about to be, in a household."""

    household_id: uuid.UUID = Field(foreign_key="household.id", index=True)
    # The household's area, kept on the child so that scoping and statistics need no join.
    area_code: str = area_code_field(index=False)  # indexed below, with the list's order
    name: str = Field(max_length=50)
    name_pinyin: str = Field(sa_type=byte_ordered(200), index=True)  # "zhangsan", pypinyin's
    name_initials: str = Field(sa_type=byte_ordered(50), index=True)  # "zs"
    sex: Sex = Field(sa_type=str_enum(Sex))
    birth_date: date = Field(index=True)
    id_number: str | None = Field(default=None, max_length=18, unique=True)  # may be absent
    registered_address: str | None = Field(default=None, max_length=200)  # 户籍地址
    left_behind: int = Field(default=0)  # 0 no, 1 one parent away, 2 both away
    disability_kind: str | None = Field(default=None, max_length=40)
    disability_grade: int | None = Field(default=None)
    placement: DisabilityPlacement | None = Field(
        default=None, sa_type=str_enum(DisabilityPlacement)
    )
    is_orphan: bool = False  # 孤儿
    is_unattended: bool = False  # 事实无人抚养
    is_in_hardship: bool = False  # 困境儿童
    is_migrant: bool = False  # 随迁子女
    is_in_legal_case: bool = False  # 涉案未成年人
    schooling_status: SchoolingStatus = Field(
        default=SchoolingStatus.UNKNOWN, sa_type=str_enum(SchoolingStatus)
    )
    status_changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (
        sa.CheckConstraint("left_behind IN (0, 1, 2)", name="left_behind"),
        sa.CheckConstraint("disability_grade BETWEEN 1 AND 4", name="disability_grade"),
        # Lists are read in (area, name) order, within an area or a status and an area: these
        # serve the page straight from the index and the count from the index alone.
        sa.Index("ix_child_live_area", "area_code", "name_pinyin", "id", **_LIVE),
        sa.Index(
            "ix_child_live_status", "schooling_status", "area_code", "name_pinyin", "id", **_LIVE
        ),
        # A search for part of a name or an ID number reads every entry; with the id alongside
        # it reads these narrow indexes instead of the table.
        sa.Index("ix_child_name_id", "name", "id"),
        sa.Index("ix_child_id_number_id", "id_number", "id"),
    )


class SchoolingStatusChange(UUIDKeyed, table=True):
    """The history of a child's schooling status: who changed it, when, why, on what evidence."""

    __tablename__ = "schooling_status_change"

    child_id: uuid.UUID = Field(foreign_key="child.id", index=True)
    from_status: SchoolingStatus | None = Field(default=None, sa_type=str_enum(SchoolingStatus))
    to_status: SchoolingStatus = Field(sa_type=str_enum(SchoolingStatus))
    source: StatusSource = Field(sa_type=str_enum(StatusSource))
    reason: str | None = Field(default=None, max_length=500)
    evidence: str | None = Field(default=None, max_length=500)
    changed_by_id: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    changed_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
