import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from api.models.vocabulary import CaseLine, NotificationKind, UserRole


class NotificationOut(BaseModel):
    id: uuid.UUID
    kind: NotificationKind
    case_id: uuid.UUID | None
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


class EscalationOut(BaseModel):
    deadline: str = Field(description="county: 不过周")
    line: CaseLine
    from_user_id: uuid.UUID | None = Field(description="who was to act")
    to_user_id: uuid.UUID | None = Field(description="the next one up, told")
    to_unit: str | None = Field(description="the line's top unit, when nobody stands above")
    escalated_at: datetime


class EscalationRun(BaseModel):
    escalated: int = Field(description="deadline-lines taken up a line in this run")
    notified: int = Field(description="notifications sent in this run (none twice)")


class Notified(BaseModel):
    """Someone a write told in their inbox."""

    user_id: uuid.UUID
    display_name: str = Field(examples=["王乡长"])
    role: UserRole
