import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from api.models.base import UTCDateTime, UUIDKeyed, partial, str_enum, utcnow
from api.models.vocabulary import AttemptOutcome, FollowUpOutcome, PersuasionMethod


class ReturnPlan(UUIDKeyed, table=True):
    """一人一案: a case's return plan. A change is a new version; the earlier ones are kept,
    so that the ledger shows what was planned when."""

    __tablename__ = "return_plan"

    case_id: uuid.UUID = Field(foreign_key="dropout_case.id")
    version: int = Field(ge=1)
    government_person_id: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    school_person_id: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    methods: list[str] = Field(default_factory=list, sa_type=sa.JSON)  # PersuasionMethod values
    target_return_on: date
    schedule: str | None = Field(default=None, max_length=500)  # 劝返时间安排
    measures: list[dict[str, Any]] = Field(default_factory=list, sa_type=sa.JSON)
    note: str | None = Field(default=None, max_length=1000)
    created_by_id: uuid.UUID = Field(foreign_key="user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("case_id", "version"),)


class PersuasionAttempt(UUIDKeyed, table=True):
    """劝返: one attempt to bring the child back: who went (and their phone), when, how, what
    came of it and what next."""

    __tablename__ = "persuasion_attempt"

    case_id: uuid.UUID = Field(foreign_key="dropout_case.id")
    number: int = Field(ge=1)  # 第几次劝返
    attempted_at: datetime = Field(sa_type=UTCDateTime)
    persons: str = Field(max_length=200)  # who went: cadres, teachers, village committee
    phone: str | None = Field(default=None, max_length=20)  # of the one to call back
    method: PersuasionMethod = Field(sa_type=str_enum(PersuasionMethod))
    outcome: AttemptOutcome = Field(sa_type=str_enum(AttemptOutcome))
    next_step: str | None = Field(default=None, max_length=500)
    note: str | None = Field(default=None, max_length=1000)
    attachment_id: uuid.UUID | None = Field(default=None, foreign_key="attachment.id")
    recorded_by_id: uuid.UUID = Field(foreign_key="user.id")
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)

    __table_args__ = (sa.UniqueConstraint("case_id", "number"),)


class FollowUp(UUIDKeyed, table=True):
    """跟踪回访: a visit after the return, due on a day of the schedule made at the return;
    done when recorded, missed when its day passed without."""

    __tablename__ = "follow_up"

    case_id: uuid.UUID = Field(foreign_key="dropout_case.id")
    number: int = Field(ge=1)
    due_on: date
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    done_by_id: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    outcome: FollowUpOutcome | None = Field(default=None, sa_type=str_enum(FollowUpOutcome))
    note: str | None = Field(default=None, max_length=1000)

    __table_args__ = (
        sa.UniqueConstraint("case_id", "number"),
        # What is due, across the county, by day: the notifications' and the ledger's query.
        sa.Index("ix_follow_up_due_open", "due_on", "case_id", **partial("done_at IS NULL")),
    )
