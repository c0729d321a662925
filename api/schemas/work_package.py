import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, Field

from api.models.vocabulary import (
    CampaignKind,
    CampaignPhase,
    CaseStatus,
    SchoolingStatus,
    Sex,
    VisitOutcome,
)
from api.schemas.areas import AreaRef

VERSION_PATTERN = r"^v1\.[0-9]{1,20}\.[0-9a-f]{12}$"
SinceQuery = Annotated[
    str | None,
    Query(
        pattern=VERSION_PATTERN,
        description="the version of the package the phone holds: only what changed since is sent",
        examples=["v1.1788000000.3f2a9c1b7d4e"],
    ),
]


class PackageCampaign(BaseModel):
    id: uuid.UUID
    name: str
    kind: CampaignKind
    starts_on: date
    ends_on: date
    phase: CampaignPhase | None = Field(description="the phase today, by the campaign's dates")


class PackageGuardian(BaseModel):
    id: uuid.UUID
    name: str
    phone: str | None
    works_away: bool
    work_place: str | None


class PackageCase(BaseModel):
    id: uuid.UUID
    status: CaseStatus


class PackageChild(BaseModel):
    """A child as the cadre needs them at the door: who, and their last known schooling."""

    id: uuid.UUID
    name: str
    name_pinyin: str = Field(
        description='the name in pinyin, for searching on the phone: "zhangsan"'
    )
    name_initials: str = Field(description='its initials, for searching on the phone: "zs"')
    sex: Sex
    birth_date: date
    id_number: str | None = Field(description="masked unless the caller may read it whole")
    schooling_status: SchoolingStatus
    status_changed_at: datetime
    expected_grade: int | None = Field(description="of compulsory age: the grade due this year")
    left_behind: int = Field(description="0 no, 1 one parent away, 2 both away")
    school_name: str | None = Field(description="registered this school year: the school")
    grade: int | None = Field(description="registered this school year: the grade")
    open_case: PackageCase | None


class PackageVisit(BaseModel):
    visited_at: datetime
    outcome: VisitOutcome
    campaign_id: uuid.UUID | None


class PackageHousehold(BaseModel):
    id: uuid.UUID
    version: int
    area_code: str
    address: str
    head_name: str
    head_pinyin: str = Field(
        description='the head\'s name in pinyin, for searching on the phone: "zhangsan"'
    )
    head_initials: str = Field(description='its initials, for searching on the phone: "zs"')
    phone: str | None = Field(description="masked unless the caller may read it whole")
    is_poverty_registered: bool
    is_minimum_living: bool
    guardians: list[PackageGuardian]
    children: list[PackageChild]
    last_visit: PackageVisit | None


class WorkPackage(BaseModel):
    """入户包: what a cadre takes to the villages, for use with no signal."""

    version: str = Field(description="send it back as `since` for only what changed")
    full: bool = Field(description="true: the whole package; false: changes since `since`")
    generated_at: datetime
    masked: bool = Field(description="identifiers masked (the caller may not read them whole)")
    areas: list[AreaRef] = Field(description="the villages and groups the package covers")
    campaigns: list[PackageCampaign] = Field(description="campaigns under way in these areas")
    households: list[PackageHousehold] = Field(
        description="all of them (full), or those changed since `since`, each whole"
    )
    household_ids: list[uuid.UUID] | None = Field(
        description="a delta only: every household now in the package; drop the others"
    )
