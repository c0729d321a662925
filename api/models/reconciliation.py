import uuid
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field

from api.models.base import AreaCodeType, UTCDateTime, UUIDKeyed, str_enum, utcnow
from api.models.vocabulary import DiscrepancyKind, DiscrepancyResolution, ReconciliationStatus


class Reconciliation(UUIDKeyed, table=True):
    """人籍一致比对: one run for an area (or one school) and a term, done in the background.
    ``previous_id`` is the last completed run of the same scope, the one its changes are
    counted against."""

    term: str = Field(max_length=11)
    area_code: str | None = Field(default=None, sa_type=AreaCodeType, foreign_key="area.code")
    school_id: uuid.UUID | None = Field(default=None, foreign_key="school.id")
    status: ReconciliationStatus = Field(
        default=ReconciliationStatus.QUEUED, sa_type=str_enum(ReconciliationStatus)
    )
    progress: int = 0  # per cent
    phase: str | None = Field(default=None, max_length=40)
    error: str | None = Field(default=None, max_length=500)
    counts: dict[str, int] = Field(default_factory=dict, sa_type=sa.JSON)  # kind -> found
    new: int = 0  # found now and not in the previous run
    gone: int = 0  # in the previous run and not found now
    previous_id: uuid.UUID | None = Field(default=None, foreign_key="reconciliation.id")
    created_by_id: uuid.UUID = Field(foreign_key="user.id")
    created_by_username: str = Field(max_length=60)
    created_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    finished_at: datetime | None = Field(default=None, sa_type=UTCDateTime)

    __table_args__ = (
        sa.CheckConstraint("(area_code IS NULL) <> (school_id IS NULL)", name="one_scope"),
        # A scope's latest completed run: the one a new run compares itself with.
        sa.Index("ix_reconciliation_scope", "term", "area_code", "school_id", "finished_at"),
    )


class Discrepancy(UUIDKeyed, table=True):
    """One thing a run found that does not agree, for someone to resolve. ``key`` names it
    the same way in every run (kind and the child, or the school and student number), so
    that runs can be compared and an explained exception stays explained."""

    reconciliation_id: uuid.UUID = Field(foreign_key="reconciliation.id")
    kind: DiscrepancyKind = Field(sa_type=str_enum(DiscrepancyKind))
    key: str = Field(max_length=120)
    child_id: uuid.UUID | None = Field(default=None, foreign_key="child.id")
    school_id: uuid.UUID | None = Field(default=None, foreign_key="school.id")
    # Where it belongs: the child's household group, else the school's area.
    area_code: str = Field(sa_type=AreaCodeType)
    name: str = Field(max_length=50)
    birth_date: date | None = None
    id_number: str | None = Field(default=None, max_length=18)
    student_number: str | None = Field(default=None, max_length=30)
    match_score: float | None = None
    match_reason: str | None = Field(default=None, max_length=60)
    detail: dict[str, Any] = Field(default_factory=dict, sa_type=sa.JSON)
    is_new: bool = True
    resolution: DiscrepancyResolution | None = Field(
        default=None, sa_type=str_enum(DiscrepancyResolution)
    )
    resolution_note: str | None = Field(default=None, max_length=500)
    resolved_by_id: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    resolved_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    case_id: uuid.UUID | None = Field(default=None, foreign_key="dropout_case.id")

    __table_args__ = (
        sa.UniqueConstraint("reconciliation_id", "key"),
        sa.Index("ix_discrepancy_run_kind_area", "reconciliation_id", "kind", "area_code"),
    )
