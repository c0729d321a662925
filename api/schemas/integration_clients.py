import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, Field, WithJsonSchema

from api.schemas.common import AreaCode, Text50
from api.schemas.me import CoveredArea, CoveredUnit
from api.schemas.users import Username
from api.services.access.permissions import api_scopes

_SCOPES = api_scopes()


def _known(value: str) -> str:
    if value not in _SCOPES:
        raise ValueError(f"unknown scope {value!r}: one of resource:read|read_personal|write")
    return value


def _distinct(value: list[str]) -> list[str]:
    return sorted(set(value))


ApiScope = Annotated[
    str, AfterValidator(_known), WithJsonSchema({"type": "string", "enum": _SCOPES})
]
Scopes = Annotated[
    list[ApiScope],
    Field(
        min_length=1,
        max_length=len(_SCOPES),
        description=(
            "What the client may do, `resource:action`; an action implies those before it"
            " (read < read_personal < write). Its bound areas or schools say where."
        ),
        examples=[["roster:write", "reconciliations:write", "schools:read"]],
    ),
    AfterValidator(_distinct),
]
RateLimit = Annotated[
    int,
    Field(ge=1, le=100_000, description="requests a minute; unset: the county's default"),
]


class IntegrationClientCreate(BaseModel):
    """A third party's system: what it may do, where, and how often. Bound to areas (a county,
    a township...) or to schools, not both."""

    client_id: Username
    display_name: Text50 = Field(examples=["学籍系统对接"])
    api_scopes: Scopes
    areas: list[AreaCode] = Field(default=[], max_length=50)
    schools: list[uuid.UUID] = Field(default=[], max_length=50)
    rate_limit_per_minute: RateLimit | None = None


class IntegrationClientUpdate(BaseModel):
    """The fields given are changed; scopes and bindings are replaced whole and take effect at
    the client's next request, its tokens included."""

    display_name: Text50 | None = None
    api_scopes: Scopes | None = None
    areas: list[AreaCode] | None = Field(default=None, max_length=50)
    schools: list[uuid.UUID] | None = Field(default=None, max_length=50)
    rate_limit_per_minute: RateLimit | None = Field(default=None, description="null: the default")
    is_active: bool | None = Field(default=None, description="false suspends it at once")


class IntegrationClientOut(BaseModel):
    id: uuid.UUID
    client_id: str
    display_name: str
    api_scopes: list[str]
    areas: list[CoveredArea]
    schools: list[CoveredUnit]
    rate_limit_per_minute: int = Field(description="in force: its own, or the default")
    is_active: bool
    has_secret: bool = Field(description="false after a revocation, until a rotation")
    previous_secret_expires_at: datetime | None = Field(
        description="until then the secret a rotation replaced still works"
    )
    last_token_at: datetime | None
    version: int
    created_at: datetime


class SecretRotation(BaseModel):
    previous_secret_valid_minutes: int = Field(
        default=0,
        ge=0,
        le=7 * 24 * 60,
        description=(
            "how long the old secret keeps working, so the third party can switch over;"
            " 0 (a leak) ends it and every token it got at once"
        ),
    )


class ClientSecret(BaseModel):
    client_id: str
    client_secret: str = Field(description="shown this once; only its hash is kept")
    previous_secret_expires_at: datetime | None


class IntegrationClientCreated(IntegrationClientOut):
    client_secret: str = Field(description="shown this once; only its hash is kept")
