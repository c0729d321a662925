import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from api.models.vocabulary import (
    DisabilityPlacement,
    EnrolmentStatus,
    GuardianRelation,
    SchoolingStatus,
    Sex,
)


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
