import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from api.models.vocabulary import ImportStatus, PovertyKind
from api.schemas.common import Page
from api.schemas.imports import ImportOut, Upload


class PovertyListUpload(Upload):
    """What identifies an upload of a list, for Idempotency-Key: the file, and the area."""

    area_code: str


class _ListFacts(BaseModel):
    area_code: str = Field(description="the county or township the list covers")
    current: bool = Field(
        description="the list in force for its area: the newest, replaced by none since"
    )
    replaced_at: datetime | None = Field(description="when a newer list for the area came")
    households: int = Field(description="distinct household numbers among the rows kept")
    members: int = Field(description="the rows kept, one a member")


class PovertyListOut(ImportOut, _ListFacts):
    """A poverty household list as uploaded: what was kept, and the faults of the rows refused."""


class PovertyListItem(_ListFacts):
    id: uuid.UUID
    file_name: str
    status: ImportStatus
    created_at: datetime
    created_by: str
    rows: int
    rejected: int


class PovertyMemberOut(BaseModel):
    """One member of a listed household, as the list has them."""

    row: int = Field(description="the row of the file the member was read from")
    household_number: str
    kind: PovertyKind
    area_code: str | None
    head_name: str
    name: str
    id_number: str | None = Field(description="masked unless the caller may read it in full")
    birth_date: date | None
    relation: str | None


class PovertyMemberPage(Page[PovertyMemberOut]):
    masked: bool = Field(description="whether the ID numbers are masked")
