import uuid
from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any, Self

from pydantic import (
    AwareDatetime,
    BaseModel,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from api.models.vocabulary import (
    DropoutReason,
    ObservedSchooling,
    SchoolingStatus,
    VisitOutcome,
)
from api.schemas.children import ChildCreate
from api.schemas.households import HouseholdCreate

MAX_VISITS = 500
MAX_FOUND = 200  # households or children found in the field, a batch
MAX_PHOTOS = 5  # a visit's


class FieldHousehold(HouseholdCreate):
    """A household found in the field: its id made by the phone."""

    id: uuid.UUID


class FieldChild(ChildCreate):
    """A child found in the field: its id made by the phone."""

    id: uuid.UUID


class Location(BaseModel):
    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    accuracy_m: float | None = Field(default=None, ge=0, le=100_000)


class ObservationIn(BaseModel):
    """What the visit found of one child of the household."""

    child_id: uuid.UUID
    schooling: ObservedSchooling
    school_id: uuid.UUID | None = Field(default=None, description="in school: in the county")
    school_name: Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)] | None = (
        Field(default=None, description="in school: outside the county, its name and place")
    )
    grade: int | None = Field(default=None, ge=1, le=9)
    reason: DropoutReason | None = Field(default=None, description="not in school: why")
    whereabouts: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)] | None = (
        Field(default=None, description="away, or out of school: where the child is")
    )

    @model_validator(mode="after")
    def _says_enough(self) -> Self:
        if self.schooling is ObservedSchooling.IN_SCHOOL and not (
            self.school_id or self.school_name
        ):
            raise ValueError("在校须写明学校 (in school: name the school)")
        if self.schooling is ObservedSchooling.AWAY and not self.whereabouts:
            raise ValueError("外出须写明去向 (away: say where)")
        return self


class VisitIn(BaseModel):
    id: uuid.UUID = Field(description="made by the phone; the same visit sent again is one visit")
    household_id: uuid.UUID
    campaign_id: uuid.UUID | None = None
    visited_at: AwareDatetime = Field(description="the phone's time of the visit")
    outcome: VisitOutcome
    location: Location | None = None
    note: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None
    observations: list[ObservationIn] = Field(default=[], max_length=30)
    attachment_ids: list[uuid.UUID] = Field(
        default=[],
        max_length=MAX_PHOTOS,
        description="photos taken at the visit, uploaded first by the same user"
        " (POST /attachments with the id the phone made)",
    )

    @field_validator("attachment_ids")
    @classmethod
    def _each_photo_once(cls, ids: list[uuid.UUID]) -> list[uuid.UUID]:
        if len(ids) != len(set(ids)):
            raise ValueError("同一照片列了两次 (a photo named twice)")
        return ids

    @model_validator(mode="after")
    def _observed_when_met(self) -> Self:
        if self.observations and self.outcome is not VisitOutcome.MET:
            raise ValueError("只有见到家人才能记录儿童情况 (children are observed when met)")
        children = [o.child_id for o in self.observations]
        if len(children) != len(set(children)):
            raise ValueError("同一儿童记录了两次 (a child observed twice in one visit)")
        return self


class ObservationOut(BaseModel):
    child_id: uuid.UUID
    schooling: ObservedSchooling
    school_id: uuid.UUID | None
    school_name: str | None
    grade: int | None
    reason: DropoutReason | None
    whereabouts: str | None
    applied: bool = Field(
        description="whether it changed the child's recorded status (false: a later one stood)"
    )


class VisitOut(BaseModel):
    """A visit as stored: who went, when, what they found, and the photos taken."""

    id: uuid.UUID
    household_id: uuid.UUID
    campaign_id: uuid.UUID | None
    visitor_id: uuid.UUID
    visitor_name: str
    visited_at: datetime
    received_at: datetime
    outcome: VisitOutcome
    location: Location | None
    note: str | None
    observations: list[ObservationOut]
    attachment_ids: list[uuid.UUID] = Field(description="GET /attachments/{id} for each photo")


class VisitBatch(BaseModel):
    """A phone's queue: households and children found in the field, then the visits."""

    households: list[FieldHousehold] = Field(default=[], max_length=MAX_FOUND)
    children: list[FieldChild] = Field(default=[], max_length=MAX_FOUND)
    visits: list[VisitIn] = Field(default=[], max_length=MAX_VISITS)


class VisitBatchRaw(BaseModel):
    """The batch as it arrives: each item is checked alone, so one bad item is answered
    ``invalid`` and the others go on (the OpenAPI shows VisitBatch)."""

    households: list[dict[str, Any]] = Field(default=[], max_length=MAX_FOUND)
    children: list[dict[str, Any]] = Field(default=[], max_length=MAX_FOUND)
    visits: list[dict[str, Any]] = Field(default=[], max_length=MAX_VISITS)


class ItemResult(StrEnum):
    CREATED = "created"
    DUPLICATE = "duplicate"  # sent before with the same content: nothing stored again
    CONFLICT = "conflict"  # see ``detail`` and ``server_state``
    INVALID = "invalid"  # see ``errors``


class ItemError(BaseModel):
    loc: list[str | int]
    msg: str


class ServerState(BaseModel):
    child_id: uuid.UUID
    schooling_status: SchoolingStatus
    status_changed_at: datetime
    seen_at: datetime = Field(description="the later of its last change and last observation")


class ItemOutcome(BaseModel):
    index: int = Field(description="the item's place in its list")
    id: uuid.UUID | None
    result: ItemResult
    detail: str | None = None
    errors: list[ItemError] = Field(default_factory=list)
    server_state: list[ServerState] = Field(
        default_factory=list,
        description="the children whose recorded status is newer than this visit's "
        "observation: the visit is kept, the observation does not overwrite",
    )
    case_ids: list[uuid.UUID] = Field(
        default_factory=list, description="suspected-dropout cases opened"
    )


class BatchResult(BaseModel):
    received_at: datetime
    households: list[ItemOutcome]
    children: list[ItemOutcome]
    visits: list[ItemOutcome]
