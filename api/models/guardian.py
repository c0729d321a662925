import uuid

from sqlmodel import Field

from api.models.base import SoftRemoved, Timestamped, UUIDKeyed, Versioned, str_enum
from api.models.vocabulary import GuardianRelation


class Guardian(UUIDKeyed, Timestamped, Versioned, SoftRemoved, table=True):
    """监护人: a parent or other carer, at home or away working (外出务工)."""

    household_id: uuid.UUID | None = Field(default=None, foreign_key="household.id", index=True)
    name: str = Field(max_length=50)
    phone: str | None = Field(default=None, max_length=20)
    id_number: str | None = Field(default=None, max_length=18, index=True)
    works_away: bool = False
    work_place: str | None = Field(default=None, max_length=100)


class Guardianship(Timestamped, table=True):
    """Which guardian cares for which child, and whether they live together."""

    child_id: uuid.UUID = Field(foreign_key="child.id", primary_key=True)
    guardian_id: uuid.UUID = Field(foreign_key="guardian.id", primary_key=True, index=True)
    relation: GuardianRelation = Field(sa_type=str_enum(GuardianRelation))
    lives_with_child: bool = True
    is_primary: bool = False
