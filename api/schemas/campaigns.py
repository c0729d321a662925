import uuid
from datetime import date, datetime
from typing import Annotated, Self

from pydantic import BaseModel, Field, StringConstraints, model_validator

from api.models.vocabulary import CampaignKind, CampaignPhase
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
