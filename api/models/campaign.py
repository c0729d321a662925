import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from api.models.base import (
    AreaCodeType,
    Timestamped,
    UTCDateTime,
    UUIDKeyed,
    Versioned,
    str_enum,
)
from api.models.vocabulary import CampaignKind, CampaignPhase


class Campaign(UUIDKeyed, Timestamped, Versioned, table=True):
    """A sweep (开学摸排, 控辍月, 暑期家访) of some areas between two dates, in the seed's
    phases. Its households in scope are fixed when it starts (CampaignHousehold); households
    registered in its areas later count too."""

    name: str = Field(max_length=100)
    kind: CampaignKind = Field(sa_type=str_enum(CampaignKind))
    starts_on: date
    ends_on: date
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    created_by_id: uuid.UUID = Field(foreign_key="user.id")

    __table_args__ = (sa.CheckConstraint("starts_on <= ends_on", name="date_range"),)


class CampaignArea(SQLModel, table=True):
    """An area subtree a campaign sweeps."""

    __tablename__ = "campaign_area"

    campaign_id: uuid.UUID = Field(foreign_key="campaign.id", primary_key=True)
    area_code: str = Field(sa_type=AreaCodeType, foreign_key="area.code", primary_key=True)


class CampaignPhaseSpan(SQLModel, table=True):
    """One of a campaign's phases (宣传, 排查, 劝返, 总结) and its dates."""

    __tablename__ = "campaign_phase"

    campaign_id: uuid.UUID = Field(foreign_key="campaign.id", primary_key=True)
    phase: CampaignPhase = Field(sa_type=str_enum(CampaignPhase), primary_key=True)
    starts_on: date
    ends_on: date

    __table_args__ = (sa.CheckConstraint("starts_on <= ends_on", name="date_range"),)


class CampaignHousehold(SQLModel, table=True):
    """A household in a campaign's scope, fixed when the campaign started."""

    __tablename__ = "campaign_household"

    campaign_id: uuid.UUID = Field(foreign_key="campaign.id", primary_key=True)
    household_id: uuid.UUID = Field(foreign_key="household.id", primary_key=True, index=True)
