import uuid

import sqlalchemy as sa
from sqlmodel import Field

from api.models.base import (
    SoftRemoved,
    Timestamped,
    UUIDKeyed,
    Versioned,
    area_code_field,
    byte_ordered,
    str_enum,
)
from api.models.vocabulary import SchoolKind


class School(UUIDKeyed, Timestamped, Versioned, SoftRemoved, table=True):
    code: str = Field(sa_type=byte_ordered(20), unique=True)  # 学校标识码, found by its start
    name: str = Field(max_length=100)
    kind: SchoolKind = Field(sa_type=str_enum(SchoolKind))
    area_code: str = area_code_field()
    address: str | None = Field(default=None, max_length=200)
    phone: str | None = Field(default=None, max_length=20)
    grade_from: int = Field(ge=1, le=9)
    grade_to: int = Field(ge=1, le=9)

    __table_args__ = (sa.CheckConstraint("grade_from <= grade_to", name="grade_range"),)


class SchoolClass(UUIDKeyed, Timestamped, table=True):
    """班级 of one school year (``school_year`` is its first calendar year: 2026 = 2026-2027)."""

    __tablename__ = "school_class"

    school_id: uuid.UUID = Field(foreign_key="school.id", index=True)
    school_year: int
    grade: int = Field(ge=1, le=9)
    number: int = Field(ge=1)
    name: str = Field(max_length=40)

    __table_args__ = (
        sa.UniqueConstraint("school_id", "school_year", "grade", "number"),
        sa.CheckConstraint("grade BETWEEN 1 AND 9", name="grade"),
    )
