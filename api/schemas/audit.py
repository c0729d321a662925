import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from api.models.vocabulary import AuditAction


class AuditEventOut(BaseModel):
    id: uuid.UUID
    occurred_at: datetime
    action: AuditAction
    actor_id: uuid.UUID | None
    actor_username: str | None
    object_type: str | None
    object_id: str | None
    changes: dict[str, Any] | None
    detail: str | None
    request_id: str | None
    client_ip: str | None
