import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, StringConstraints

from api.models.vocabulary import ApplicationState, IncapacityCause, SchoolingStatus
from api.schemas.common import Mobile, Text50

Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class StatusApplicationCreate(BaseModel):
    requested_status: SchoolingStatus
    cause: IncapacityCause
    applicant_name: Text50
    applicant_phone: Mobile | None = None
    reason: Note
    certificate_id: uuid.UUID


class StatusDecision(BaseModel):
    approve: bool
    note: Note | None = None


class StatusApplicationOut(BaseModel):
    id: uuid.UUID
    child_id: uuid.UUID
    requested_status: SchoolingStatus
    cause: IncapacityCause
    applicant_name: str
    applicant_phone: str | None
    reason: str
    certificate_id: uuid.UUID
    submitted_by_id: uuid.UUID
    state: ApplicationState
    decided_by_id: uuid.UUID | None
    decided_at: datetime | None
    decision_note: str | None
    created_at: datetime
    version: int
