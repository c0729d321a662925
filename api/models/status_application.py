import uuid
from datetime import datetime

from sqlmodel import Field

from api.models.base import Timestamped, UTCDateTime, UUIDKeyed, Versioned, str_enum
from api.models.vocabulary import ApplicationState, IncapacityCause, SchoolingStatus


class StatusApplication(UUIDKeyed, Timestamped, Versioned, table=True):
    """免学/缓学/休学: applied for by the guardian with a certificate, approved or refused by the
    township or the county; an approval changes the child's schooling status."""

    __tablename__ = "status_application"

    child_id: uuid.UUID = Field(foreign_key="child.id", index=True)
    requested_status: SchoolingStatus = Field(sa_type=str_enum(SchoolingStatus))
    cause: IncapacityCause = Field(sa_type=str_enum(IncapacityCause))
    applicant_name: str = Field(max_length=50)  # the guardian who applies
    applicant_phone: str | None = Field(default=None, max_length=20)
    reason: str = Field(max_length=500)
    certificate_id: uuid.UUID = Field(foreign_key="attachment.id")
    submitted_by_id: uuid.UUID = Field(foreign_key="user.id")
    state: ApplicationState = Field(
        default=ApplicationState.PENDING, sa_type=str_enum(ApplicationState), index=True
    )
    decided_by_id: uuid.UUID | None = Field(default=None, foreign_key="user.id")
    decided_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    decision_note: str | None = Field(default=None, max_length=500)
