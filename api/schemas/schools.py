import uuid
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from api.models.vocabulary import SchoolKind
from api.schemas.assignments import Person
from api.schemas.common import AreaCode, Text50, Text200


class SchoolClassOut(BaseModel):
    id: uuid.UUID
    school_year: int
    grade: int
    number: int
    name: str
    head_teacher: Person | None = Field(
        default=None, description="班主任: the teacher now assigned to the class, if any"
    )


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


Phone = Annotated[
    str,
    StringConstraints(strip_whitespace=True, pattern=r"^(0\d{2,3}-?\d{7,8}|1[3-9]\d{9})$"),
    Field(description="a landline with its area code, or a mobile", examples=["0839-1234567"]),
]
Grade = Annotated[int, Field(ge=1, le=9)]


class SchoolCreate(BaseModel):
    code: Annotated[str, StringConstraints(pattern=r"^\d{10}$")] = Field(
        description="学校标识码, 10 digits", examples=["2151990101"]
    )
    name: Text50
    kind: SchoolKind
    area_code: AreaCode = Field(description="the township (or village) where it stands")
    address: Text200 | None = None
    phone: Phone | None = None
    grade_from: Grade
    grade_to: Grade


class SchoolUpdate(BaseModel):
    name: Text50 | None = None
    address: Text200 | None = None
    phone: Phone | None = None
    grade_from: Grade | None = None
    grade_to: Grade | None = None


class SchoolClassCreate(BaseModel):
    school_year: Annotated[int, Field(ge=2000, le=2100, description="2026 for 2026-2027")]
    grade: Grade
    number: Annotated[int, Field(ge=1, le=40)]
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)] | (
        None
    ) = Field(default=None, description="defaults to 三年级2班 from grade and number")
