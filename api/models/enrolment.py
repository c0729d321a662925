import uuid
from datetime import date

import sqlalchemy as sa
from sqlmodel import Field

from api.models.base import Timestamped, UUIDKeyed, byte_ordered, str_enum
from api.models.vocabulary import EnrolmentStatus, IdDocumentType, Sex


class Enrolment(UUIDKeyed, Timestamped, table=True):
    """学籍: a registration at a school for a term, as the student-status system records it.

    The registration keeps its own name, sex, birth date and ID number, because reconciliation
    (人籍一致) is exactly the comparison of these with the population side; ``child_id`` is the
    match, absent while the registered pupil is unknown to the population side.
    """

    child_id: uuid.UUID | None = Field(default=None, foreign_key="child.id", index=True)
    school_id: uuid.UUID = Field(foreign_key="school.id")
    class_id: uuid.UUID | None = Field(default=None, foreign_key="school_class.id")
    term: str = Field(max_length=11)  # "2026-2027-1": school year and term 1 (autumn) or 2
    grade: int = Field(ge=1, le=9)
    student_number: str = Field(max_length=30, index=True)  # 学籍号: G/L/J forms
    name: str = Field(max_length=50)
    sex: Sex = Field(sa_type=str_enum(Sex))
    birth_date: date
    id_number: str | None = Field(default=None, max_length=18)
    # Another document than a 居民身份证 (a passport, a 港澳/台湾 pass...), as the roster gives
    # it: never an ``id_number``, so never matched or checked as one.
    id_document_type: IdDocumentType | None = Field(
        default=None, sa_type=str_enum(IdDocumentType), nullable=True
    )
    id_document_number: str | None = Field(default=None, max_length=30)
    entry_date: date | None = None
    status: EnrolmentStatus = Field(
        default=EnrolmentStatus.ENROLLED, sa_type=str_enum(EnrolmentStatus)
    )
    # The roster upload this registration came in (none for one registered by hand).
    roster_id: uuid.UUID | None = Field(default=None, foreign_key="roster.id")
    guardian_name: str | None = Field(default=None, max_length=50)  # when the roster has it
    name_pinyin: str | None = Field(default=None, sa_type=byte_ordered(200))  # homophones match
    # How ``child_id`` was found: 1.0 by ID number, less by name, birth date and guardian.
    match_score: float | None = None
    match_reason: str | None = Field(default=None, max_length=60)

    __table_args__ = (
        sa.Index("ix_enrolment_term_school", "term", "school_id", "grade"),
        sa.Index("ix_enrolment_term_id_number", "term", "id_number"),
        # A school's or a class's pupils of recent terms, read from the index alone (scoping).
        sa.Index("ix_enrolment_school_term_child", "school_id", "term", "child_id"),
        sa.Index("ix_enrolment_class_term_child", "class_id", "term", "child_id"),
        sa.CheckConstraint("grade BETWEEN 1 AND 9", name="grade"),
    )
