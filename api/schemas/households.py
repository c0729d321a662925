import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from api.schemas.children import ChildListItem


class HouseholdListItem(BaseModel):
    id: uuid.UUID
    area_code: str
    address: str
    head_name: str
    phone: str | None = Field(description="masked in lists: 138****5678")
    is_poverty_registered: bool
    is_minimum_living: bool


class HouseholdGuardian(BaseModel):
    id: uuid.UUID
    name: str
    phone: str | None
    works_away: bool
    work_place: str | None


class HouseholdDetail(HouseholdListItem):
    masked: bool
    note: str | None
    children: list[ChildListItem]
    guardians: list[HouseholdGuardian]
    version: int
    created_at: datetime
    updated_at: datetime
