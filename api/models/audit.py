import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from api.models.base import UTCDateTime, UUIDKeyed, str_enum, utcnow
from api.models.vocabulary import AuditAction


class AuditEvent(UUIDKeyed, table=True):
    """The append-only audit log; triggers in the database refuse updates and deletes."""

    __tablename__ = "audit_event"

    occurred_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime, index=True)
    action: AuditAction = Field(sa_type=str_enum(AuditAction))
    actor_id: uuid.UUID | None = Field(default=None, index=True)
    actor_username: str | None = Field(default=None, max_length=60)
    object_type: str | None = Field(default=None, max_length=40)
    object_id: str | None = Field(default=None, max_length=64)
    changes: dict[str, Any] | None = Field(default=None, sa_type=sa.JSON)
    detail: str | None = Field(default=None, max_length=300)
    request_id: str | None = Field(default=None, max_length=64)
    client_ip: str | None = Field(default=None, max_length=45)

    __table_args__ = (
        sa.Index("ix_audit_event_object", "object_type", "object_id"),
        sa.Index("ix_audit_event_ip_failures", "client_ip", "action", "occurred_at"),
    )
