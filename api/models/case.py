import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Field

from api.models.base import (
    AreaCodeType,
    Timestamped,
    UTCDateTime,
    UUIDKeyed,
    Versioned,
    partial,
    str_enum,
)
from api.models.vocabulary import (
    CaseAction,
    CaseSource,
    CaseStatus,
    DismissalReason,
    DropoutReason,
    TransferOutcome,
)

# A child has one case open at a time: a second report of the same child joins the first.
OPEN_WHERE = "status NOT IN ('dismissed', 'closed')"


class Case(UUIDKeyed, Timestamped, Versioned, table=True):
    """个案: one child out of school, from the moment noticed until back and staying.

    The school, class and grade are those of the child's registration when the case was
    opened, as the dropout ledger records them; the deadlines are fixed from ``noticed_at``
    when it opens (case_deadlines), so that any query compares columns."""

    __tablename__ = "dropout_case"

    child_id: uuid.UUID = Field(foreign_key="child.id", index=True)
    status: CaseStatus = Field(sa_type=str_enum(CaseStatus), index=True)
    source: CaseSource = Field(sa_type=str_enum(CaseSource))
    reported_by_id: uuid.UUID = Field(foreign_key="user.id")
    noticed_at: datetime = Field(sa_type=UTCDateTime)
    reported_at: datetime = Field(sa_type=UTCDateTime)  # entered here: before the school
    school_due_at: datetime = Field(sa_type=UTCDateTime)  # 不过夜
    county_due_at: datetime = Field(sa_type=UTCDateTime, index=True)  # 不过周
    county_reported_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    days_absent: int | None = Field(default=None, ge=1)
    last_seen_on: date | None = None
    reason: DropoutReason = Field(default=DropoutReason.UNKNOWN, sa_type=str_enum(DropoutReason))
    reason_note: str | None = Field(default=None, max_length=500)
    whereabouts: str | None = Field(default=None, max_length=200)
    support_given: str | None = Field(default=None, max_length=500)
    school_id: uuid.UUID | None = Field(default=None, foreign_key="school.id", index=True)
    class_id: uuid.UUID | None = Field(default=None, foreign_key="school_class.id")
    grade: int | None = Field(default=None, ge=1, le=9)
    dismissal_reason: DismissalReason | None = Field(
        default=None, sa_type=str_enum(DismissalReason)
    )
    verified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    returned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    reopened: int = 0

    __table_args__ = (
        sa.Index("uq_dropout_case_open_child", "child_id", unique=True, **partial(OPEN_WHERE)),
    )


class CaseTransition(UUIDKeyed, table=True):
    """One step of a case's lifecycle: who did what, when, why and on what evidence."""

    __tablename__ = "case_transition"

    case_id: uuid.UUID = Field(foreign_key="dropout_case.id", index=True)
    action: CaseAction = Field(sa_type=str_enum(CaseAction))
    from_status: CaseStatus | None = Field(default=None, sa_type=str_enum(CaseStatus))
    to_status: CaseStatus = Field(sa_type=str_enum(CaseStatus))
    actor_id: uuid.UUID = Field(foreign_key="user.id")
    at: datetime = Field(sa_type=UTCDateTime)
    note: str | None = Field(default=None, max_length=1000)
    evidence_id: uuid.UUID | None = Field(default=None, foreign_key="attachment.id")


class CaseTransfer(UUIDKeyed, table=True):
    """A case handed on when the child moves: to a village or group of another township (the
    family moved), or to another school. Both sides see the case while it is pending; the
    receiving side's acceptance moves it (and, for a move, the household)."""

    __tablename__ = "case_transfer"

    case_id: uuid.UUID = Field(foreign_key="dropout_case.id", index=True)
    to_area_code: str | None = Field(default=None, sa_type=AreaCodeType, foreign_key="area.code")
    to_school_id: uuid.UUID | None = Field(default=None, foreign_key="school.id")
    from_area_code: str | None = Field(default=None, sa_type=AreaCodeType)
    from_school_id: uuid.UUID | None = Field(default=None, foreign_key="school.id")
    note: str | None = Field(default=None, max_length=500)
    requested_by_id: uuid.UUID = Field(foreign_key="user.id")
    requested_at: datetime = Field(sa_type=UTCDateTime)
    outcome: TransferOutcome = Field(
        default=TransferOutcome.PENDING, sa_type=str_enum(TransferOutcome)
    )
    decided_by_id: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str | None = Field(default=None, max_length=500)

    __table_args__ = (
        sa.CheckConstraint("(to_area_code IS NULL) <> (to_school_id IS NULL)", name="one_target"),
        # One transfer pending a case at a time.
        sa.Index(
            "uq_case_transfer_pending", "case_id", unique=True, **partial("outcome = 'pending'")
        ),
    )
