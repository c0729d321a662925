import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AwareDatetime, BaseModel, Field, StringConstraints

from api.models.vocabulary import SchoolingStatus, StatusSource

Note = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500)]


class StatusChangeCreate(BaseModel):
    to_status: SchoolingStatus
    reason: Note | None = None
    evidence: Note | None = Field(
        default=None, description="what proves it: 转学联系函、死亡证明、户口迁出证明…"
    )
    observed_at: AwareDatetime | None = Field(
        default=None,
        description="when it was seen, if earlier than now (a visit synced late); an observation "
        "older than the child's latest recorded change does not overwrite it",
    )


class StatusChangeOut(BaseModel):
    id: uuid.UUID
    child_id: uuid.UUID
    from_status: SchoolingStatus | None
    to_status: SchoolingStatus
    source: StatusSource
    reason: str | None
    evidence: str | None
    changed_by_id: uuid.UUID | None
    changed_at: datetime
