import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from api.schemas.children import ChildListItem
from api.schemas.common import AreaCode, Mobile, Text50, Text200


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


class HouseholdCreate(BaseModel):
    id: uuid.UUID | None = Field(default=None, description="made by the client, for offline use")
    area_code: AreaCode = Field(description="the village group, or the village")
    address: Text200
    head_name: Text50
    phone: Mobile | None = None
    is_poverty_registered: bool = False
    is_minimum_living: bool = False
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class HouseholdUpdate(BaseModel):
    area_code: AreaCode | None = None
    address: Text200 | None = None
    head_name: Text50 | None = None
    phone: Mobile | None = None
    is_poverty_registered: bool | None = None
    is_minimum_living: bool | None = None
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
