"""Statistics (入学率, 巩固率, 辍学, 劝返, 时限, 排查覆盖): counts and the rates made of them.

Every rate is a share (0 to 1) of two counts given alongside it, ``None`` when its
denominator is 0. The overview carries every count; a breakdown's rows carry those of its
dimension (BREAKDOWNS) and null for the rest. The definitions are those of
api/services/statistics/statistics.py.
"""

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

BreakdownBy = Literal["area", "school", "grade", "reason", "flag", "week"]
# Which figures each breakdown carries; the others are null in its rows (and in the rates made
# of them): a school has no households to sweep, a reason no children.
BREAKDOWNS: dict[str, str] = {
    "area": "every figure, per child area one level down; the rows add up to the overview",
    "school": "this autumn's registrations at the school (enrolled_at_year_start) and the cases"
    " by the school they record (dropped_out_this_year among them, hence"
    " retention_rate_operational)",
    "grade": "the same by grade (1-9)",
    "reason": "the cases by reason (辍学原因)",
    "flag": "every child and case figure for left-behind (留守), poverty-registered (脱贫户) and"
    " disabled (残疾) children; a child may be in several rows",
    "week": "the cases noticed in each of the last `weeks` weeks (Monday to Sunday, local"
    " time), by the Monday",
}
NO_COHORT_HISTORY = "no roster history for the cohort"
COMPUTED_AT = (
    "when the figures were counted (UTC): for whoever covers areas alone, when the county's"
    " statistics snapshot was made (refreshed every few minutes: `statistics_refresh_seconds`),"
    " otherwise now"
)


class StatisticsFigures(BaseModel):
    # Children (适龄儿童少年)
    children_school_age: int | None = Field(
        description="children of compulsory-school age this school year (by birth date and the"
        " entry cut-off), not removed, neither deceased nor emigrated: the enrolment rate's base"
    )
    children_enrolled: int | None = Field(
        description="of these, at school: enrolled in the county (县内在校), home-delivered"
        " teaching (送教上门), enrolled outside the county with evidence recorded on the status"
        " change (县外就读 without evidence does not count), or status not yet recorded but"
        " placed in special education (special school, special class, regular class 随班就读,"
        " home-delivered)"
    )
    enrolment_rate: float | None = Field(
        description="入学率 = children_enrolled / children_school_age"
    )
    enrolled_at_year_start: int | None = Field(
        description="children registered (学籍 status enrolled) in the autumn term that opened"
        " this school year"
    )
    dropped_out_this_year: int | None = Field(
        description="children with a case verified as a dropout (确认辍学, not dismissed since)"
        " whose noticed_at falls in this school year"
    )
    dropout_rate: float | None = Field(
        description="辍学率 = dropped_out_this_year / enrolled_at_year_start"
    )
    retention_rate_operational: float | None = Field(
        description="巩固率 (operational, this school year) = 1 − dropped_out_this_year /"
        " enrolled_at_year_start"
    )
    cohort_grade_9: int | None = Field(
        description="children registered in grade 9 (初三) in this school year's autumn term"
    )
    cohort_intake: int | None = Field(
        description="children registered in grade 1 in the autumn term eight school years ago"
    )
    retention_rate_national: float | None = Field(
        description="巩固率 (national definition) = cohort_grade_9 / cohort_intake; None when the"
        " rosters of eight years ago are not held"
    )
    retention_rate_national_reason: str | None = Field(
        default=None, description=f'why the national rate is None: "{NO_COHORT_HISTORY}"'
    )
    # Cases (个案)
    dropouts_open: int | None = Field(
        description="cases on the confirmed dropout ledger (辍学学生台账): verified, planned,"
        " persuading, returned or following up"
    )
    suspected: int | None = Field(description="cases reported and not yet verified (疑似辍学)")
    cases_verified: int | None = Field(
        description="cases ever verified as dropouts (verified_at set) and not dismissed"
    )
    returned: int | None = Field(
        description="cases whose child returned: returned, following up, closed"
    )
    return_rate: float | None = Field(description="劝返率 = returned / cases_verified")
    stable_returns: int | None = Field(
        description="returns that held (留得住): closed as stable, or returned or following up"
        " with the return 90 days ago or more (a child who left again reopens the case, which"
        " is then neither)"
    )
    stable_return_rate: float | None = Field(description="stable_returns / returned")
    school_deadline_due: int | None = Field(
        description="cases whose school deadline (不过夜, 24 h after noticed_at) is met or has"
        " passed (every case: it is before the school once entered)"
    )
    school_deadline_met: int | None = Field(
        description="of these, entered (reported_at) by the school deadline"
    )
    school_deadline_compliance: float | None = Field(
        description="school_deadline_met / school_deadline_due"
    )
    county_deadline_due: int | None = Field(
        description="cases reported to the county (county_reported_at set), or past the county"
        " deadline (不过周, 7 days after noticed_at) and not dismissed"
    )
    county_deadline_met: int | None = Field(
        description="of these, reported to the county by the county deadline"
    )
    county_deadline_compliance: float | None = Field(
        description="county_deadline_met / county_deadline_due"
    )
    # The current campaign's coverage (排查覆盖)
    households: int | None = Field(description="households in the current campaign's scope")
    households_visited: int | None = Field(
        description="of these, reached by its latest visit (met, moved away, household gone)"
    )
    household_coverage: float | None = Field(description="households_visited / households")
    sweep_children: int | None = Field(
        description="children of compulsory-school age in those households"
    )
    sweep_children_observed: int | None = Field(
        description="of these, those whose schooling a visit of the campaign recorded"
    )
    child_coverage: float | None = Field(description="sweep_children_observed / sweep_children")


class StatisticsOverview(StatisticsFigures):
    area: str | None = Field(description="the area asked for; None: all the caller sees")
    school_year: int = Field(description="the school year, by its first calendar year")
    as_of: date = Field(description="the county's date the figures are computed for")
    computed_at: datetime = Field(description=COMPUTED_AT)
    campaign_id: uuid.UUID | None = Field(
        description="the current campaign (the latest started one the caller sees over the"
        " area); None: no sweep yet, and the coverage counts are 0"
    )


class StatisticsRow(StatisticsFigures):
    code: str = Field(
        description="the child area (or, for records kept at the area itself, the area)"
    )
    name: str | None


class StatisticsBreakdown(BaseModel):
    area: str | None
    by: BreakdownBy
    school_year: int
    as_of: date
    computed_at: datetime = Field(description=COMPUTED_AT)
    campaign_id: uuid.UUID | None
    items: list[StatisticsRow]
