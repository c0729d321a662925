import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, Field

from api.models.vocabulary import DiscrepancyKind, DiscrepancyResolution, ReconciliationStatus
from api.schemas.common import AreaCode
from api.schemas.enrolments import Term


class ReconciliationCreate(BaseModel):
    term: Term | None = Field(default=None, description="defaults to the current term")
    area_code: AreaCode | None = Field(
        default=None,
        description="the county, a township or a village: its population and its schools' "
        "rosters are compared (the three comparisons)",
    )
    school_id: uuid.UUID | None = Field(
        default=None,
        description="instead of an area: one school's roster against the population side",
    )


class ReconciliationOut(BaseModel):
    id: uuid.UUID
    term: str
    area_code: str | None
    school_id: uuid.UUID | None
    status: ReconciliationStatus
    progress: int = Field(description="per cent done")
    phase: str | None = Field(description="what the run is doing: matching, population, ...")
    error: str | None
    counts: dict[str, int] = Field(description="discrepancies found, by kind")
    new: int = Field(description="found now and not in the previous run of the same scope")
    gone: int = Field(description="in the previous run and not found now")
    previous_id: uuid.UUID | None
    created_by: str
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class DiscrepancyChange(StrEnum):
    NEW = "new"  # found now, not in the previous run
    GONE = "gone"  # in the previous run, not found now (listed from the previous run)


class DiscrepancyOut(BaseModel):
    id: uuid.UUID
    reconciliation_id: uuid.UUID
    kind: DiscrepancyKind
    key: str = Field(description="names the same discrepancy in every run")
    child_id: uuid.UUID | None
    school_id: uuid.UUID | None
    area_code: str
    name: str
    birth_date: date | None
    id_number: str | None = Field(description="masked in lists")
    student_number: str | None
    match_score: float | None = Field(
        description="how the registration was linked to the child: 1.0 by ID number; "
        "0.95 same name, birth date and guardian; 0.85 homophone name (pinyin) with birth "
        "date and guardian; 0.75 same name and birth date"
    )
    match_reason: str | None = Field(
        description="codes joined by '+': id_number, name, homophone, birth_date, guardian; "
        "confirmed when a person linked it (resolution link)"
    )
    detail: dict[str, Any]
    is_new: bool
    resolution: DiscrepancyResolution | None
    resolution_note: str | None
    resolved_at: datetime | None
    case_id: uuid.UUID | None


class DiscrepancyResolve(BaseModel):
    action: DiscrepancyResolution = Field(
        description="open_case (a child out of school: a case opens, source reconciliation), "
        "corrected (put right at its source), explained (a true exception: the note says why; "
        "later runs keep it explained), link (an unknown_to_population registration is the "
        "child named by child_id, one of its candidates)"
    )
    note: str | None = Field(default=None, max_length=500)
    child_id: uuid.UUID | None = Field(
        default=None,
        description="with link only: the candidate child the registration is linked to",
    )


class CandidateOut(BaseModel):
    """A child who could be the pupil of a registration nobody matched, for a person to judge."""

    child_id: uuid.UUID
    name: str
    birth_date: date
    area_code: str = Field(description="where the child lives")
    score: float = Field(
        description="the matching rule's score: 0.45 same name or 0.35 homophone (same pinyin), "
        "0.30 same birth date, 0.20 guardian found, -0.30 guardian named and not found; "
        "an import links at 0.70 only"
    )
    reason: str = Field(
        description="codes joined by '+': name or homophone; birth_date or birth_date_differs; "
        "guardian or guardian_differs; near_school (lives in the school's township: orders "
        "equals, weighs nothing)",
        examples=["homophone+birth_date+near_school"],
    )
    near_school: bool
