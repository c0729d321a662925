"""The dual-line responsibility chain (双线控辍) of one child, and the gaps of an area."""

import uuid
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, Field

from api.models.vocabulary import AssignmentKind
from api.schemas.assignments import Person
from api.schemas.common import Page


class UnitKind(StrEnum):
    COUNTY = "county"  # the county, its education bureau (教育局) above every school
    TOWNSHIP = "township"
    VILLAGE = "village"
    GROUP = "group"
    HOUSEHOLD = "household"
    SCHOOL = "school"
    CLASS = "class"
    CHILD = "child"


class StepKind(StrEnum):
    VILLAGE_LEAD = "village_lead"  # 包村领导: a township cadre covering the village
    GROUP_CADRE = "group_cadre"  # 包组干部: a village cadre covering the group
    HOUSEHOLD = "household"  # 户主
    PRINCIPAL = "principal"  # 包校: the principal covering the school
    TEACHER = "teacher"  # 包学生: the teacher covering the child, or the class's head teacher
    GUARDIAN = "guardian"  # 监护人 / 家长


class Unit(BaseModel):
    kind: UnitKind
    code: str | None = Field(default=None, description="area code, for an area")
    id: uuid.UUID | None = Field(default=None, description="id, for a school, class, household")
    name: str


class StepPerson(BaseModel):
    """Whoever stands at a step: an account (cadre, principal, teacher) or the family."""

    user_id: uuid.UUID | None = Field(description="the account, for cadres and teachers")
    name: str
    role: str = Field(description="a user role, 'household_head', or the guardian's relation")
    phone: str | None


class Step(BaseModel):
    step: StepKind
    title: str = Field(description="the step as the seeds name it, in Chinese")
    unit: Unit | None
    person: StepPerson | None
    since: date | None = Field(default=None, description="responsible since (assignments)")
    assignment_id: uuid.UUID | None = None
    via: str | None = Field(
        default=None, description="teacher only: 'child' (教师包学生) or 'class' (班主任)"
    )
    gap: str | None = Field(default=None, description="why nobody stands here; None when filled")


class Tops(BaseModel):
    """The unit at the top of each line: the township government, and the school."""

    government: Unit | None
    school: Unit | None


class Duty(BaseModel):
    """Who must act on the child now on one line, and who is next above them."""

    acting: Step | None
    next_above: Step | None
    escalate_to: Unit | None = Field(description="the line's top unit, above every person")


class Duties(BaseModel):
    government: Duty
    school: Duty


class Responsibility(BaseModel):
    child_id: uuid.UUID
    child_name: str
    on: date
    enrolment_term: str | None = Field(description="the registration the school line follows")
    tops: Tops
    government: list[Step] = Field(description="包村干部, 包组干部, 户主, 监护人: top down")
    school: list[Step] = Field(description="包校校长, 包保教师, 监护人: top down")
    gaps: int = Field(description="the steps nobody holds, on both lines")
    duties: Duties


class UnitGap(BaseModel):
    kind: UnitKind
    code: str | None = None
    id: uuid.UUID | None = None
    name: str
    within: str | None = Field(default=None, description="the village or school it belongs to")


class ChildGap(BaseModel):
    id: uuid.UUID
    name: str
    area_code: str
    lines_missing: list[str] = Field(description="'government', 'school' or both")


class GapCounts(BaseModel):
    villages: int
    groups: int
    schools: int
    classes: int
    children_without_government: int
    children_without_school: int


class GapReport(BaseModel):
    area: str | None
    counts: GapCounts
    villages: list[UnitGap]
    groups: list[UnitGap]
    schools: list[UnitGap]
    classes: list[UnitGap]
    children: Page[ChildGap]


class Figures(BaseModel):
    """考核: what a person or unit answers for, and how it stands."""

    children_covered: int = Field(
        description="children the assignments cover today (finished, deceased, emigrated out)"
    )
    open_cases: int = Field(description="their cases still on the ledger")
    deadlines_missed: int = Field(
        description="their cases reported late to the school (24 h) or to the county (7 days), "
        "or past the 7 days and not yet reported"
    )
    returned: int = Field(description="their cases whose child came back to school")
    still_in_school: int = Field(
        description="of those, the children still at school: returned, followed up or closed "
        "as stable, not reopened since"
    )


class UnitFigures(BaseModel):
    kind: AssignmentKind
    unit: Unit
    person: Person
    since: date
    figures: Figures


class PersonFigures(BaseModel):
    person: Person
    assignments: int = Field(description="the villages, groups, schools, classes and children")
    figures: Figures = Field(description="each child and case counted once per person")
