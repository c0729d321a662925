"""A persuasion attempt (劝返): who went, how, what came of it."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from api.models.vocabulary import AttemptOutcome, PersuasionMethod
from api.schemas.common import Text200, Text500, Text1000


class PersuasionAttemptIn(BaseModel):
    attempted_at: AwareDatetime
    persons: Text200 = Field(description="who went: names and roles")
    phone: (
        Annotated[
            str,
            StringConstraints(pattern=r"^[0-9+\-() ]{5,20}$"),
            Field(examples=["0839-1234567"]),
        ]
        | None
    ) = None
    method: PersuasionMethod
    outcome: AttemptOutcome
    next_step: Text500 | None = None
    note: Text1000 | None = None
    attachment_id: uuid.UUID | None = Field(default=None, description="a photo or a recording")


class PersuasionAttemptOut(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    number: int = Field(description="第几次劝返")
    attempted_at: datetime
    persons: str
    phone: str | None
    method: PersuasionMethod
    outcome: AttemptOutcome
    next_step: str | None
    note: str | None
    attachment_id: uuid.UUID | None
    recorded_by_id: uuid.UUID
    recorded_at: datetime
