import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from api.models.base import AreaCodeType, Timestamped, UTCDateTime, UUIDKeyed, Versioned, str_enum
from api.models.vocabulary import UserRole


class User(UUIDKeyed, Timestamped, Versioned, table=True):
    username: str = Field(max_length=60, unique=True)
    display_name: str = Field(max_length=50)
    phone: str | None = Field(default=None, max_length=20)
    role: UserRole = Field(sa_type=str_enum(UserRole))
    password_hash: str = Field(max_length=200)
    is_active: bool = True
    must_change_password: bool = False
    failed_login_count: int = 0
    locked_until: datetime | None = Field(default=None, sa_type=UTCDateTime)
    last_login_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Integration clients only: the API scopes granted, space-separated ("roster:write ...").
    api_scopes: str | None = Field(default=None, max_length=500)
    # Integration clients only: the secret replaced by a rotation stays valid until then, so
    # the third party can switch over without an outage.
    previous_password_hash: str | None = Field(default=None, max_length=200)
    previous_password_expires_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Requests a minute an integration client may make; None is the county's default.
    rate_limit_per_minute: int | None = None
    # Stamped in each access token: raising it makes every token already issued worthless at
    # once, where waiting for them to expire would leave a leaked secret's tokens working.
    token_generation: int = 0


class UserScope(UUIDKeyed, table=True):
    """What a user covers: an area subtree, a school, or a class; exactly one per row."""

    __tablename__ = "user_scope"

    user_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    area_code: str | None = Field(default=None, sa_type=AreaCodeType, foreign_key="area.code")
    school_id: uuid.UUID | None = Field(default=None, foreign_key="school.id")
    class_id: uuid.UUID | None = Field(default=None, foreign_key="school_class.id")

    __table_args__ = (
        sa.CheckConstraint(
            "(CASE WHEN area_code IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN school_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN class_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="exactly_one_target",
        ),
    )
