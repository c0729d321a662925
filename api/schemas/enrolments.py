import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from api.models.vocabulary import EnrolmentStatus, Sex


def _consecutive_years(term: str) -> str:
    if int(term[5:9]) != int(term[:4]) + 1:
        raise ValueError("学期的两个年份须相连，如 2026-2027-1 (the years must follow each other)")
    return term


Term = Annotated[
    str,
    StringConstraints(pattern=r"^\d{4}-\d{4}-[12]$"),
    AfterValidator(_consecutive_years),
    Field(
        description="school year and term: 2026-2027-1 (autumn) or 2026-2027-2 (spring)",
        examples=["2026-2027-1"],
    ),
]
StudentNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, to_upper=True, min_length=2, max_length=30),
    Field(description="学籍号: G + ID number, L temporary, J without a usable ID number"),
]


class EnrolmentCreate(BaseModel):
    child_id: uuid.UUID
    school_id: uuid.UUID
    class_id: uuid.UUID | None = None
    term: Term | None = Field(default=None, description="defaults to the current term")
    grade: Annotated[int, Field(ge=1, le=9)]
    student_number: StudentNumber
    entry_date: date | None = None


class ChildTransferCreate(BaseModel):
    """籍随人走: the registration follows the child to the new school."""

    to_school_id: uuid.UUID
    to_class_id: uuid.UUID | None = None
    grade: Annotated[int, Field(ge=1, le=9)] | None = Field(
        default=None, description="defaults to the grade the child is in"
    )
    transfer_date: date | None = None
    evidence: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class EnrolmentOut(BaseModel):
    id: uuid.UUID
    child_id: uuid.UUID | None
    school_id: uuid.UUID
    class_id: uuid.UUID | None
    term: str
    grade: int
    student_number: str
    name: str
    sex: Sex
    birth_date: date
    status: EnrolmentStatus
    entry_date: date | None
    created_at: datetime
    also_enrolled_at: list[uuid.UUID] = Field(
        default=[], description="other schools holding the child this term: to be resolved"
    )


class DoubleEnrolment(BaseModel):
    child_id: uuid.UUID
    term: str
    enrolment_ids: list[uuid.UUID]
    school_ids: list[uuid.UUID]
