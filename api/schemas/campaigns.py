import uuid
from datetime import date, datetime
from typing import Annotated, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from api.models.vocabulary import CampaignKind, CampaignPhase
from api.schemas.assignments import Person
from api.schemas.common import AreaCode


class PhaseSpan(BaseModel):
    phase: CampaignPhase
    starts_on: date
    ends_on: date


class CampaignCreate(BaseModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=100)]
    kind: CampaignKind
    areas: list[AreaCode] = Field(min_length=1, max_length=100, description="the areas swept")
    starts_on: date
    ends_on: date
    phases: list[PhaseSpan] = Field(
        default=[],
        max_length=4,
        description="宣传, 排查, 劝返, 总结 with their dates, in order within the campaign's; "
        "left out, the campaign's days are split into the four",
    )

    @model_validator(mode="after")
    def _dates_in_order(self) -> Self:
        if self.ends_on < self.starts_on:
            raise ValueError("结束日期早于开始日期 (ends before it starts)")
        return self


class CampaignOut(BaseModel):
    id: uuid.UUID
    version: int
    name: str
    kind: CampaignKind
    areas: list[str]
    starts_on: date
    ends_on: date
    phases: list[PhaseSpan]
    started_at: datetime | None = Field(
        description="when its households in scope were fixed; None until it starts"
    )
    households_in_scope: int = Field(description="fixed at the start")


class CoverageCounts(BaseModel):
    households: int = Field(default=0, description="in scope: fixed at the start, and added since")
    visited: int = Field(default=0, description="reached: met, or found moved away or gone")
    to_revisit: int = Field(default=0, description="nobody home at the latest visit")
    refused: int = Field(default=0, description="refused at the latest visit")
    not_visited: int = Field(default=0, description="no visit of this campaign yet")
    children: int = Field(default=0, description="of compulsory-school age, in these households")
    children_confirmed: int = Field(
        default=0, description="whose schooling a visit of this campaign recorded"
    )


class AreaCoverage(BaseModel):
    code: str
    name: str | None
    counts: CoverageCounts


class CadreCoverage(BaseModel):
    person: Person | None = Field(description="the cadre covering these groups; None: nobody")
    counts: CoverageCounts


class CampaignCoverage(BaseModel):
    campaign_id: uuid.UUID
    started: bool = Field(description="households in scope are fixed when it starts")
    total: CoverageCounts
    by_area: list[AreaCoverage]
    by_cadre: list[CadreCoverage]


class UnvisitedHousehold(BaseModel):
    id: uuid.UUID
    area_code: str
    address: str
    head_name: str
    to_revisit: bool = Field(description="visited, nobody home; otherwise never visited")
    children: int
    cadre_id: uuid.UUID | None
