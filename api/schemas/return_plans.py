import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from api.models.vocabulary import (
    DropoutReason,
    PersuasionMethod,
    SupportMeasure,
)
from api.schemas.assignments import Person
from api.schemas.common import Text500, Text1000


class PlanMeasure(BaseModel):
    measure: SupportMeasure
    label: str | None = Field(default=None, description="its name in Chinese (answers only)")
    detail: Text500 | None = Field(default=None, description="what, how much, by whom")


class ReturnPlanIn(BaseModel):
    government_person_id: uuid.UUID | None = Field(
        default=None,
        description="the cadre answering for the return; left out: whoever the government "
        "line names for the child now (包组 or 包村)",
    )
    school_person_id: uuid.UUID | None = Field(
        default=None,
        description="the teacher or principal; left out: whoever the school line names now",
    )
    methods: list[PersuasionMethod] = Field(min_length=1, max_length=5, description="劝返方式")
    target_return_on: date = Field(description="the day the child is to be back at school")
    schedule: Text500 | None = Field(default=None, description="劝返时间安排")
    measures: list[PlanMeasure] | None = Field(
        default=None,
        max_length=12,
        description="帮扶措施; left out: the template for the case's reason",
    )
    note: Text1000 | None = None


class ReturnPlanOut(BaseModel):
    case_id: uuid.UUID
    version: int = Field(description="0: a draft, pre-filled and not yet saved")
    government_person: Person | None
    school_person: Person | None
    methods: list[PersuasionMethod]
    target_return_on: date | None
    schedule: str | None
    measures: list[PlanMeasure]
    note: str | None
    created_by_id: uuid.UUID | None
    created_at: datetime | None


class PlanTemplate(BaseModel):
    reason: DropoutReason
    reason_label: str
    measures: list[PlanMeasure] = Field(description="the seeds' support for this reason")
    when_persuasion_fails: list[PlanMeasure] = Field(description="the legal steps after")
