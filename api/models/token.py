import uuid
from datetime import datetime

from sqlmodel import Field

from api.models.base import UTCDateTime, UUIDKeyed, utcnow


class RefreshToken(UUIDKeyed, table=True):
    """A refresh token, stored only as its hash. Rotation chains tokens into a family; a spent
    token presented again means it was stolen, and the whole family is revoked."""

    __tablename__ = "refresh_token"

    user_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    family_id: uuid.UUID = Field(index=True)
    token_hash: str = Field(max_length=64, unique=True)
    issued_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    expires_at: datetime = Field(sa_type=UTCDateTime)
    used_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    revoked_reason: str | None = Field(default=None, max_length=40)
