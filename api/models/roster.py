import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from api.models.base import UTCDateTime, str_enum
from api.models.household_import import ImportRecord
from api.models.vocabulary import EnrolmentStatus, IdDocumentType, Sex


class Roster(ImportRecord, table=True):
    """学籍名单: one upload of a school's roster for a term. The newest is the school's
    registrations for that term (its rows are the term's Enrolment rows); the ones it replaced
    stay readable with their rows, marked with when they were replaced."""

    school_id: uuid.UUID = Field(foreign_key="school.id")
    term: str = Field(max_length=11)
    version: int = Field(ge=1)
    replaced_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    entries: int = 0  # rows kept
    matched: int = 0  # of those, linked to a child the population side knows

    __table_args__ = (sa.UniqueConstraint("school_id", "term", "version"),)


class RosterEntry(SQLModel, table=True):
    """A row of an uploaded roster as the school sent it, kept with its version."""

    __tablename__ = "roster_entry"

    roster_id: uuid.UUID = Field(foreign_key="roster.id", primary_key=True)
    row: int = Field(primary_key=True)  # the row number in the file
    student_number: str = Field(max_length=30)
    name: str = Field(max_length=50)
    sex: Sex = Field(sa_type=str_enum(Sex))
    birth_date: date
    id_number: str | None = Field(default=None, max_length=18)
    id_document_type: IdDocumentType | None = Field(
        default=None, sa_type=str_enum(IdDocumentType), nullable=True
    )
    id_document_number: str | None = Field(default=None, max_length=30)
    grade: int = Field(ge=1, le=9)
    class_name: str | None = Field(default=None, max_length=40)
    entry_date: date | None = None
    status: EnrolmentStatus = Field(sa_type=str_enum(EnrolmentStatus))
    guardian_name: str | None = Field(default=None, max_length=50)
