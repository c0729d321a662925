"""A campaign's summary report (总结阶段: 活动开展情况、取得的成效、存在的问题及下一步工作计划),
as the seed's fourth week asks of every township and of the county bureau.

Every figure is within the caller's scope; rates are shares (0 to 1) of two counts given
alongside, ``None`` on a zero base.
"""

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from api.models.vocabulary import CampaignKind, CampaignPhase, CaseSource, DropoutReason
from api.schemas.campaigns import CoverageCounts
from api.schemas.statistics import StatisticsOverview


class SummaryPlace(BaseModel):
    code: str = Field(description="the official area code")
    name: str | None = Field(description="the area's name; None if unknown")


class SummaryPhase(BaseModel):
    phase: CampaignPhase
    label: str = Field(description="the phase's Chinese name (宣传发动, 排查摸底, ...)")
    starts_on: date
    ends_on: date


class AreaCoverageRow(BaseModel):
    code: str = Field(description="the township or village (as `level` says)")
    name: str | None
    counts: CoverageCounts
    unvisited: int = Field(
        description="households not reached yet: never visited, or nobody home (to revisit)"
    )
    household_coverage: float | None = Field(description="counts.visited / counts.households")


class VisitPeriod(BaseModel):
    starts_on: date = Field(description="the period's first day (local date)")
    ends_on: date = Field(description="its last day")
    visits: int = Field(description="visits of the campaign made in it (by the phone's clock)")


class SummaryActivity(BaseModel):
    """活动开展情况."""

    name: str
    kind: CampaignKind
    kind_label: str = Field(description="the kind in Chinese (控辍保学月, 开学摸排, 暑期家访)")
    areas: list[SummaryPlace] = Field(description="the areas the campaign sweeps")
    starts_on: date
    ends_on: date
    phases: list[SummaryPhase]
    started: bool = Field(description="its households in scope are fixed when it starts")
    coverage: CoverageCounts = Field(
        description="households in scope, visited, to revisit, refused, not visited; school-age"
        " children in them and those whose schooling a visit recorded (api/services/coverage)"
    )
    household_coverage: float | None = Field(description="coverage.visited / coverage.households")
    child_coverage: float | None = Field(
        description="coverage.children_confirmed / coverage.children"
    )
    visits: int = Field(description="visits of the campaign to households the caller sees")
    visitors: int = Field(description="people (cadres, teachers) who made at least one of them")
    period_days: int = Field(description="1: visits counted per day; 7 (or more): per week")
    visits_by_period: list[VisitPeriod] = Field(
        description="from the campaign's first day to its last, or to today if earlier"
    )
    visits_outside_periods: int = Field(
        description="visits dated before the first day or after the last period (phone clocks)"
    )
    level: Literal["township", "village"] = Field(
        description="the level of by_area: townships when the report spans several, else villages"
    )
    by_area: list[AreaCoverageRow]


class SummarySourceRow(BaseModel):
    source: CaseSource | None = Field(description="None: all sources (合计)")
    label: str = Field(description="the source in Chinese (入户排查, 人籍比对, 教师报告, 手工登记)")
    opened: int = Field(description="cases entered between the campaign's first and last day")
    verified: int = Field(description="of these, verified as dropouts (确认辍学) and not dismissed")
    dismissed: int = Field(description="of these, found not to be dropouts (已排除)")
    returned: int = Field(description="of these, the child back at school (返校, 跟踪, 销号)")
    return_rate: float | None = Field(description="劝返率 = returned / verified")


class SummaryResults(BaseModel):
    """取得的成效."""

    children_checked: int = Field(
        description="school-age children in the households in scope whose schooling a visit of"
        " the campaign recorded (coverage.children_confirmed)"
    )
    children_out_of_school: int = Field(
        description="children a visit of the campaign found not at school (未在校), each once"
    )
    cases: SummarySourceRow = Field(
        description="all the cases opened during the campaign (来源: 合计)"
    )
    by_source: list[SummarySourceRow] = Field(description="the same by source, every source a row")
    statistics_area: SummaryPlace | None = Field(
        description="the area the statistics are of: the campaign's, narrowed to the caller's"
        " (the smallest area enclosing both); None: all the caller sees"
    )
    statistics: StatisticsOverview = Field(
        description="the county's figures as of today (GET /stats/overview for statistics_area):"
        " enrolment rate, retention rates, dropouts open, returns, deadline compliance"
    )


class SummaryReasonRow(BaseModel):
    reason: DropoutReason
    label: str = Field(description="the reason in Chinese")
    cases: int = Field(description="cases opened during the campaign, not dismissed, with it")
    share: float | None = Field(description="cases / all such cases")


class SummaryProblems(BaseModel):
    """存在的问题."""

    unvisited_households: int = Field(
        description="households not reached: never visited, or nobody home"
    )
    refused_households: int = Field(description="households that refused at the latest visit")
    children_unchecked: int = Field(
        description="school-age children in scope whose schooling no visit recorded"
    )
    lowest_villages: list[AreaCoverageRow] = Field(
        description="the villages with households not reached, the lowest coverage first (10)"
    )
    villages_with_unvisited: int = Field(
        description="villages with households not reached, these and any others"
    )
    cases_overdue: int = Field(
        description="open cases of children in the campaign's areas past the county deadline"
        " (不过周) and not reported up"
    )
    cases_without_plan: int = Field(
        description="confirmed dropouts (verified, planned, persuading) with no return plan"
        " (一人一案)"
    )
    cases_not_returned: int = Field(
        description="confirmed dropouts not back yet: verified, planned or persuading"
    )
    cases_suspected: int = Field(description="cases reported and not yet verified (疑似辍学)")
    reasons: list[SummaryReasonRow] = Field(
        description="原因分布, the most frequent first; none at 0"
    )


class CampaignSummary(BaseModel):
    campaign_id: uuid.UUID
    title: str = Field(description="e.g. 测试县控辍保学专项行动总结报告")
    place: SummaryPlace | None = Field(
        description="the area the report is of (see statistics_area); None when the campaign's"
        " areas lie in different counties"
    )
    as_of: date = Field(description="the county's date the report was made on")
    activity: SummaryActivity
    results: SummaryResults
    problems: SummaryProblems
    next_steps: list[str] = Field(
        description="下一步工作: sentences made from the figures above; none when nothing is left"
    )
