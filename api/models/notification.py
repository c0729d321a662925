import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field

from api.models.base import UTCDateTime, UUIDKeyed, str_enum, utcnow
from api.models.vocabulary import CaseLine, NotificationKind


class Notification(UUIDKeyed, table=True):
    """An in-app message to someone who must act on a case. ``dedupe_key`` says what it is
    about (kind, case, the day or deadline), so that a scan run twice, or by two servers at
    once, tells each person once."""

    user_id: uuid.UUID = Field(foreign_key="user.id")
    kind: NotificationKind = Field(sa_type=str_enum(NotificationKind))
    case_id: uuid.UUID | None = Field(default=None, foreign_key="dropout_case.id")
    title: str = Field(max_length=100)
    body: str = Field(max_length=500)
    dedupe_key: str = Field(max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    read_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    __table_args__ = (
        sa.UniqueConstraint("user_id", "dedupe_key"),
        # A person's inbox, newest first, the unread ones from the index alone.
        sa.Index("ix_notification_inbox", "user_id", "read_at", "created_at"),
    )


class CaseEscalation(UUIDKeyed, table=True):
    """A case's overdue deadline taken up a line: to the next person above the one who must
    act, or to the line's top unit when nobody stands above. Once per deadline and line."""

    __tablename__ = "case_escalation"

    case_id: uuid.UUID = Field(foreign_key="dropout_case.id")
    deadline: str = Field(max_length=10)  # a DeadlineLevel: "county" (不过周) is escalated
    line: CaseLine = Field(sa_type=str_enum(CaseLine))
    from_user_id: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    to_user_id: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    to_unit: str | None = Field(default=None, max_length=100)  # when no person stands above
    escalated_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("case_id", "deadline", "line"),)
