import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, Field

from api.models.vocabulary import (
    CaseAction,
    CaseSource,
    CaseStatus,
    DismissalReason,
    DropoutReason,
    TransferOutcome,
)
from api.schemas.notifications import EscalationOut, Notified


class DeadlineState(StrEnum):
    PENDING = "pending"  # not yet met, not yet due
    MET = "met"
    MET_LATE = "met_late"
    OVERDUE = "overdue"  # due and not met
    MOOT = "moot"  # the case was dismissed before it was met: nothing to report


class LedgerKind(StrEnum):
    """The county's two ledgers of cases: 疑似辍学学生台账 and 辍学学生台账."""

    SUSPECTED = "suspected"  # reported, not yet verified
    CONFIRMED = "confirmed"  # verified and not yet closed: off the ledger as it closes


class CaseCreate(BaseModel):
    id: uuid.UUID | None = Field(default=None, description="made by the phone, for offline work")
    child_id: uuid.UUID
    source: CaseSource = Field(
        default=CaseSource.MANUAL,
        description="teacher_report (with days_absent) or manual here; sweeps and "
        "reconciliation open theirs themselves",
    )
    noticed_at: AwareDatetime | None = Field(
        default=None, description="when the child was noticed out of school; now if left out"
    )
    days_absent: int | None = Field(default=None, ge=1, le=365)
    last_seen_on: date | None = Field(default=None, description="the last day seen at school")
    reason: DropoutReason = DropoutReason.UNKNOWN
    reason_note: str | None = Field(default=None, max_length=500)
    whereabouts: str | None = Field(default=None, max_length=200, description="去向")
    support_given: str | None = Field(default=None, max_length=500, description="已落实的帮扶")


class Deadline(BaseModel):
    due_at: datetime
    met_at: datetime | None
    state: DeadlineState


class Deadlines(BaseModel):
    school: Deadline = Field(description="不过夜: before the school within 24 hours of noticed")
    county: Deadline = Field(description="不过周: reported to county and township within 7 days")


class CaseTransitionCreate(BaseModel):
    action: CaseAction
    note: str | None = Field(default=None, max_length=1000)
    dismissal_reason: DismissalReason | None = Field(
        default=None, description="required to dismiss: why the child is not a dropout"
    )
    evidence_id: uuid.UUID | None = Field(
        default=None, description="an attachment: a transfer letter, a certificate..."
    )


class CaseTransitionOut(BaseModel):
    id: uuid.UUID
    action: CaseAction
    from_status: CaseStatus | None
    to_status: CaseStatus
    actor_id: uuid.UUID
    at: datetime
    note: str | None
    evidence_id: uuid.UUID | None


class CaseOut(BaseModel):
    id: uuid.UUID
    version: int
    child_id: uuid.UUID
    child_name: str
    status: CaseStatus
    source: CaseSource
    reported_by_id: uuid.UUID
    noticed_at: datetime
    reported_at: datetime
    days_absent: int | None
    last_seen_on: date | None
    reason: DropoutReason
    reason_note: str | None
    whereabouts: str | None
    support_given: str | None
    school_id: uuid.UUID | None = Field(description="the school registered at when reported")
    class_id: uuid.UUID | None
    grade: int | None
    dismissal_reason: DismissalReason | None
    verified_at: datetime | None
    returned_at: datetime | None
    closed_at: datetime | None
    reopened: int = Field(description="times the child left again after a return")
    deadlines: Deadlines
    allowed_actions: list[CaseAction] = Field(description="what the caller may do now")


class CaseTransferCreate(BaseModel):
    to_area_code: str | None = Field(
        default=None,
        pattern=r"^\d{12}(\d{3})?$",
        description="the village or group the family moved to, in another township",
        examples=["519901002001"],
    )
    to_school_id: uuid.UUID | None = Field(default=None, description="or the school taking it")
    note: str | None = Field(default=None, max_length=500, description="where, since when, why")


class TransferDecision(BaseModel):
    note: str | None = Field(default=None, max_length=500)


class TransferOut(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    to_area_code: str | None
    to_school_id: uuid.UUID | None
    from_area_code: str | None
    from_school_id: uuid.UUID | None
    note: str | None
    requested_by_id: uuid.UUID
    requested_at: datetime
    outcome: TransferOutcome
    decided_by_id: uuid.UUID | None
    decided_at: datetime | None
    decision_note: str | None


class CaseDetail(CaseOut):
    transitions: list[CaseTransitionOut] = Field(description="the case's history, oldest first")
    escalations: list[EscalationOut] = Field(
        description="its overdue deadline taken up each line, and to whom"
    )
    transfers: list[TransferOut] = Field(description="handed on when the child moved")


class CaseMoved(CaseDetail):
    """The case after a transition, and whom the transition told."""

    notified: list[Notified] = Field(
        default_factory=list,
        description=(
            "whom this transition told in their inbox: on `report_upward`, the township"
            " officers and the county administrators whose areas cover the child's home;"
            " empty for the other actions"
        ),
    )
