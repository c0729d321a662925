import uuid
from datetime import date

from pydantic import BaseModel, Field

from api.models.vocabulary import AssignmentKind, UserRole
from api.schemas.imports import ImportOut


class Person(BaseModel):
    """A responsible person as the chain shows them: a work contact, not a family's data."""

    id: uuid.UUID
    display_name: str
    role: UserRole
    phone: str | None


class AssignmentCreate(BaseModel):
    kind: AssignmentKind
    user_id: uuid.UUID = Field(description="the account of the person made responsible")
    area_code: str | None = Field(default=None, description="the village (village) or group")
    school_id: uuid.UUID | None = Field(default=None, description="the school (school)")
    class_id: uuid.UUID | None = Field(default=None, description="the class (class)")
    child_id: uuid.UUID | None = Field(default=None, description="the child (child)")
    valid_from: date | None = Field(
        default=None, description="the first day responsible; today when left out"
    )


class AssignmentEnd(BaseModel):
    valid_to: date | None = Field(default=None, description="the day it ends; today when left out")


class AssignmentOut(BaseModel):
    id: uuid.UUID
    kind: AssignmentKind
    person: Person
    area_code: str | None
    school_id: uuid.UUID | None
    class_id: uuid.UUID | None
    child_id: uuid.UUID | None
    valid_from: date
    valid_to: date | None


class AssignmentImportOut(ImportOut):
    """What an import of assignments (分工表) did, and the faults of the rows it refused."""

    created: int = Field(description="assignments begun")
    replaced: int = Field(description="of those, how many ended someone else's")
    unchanged: int = Field(description="rows naming who is responsible already: nothing to do")
