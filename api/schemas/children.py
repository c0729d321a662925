import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from api.models.vocabulary import (
    DisabilityPlacement,
    EnrolmentStatus,
    GuardianRelation,
    LeftBehind,
    SchoolingStatus,
    Sex,
)
from api.schemas.common import Mobile, Text50, Text200


class ChildListItem(BaseModel):
    """A child in a list: identifiers always masked."""

    id: uuid.UUID
    household_id: uuid.UUID
    area_code: str
    name: str
    sex: Sex
    birth_date: date
    id_number: str | None = Field(description="masked: 510821********1234")
    schooling_status: SchoolingStatus
    status_changed_at: datetime
    left_behind: int = Field(description="0 no, 1 one parent away, 2 both away")
    age: int = Field(description="full years today")
    is_compulsory_age: bool = Field(description="computed from the county's settings")
    expected_grade: int | None = Field(description="the grade an on-time child is in now")
    has_disability: bool
    is_orphan: bool
    is_unattended: bool
    is_in_hardship: bool
    is_migrant: bool


class GuardianOut(BaseModel):
    id: uuid.UUID
    name: str
    relation: GuardianRelation
    phone: str | None
    lives_with_child: bool
    is_primary: bool
    works_away: bool
    work_place: str | None


class HouseholdBrief(BaseModel):
    id: uuid.UUID
    area_code: str
    address: str
    head_name: str
    phone: str | None
    is_poverty_registered: bool
    is_minimum_living: bool


class EnrolmentBrief(BaseModel):
    id: uuid.UUID
    term: str
    school_id: uuid.UUID
    school_name: str
    class_id: uuid.UUID | None
    class_name: str | None
    grade: int
    student_number: str
    status: EnrolmentStatus


class ChildDetail(ChildListItem):
    """One child, whole. ``masked`` says whether identifiers are shown in full to this caller."""

    masked: bool
    registered_address: str | None
    disability_kind: str | None
    disability_grade: int | None
    placement: DisabilityPlacement | None
    is_in_legal_case: bool
    household: HouseholdBrief
    guardians: list[GuardianOut]
    enrolments: list[EnrolmentBrief]
    version: int
    created_at: datetime
    updated_at: datetime


class GuardianLink(BaseModel):
    """A guardian of the child: one of the household by ``guardian_id``, or a new one."""

    guardian_id: uuid.UUID | None = None
    name: Text50 | None = None
    phone: Mobile | None = None
    id_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=18)] | None = None
    relation: GuardianRelation
    lives_with_child: bool = True
    is_primary: bool = False
    works_away: bool = False
    work_place: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = (
        None
    )


class ChildFields(BaseModel):
    """What a clerk or cadre records about a child; status is changed through its own route."""

    name: Text50
    sex: Sex
    birth_date: date
    id_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=18)] | None = None
    registered_address: Text200 | None = None
    left_behind: LeftBehind = LeftBehind.NO
    disability_kind: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None
    ) = None
    disability_grade: Annotated[int, Field(ge=1, le=4)] | None = None
    placement: DisabilityPlacement | None = None
    is_orphan: bool = False
    is_unattended: bool = False
    is_in_hardship: bool = False
    is_migrant: bool = False
    is_in_legal_case: bool = False


class ChildCreate(ChildFields):
    id: uuid.UUID | None = Field(default=None, description="made by the client, for offline use")
    household_id: uuid.UUID
    guardians: list[GuardianLink] = Field(default=[], max_length=6)


class ChildUpdate(BaseModel):
    """Only the fields sent change; ``null`` clears an optional one."""

    household_id: uuid.UUID | None = None
    name: Text50 | None = None
    sex: Sex | None = None
    birth_date: date | None = None
    id_number: Annotated[str, StringConstraints(strip_whitespace=True, max_length=18)] | None = None
    registered_address: Text200 | None = None
    left_behind: LeftBehind | None = None
    disability_kind: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=40)] | None
    ) = None
    disability_grade: Annotated[int, Field(ge=1, le=4)] | None = None
    placement: DisabilityPlacement | None = None
    is_orphan: bool | None = None
    is_unattended: bool | None = None
    is_in_hardship: bool | None = None
    is_migrant: bool | None = None
    is_in_legal_case: bool | None = None
