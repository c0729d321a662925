import uuid

from pydantic import BaseModel

from api.models.vocabulary import SchoolKind


class SchoolClassOut(BaseModel):
    id: uuid.UUID
    school_year: int
    grade: int
    number: int
    name: str


class SchoolOut(BaseModel):
    id: uuid.UUID
    code: str
    name: str
    kind: SchoolKind
    area_code: str
    address: str | None
    phone: str | None
    grade_from: int
    grade_to: int


class SchoolDetail(SchoolOut):
    classes: list[SchoolClassOut]
    version: int
