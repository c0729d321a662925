"""Follow-up visits after a child returns (跟踪回访), scheduled and recorded."""

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import AwareDatetime, BaseModel, Field

from api.models.vocabulary import FollowUpOutcome
from api.schemas.common import Text1000


class FollowUpState(StrEnum):
    DUE = "due"  # its day has not passed
    DONE = "done"
    MISSED = "missed"  # its day passed and no visit was recorded


class FollowUpIn(BaseModel):
    outcome: FollowUpOutcome
    note: Text1000 | None = None
    done_at: AwareDatetime | None = Field(default=None, description="now when left out")


class FollowUpOut(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    number: int
    due_on: date
    state: FollowUpState
    done_at: datetime | None
    done_by_id: uuid.UUID | None
    outcome: FollowUpOutcome | None
    note: str | None
