import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.models.vocabulary import UserRole
from api.schemas.common import AreaCode, Mobile
from api.schemas.me import CoveredArea, CoveredUnit

Username = Annotated[
    str,
    StringConstraints(pattern=r"^[a-z0-9][a-z0-9._-]{2,59}$"),
    Field(description="3-60 lower-case letters, digits, '.', '_' or '-'", examples=["li.hua"]),
]


class UserCreate(BaseModel):
    """A new account. Without ``password`` one is generated; either way it is a one-time
    password that must be changed at first login."""

    username: Username
    display_name: Annotated[
        str, StringConstraints(min_length=1, max_length=50, strip_whitespace=True)
    ]
    phone: Mobile | None = None
    role: UserRole
    areas: list[AreaCode] = Field(default=[], max_length=50)
    schools: list[uuid.UUID] = Field(default=[], max_length=50)
    classes: list[uuid.UUID] = Field(default=[], max_length=50)
    password: Annotated[str, StringConstraints(max_length=128)] | None = None


class UserUpdate(BaseModel):
    """What an account's manager may change. A field not named here (``username``, ``role``,
    ``password``...) is refused with a 422 naming it, never ignored. A coverage kind given
    replaces that kind whole, bound by the same rules as at creation (the role's kinds, within
    the caller's own reach); the kinds not given stay as they are."""

    model_config = ConfigDict(extra="forbid")

    display_name: (
        Annotated[str, StringConstraints(min_length=1, max_length=50, strip_whitespace=True)] | None
    ) = None
    phone: Mobile | None = None
    is_active: bool | None = None
    areas: list[AreaCode] | None = Field(default=None, max_length=50)
    schools: list[uuid.UUID] | None = Field(default=None, max_length=50)
    classes: list[uuid.UUID] | None = Field(
        default=None,
        max_length=50,
        description="a teacher's classes, all of one school, of any school year",
    )


class UserOut(BaseModel):
    id: uuid.UUID
    username: str
    display_name: str
    phone: str | None
    role: UserRole
    is_active: bool
    must_change_password: bool
    locked_until: datetime | None
    last_login_at: datetime | None
    areas: list[CoveredArea]
    schools: list[CoveredUnit]
    classes: list[CoveredUnit]
    api_scopes: list[str]
    version: int
    created_at: datetime


class OneTimePassword(BaseModel):
    one_time_password: str = Field(description="shown once; give it to the user in person")


class UserCreated(UserOut, OneTimePassword):
    pass
