import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from api.models.base import UTCDateTime, UUIDKeyed, utcnow


class IdempotencyKey(UUIDKeyed, table=True):
    """A write made under an ``Idempotency-Key``, and its answer, so that a repeat (a phone
    retrying after a lost reply) gets the first answer instead of writing twice.

    The row is added in the same transaction as the write itself: either both are stored or
    neither. ``status_code`` stays empty until the answer is known.
    """

    __tablename__ = "idempotency_key"

    user_id: uuid.UUID = Field(foreign_key="user.id")
    key: str = Field(max_length=255)
    fingerprint: str = Field(max_length=64)  # the method, path and body, hashed
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    status_code: int | None = None
    response: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)

    __table_args__ = (sa.UniqueConstraint("user_id", "key"),)
