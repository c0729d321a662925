"""The school's monthly report to the county (学校控辍保学月报): registrations and cases of one
calendar month in the county's time zone, by grade. The definitions are those of
api/services/reports/monthly_report.py."""

import uuid
from datetime import date, datetime
from typing import Annotated

from fastapi import Query
from pydantic import BaseModel, Field

from api.models.vocabulary import CaseStatus, DropoutReason

MonthQuery = Annotated[
    str | None,
    Query(
        description="the month reported on, YYYY-MM in the county's time zone; this month if"
        " left out, never one still to come"
    ),
]


class MonthlyFigures(BaseModel):
    grade: int | None = Field(description="1-9; null on the total row, and on the row of cases"
                              " recorded without a grade")  # fmt: skip
    registered_at_start: int = Field(
        description="在籍 on the month's first day: registrations at the school (status enrolled,"
        " or transferred out after that day) of the term covering it, entered by that day"
    )
    registered_at_end: int = Field(description="the same on the month's last day")
    transferred_in: int = Field(
        description="转入: registrations at the school entered during the month, after the"
        " term's first day (those of the first day are the term's own roll)"
    )
    transferred_out: int = Field(
        description="转出: registrations at the school marked transferred out whose pupil was"
        " entered at another school during the month (or, with no such school on record, marked"
        " during the month)"
    )
    reported: int = Field(description="疑似辍学 reported: cases of the school noticed in the month")
    verified: int = Field(
        description="确认辍学: cases of the school verified in the month, not dismissed since"
    )
    returned: int = Field(description="劝返复学: cases of the school returned in the month")
    open_at_end: int = Field(
        description="cases of the school open at the month's end: noticed by then, neither"
        " closed nor dismissed by then"
    )
    school_deadline_met: int = Field(
        description="of the cases reported in the month, those entered within 24 hours of being"
        " noticed (不过夜)"
    )


class MonthlyCase(BaseModel):
    case_id: uuid.UUID
    child_id: uuid.UUID
    child_name: str
    grade: int | None
    class_name: str | None
    reason: DropoutReason
    status: CaseStatus
    noticed_at: datetime
    school_deadline_met: bool = Field(description="entered within 24 hours (不过夜)")


class MonthlyReport(BaseModel):
    school_id: uuid.UUID
    school_name: str
    month: str = Field(description="YYYY-MM")
    first_day: date
    last_day: date
    as_of: date = Field(description="the county's date the report was made: figures of the"
                        " current month are those so far")  # fmt: skip
    terms: list[str] = Field(description="the term(s) whose registrations are counted")
    grades: list[MonthlyFigures] = Field(
        description="a row per grade the school teaches (and any other a record names)"
    )
    total: MonthlyFigures
    school_deadline_compliance: float | None = Field(
        description="total.school_deadline_met / total.reported; null with no case reported"
    )
    cases: list[MonthlyCase] = Field(description="the cases reported in the month, in order")
