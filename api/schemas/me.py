import uuid

from pydantic import BaseModel

from api.models.vocabulary import UserRole


class CoveredArea(BaseModel):
    code: str
    name: str
    level: str


class CoveredUnit(BaseModel):
    id: uuid.UUID
    name: str


class Me(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    role: UserRole
    must_change_password: bool
    areas: list[CoveredArea]
    schools: list[CoveredUnit]
    classes: list[CoveredUnit]
    api_scopes: list[str]
