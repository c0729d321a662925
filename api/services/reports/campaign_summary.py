"""A campaign's summary report (总结, the seed's fourth week): 活动开展情况, 取得的成效, 存在的问题
and 下一步工作计划, within the caller's scope.

Nothing is counted twice: the households and children swept come from coverage.py, the
county's rates from statistics.overview; this module adds, by aggregate SQL, the visits (per
day or week, and who made them), the children found out of school, the cases opened during
the campaign's dates (by source and reason) and the cases still waiting on someone (不过周
overdue, no return plan). The sentences of the next steps are campaign_summary_steps'.

The report is of the campaign's areas as far as the caller reaches into them: a township's
officer gets the township's part of a county's campaign. Cases count where the child lives.
"""

import asyncio
import math
import uuid
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, case, distinct, func, or_
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Area, Case, Child, Household, ReturnPlan, Visit, VisitObservation
from api.models.base import utcnow
from api.models.vocabulary import CaseSource, CaseStatus, DropoutReason, ObservedSchooling
from api.schemas.campaign_summary import (
    AreaCoverageRow,
    CampaignSummary,
    SummaryActivity,
    SummaryPhase,
    SummaryPlace,
    SummaryProblems,
    SummaryReasonRow,
    SummaryResults,
    SummarySourceRow,
    VisitPeriod,
)
from api.schemas.campaigns import AreaCoverage, CampaignCoverage, CampaignOut, CoverageCounts
from api.services.access import permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.cases import case_deadlines, case_rules
from api.services.core import labels, school_age
from api.services.core.actors import Actor
from api.services.reports import (
    campaign_summary_html,
    campaign_summary_steps,
    campaign_summary_xlsx,
)
from api.services.reports.dropout_ledger import SOURCE
from api.services.statistics import statistics
from api.services.sweeps import campaigns, coverage
from api.settings import Settings

LOWEST = 10  # villages named among the problems
MAX_PERIODS = 62  # a day a bar up to two months; a longer campaign is counted by the week
STILL_OUT = (CaseStatus.VERIFIED, CaseStatus.PLANNED, CaseStatus.PERSUADING)
_LEVELS = (6, 9, 12, 15)


def _sum(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _share(part: int | None, whole: int | None) -> float | None:
    return part / whole if part is not None and whole else None


def reach(campaign_areas: list[str], actor: Actor) -> list[str]:
    """The campaign's areas cut down to the actor's (whoever covers no area, a school's or a
    class's people, reaches them whole), none inside another."""
    codes: set[str] = set()
    for code in campaign_areas:
        codes.update(scoping.narrowed(actor.area_codes, code) if actor.area_codes else [code])
    return sorted(c for c in codes if not any(c != o and c.startswith(o) for o in codes))


def enclosing(codes: list[str]) -> str | None:
    """The smallest area enclosing all of ``codes``; None across counties."""
    if not codes:
        return None
    common = codes[0]
    for code in codes[1:]:
        while not code.startswith(common):
            common = common[:-1]
    return next((common[:n] for n in reversed(_LEVELS) if n <= len(common)), None)


async def summarize(
    *, session: AsyncSession, actor: Actor, settings: Settings, campaign_id: uuid.UUID
) -> CampaignSummary:
    """The summary of a campaign the actor sees (404 otherwise)."""
    permissions.require(actor, Resource.CAMPAIGN, Action.READ)
    permissions.require(actor, Resource.STATISTICS, Action.READ)
    campaign = await campaigns.get(session=session, actor=actor, campaign_id=campaign_id)
    today = school_age.local_today(settings)
    parts = reach(campaign.areas, actor)
    place = enclosing(parts)
    # The statistics of the enclosing area if the actor may ask for it, else of all they see.
    mine = place is not None and not scoping.outside_areas(actor, [place])
    stats_area = place if mine or not actor.area_codes else None
    named = select(Area.code, Area.name).where(col(Area.code).in_([*campaign.areas, place or ""]))
    names = dict((await session.exec(named)).all())
    swept = await coverage.coverage(
        session=session, actor=actor, settings=settings, campaign_id=campaign.id, level="village"
    )
    activity = await _activity(session, actor, settings, campaign, swept, names, today)
    cases, by_source, reasons = await _campaign_cases(session, actor, settings, campaign, parts)
    overview = await statistics.overview(
        session=session, actor=actor, settings=settings, area=stats_area
    )
    results = SummaryResults(
        children_checked=activity.coverage.children_confirmed,
        children_out_of_school=await _out_of_school(session, actor, settings, campaign),
        cases=cases,
        by_source=by_source,
        statistics_area=SummaryPlace(code=stats_area, name=names.get(stats_area))
        if stats_area
        else None,
        statistics=overview,
    )
    problems = await _problems(session, actor, settings, parts, activity, swept.by_area, reasons)
    where = names.get(place, "") if place else ""
    summary = CampaignSummary(
        campaign_id=campaign.id,
        title=f"{where}控辍保学专项行动总结报告",
        place=SummaryPlace(code=place, name=names.get(place)) if place else None,
        as_of=today,
        activity=activity,
        results=results,
        problems=problems,
        next_steps=[],
    )
    summary.next_steps = campaign_summary_steps.next_steps(summary, today)
    return summary


async def _activity(
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    campaign: CampaignOut,
    total: CampaignCoverage,
    names: dict[str, str],
    today: date,
) -> SummaryActivity:
    """What was done: the campaign, its coverage (by township when it spans several, else by
    village) and its visits."""
    townships = {row.code[:9] for row in total.by_area}
    level = "township" if len(townships) > 1 else "village"
    shown = await _townships(session, total.by_area) if level == "township" else total.by_area
    step, periods = _periods(campaign, today)
    visits = await _visits(session, actor, settings, campaign, periods)
    counted = [VisitPeriod(starts_on=a, ends_on=b, visits=n) for (a, b), n in zip(
        periods, visits["periods"], strict=True)]  # fmt: skip
    return SummaryActivity(
        name=campaign.name,
        kind=campaign.kind,
        kind_label=campaign_summary_steps.KIND[campaign.kind],
        areas=[SummaryPlace(code=code, name=names.get(code)) for code in campaign.areas],
        starts_on=campaign.starts_on,
        ends_on=campaign.ends_on,
        phases=[
            SummaryPhase(**span.model_dump(), label=campaign_summary_steps.PHASE[span.phase])
            for span in campaign.phases
        ],
        started=total.started,
        coverage=total.total,
        household_coverage=_share(total.total.visited, total.total.households),
        child_coverage=_share(total.total.children_confirmed, total.total.children),
        visits=visits["visits"],
        visitors=visits["visitors"],
        period_days=step,
        visits_by_period=counted,
        visits_outside_periods=visits["visits"] - sum(p.visits for p in counted),
        level=level,
        by_area=[_row(row) for row in shown],
    )


async def _townships(session: AsyncSession, villages: list[AreaCoverage]) -> list[AreaCoverage]:
    """The villages' counts added up by township: coverage's own, not a second pass over the
    households (which costs seconds on a county)."""
    added: dict[str, dict[str, int]] = {}
    for row in villages:
        into = added.setdefault(row.code[:9], dict.fromkeys(CoverageCounts.model_fields, 0))
        for name, value in row.counts:
            into[name] += value
    named = select(Area.code, Area.name).where(col(Area.code).in_(added))
    names = dict((await session.exec(named)).all())
    return [
        AreaCoverage(code=code, name=names.get(code), counts=CoverageCounts(**counts))
        for code, counts in sorted(added.items())
    ]


def _row(row: AreaCoverage) -> AreaCoverageRow:
    counts = row.counts
    return AreaCoverageRow(
        code=row.code,
        name=row.name,
        counts=counts,
        unvisited=counts.not_visited + counts.to_revisit,
        household_coverage=_share(counts.visited, counts.households),
    )


def _periods(campaign: CampaignOut, today: date) -> tuple[int, list[tuple[date, date]]]:
    """The days (or weeks, for a campaign longer than MAX_PERIODS days) from its first day to
    its last or today, whichever comes first."""
    days = (campaign.ends_on - campaign.starts_on).days + 1
    step = 1 if days <= MAX_PERIODS else 7 * math.ceil(days / (7 * MAX_PERIODS))
    last = min(campaign.ends_on, today)
    periods = []
    first = campaign.starts_on
    while first <= last:
        periods.append((first, min(first + timedelta(days=step - 1), last)))
        first += timedelta(days=step)
    return step, periods


async def _visits(
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    campaign: CampaignOut,
    periods: list[tuple[date, date]],
) -> dict[str, Any]:
    """The campaign's visits to households the actor sees: how many, by how many people, and
    in each period (a column each: one pass, whatever the database's date functions)."""
    zone = ZoneInfo(settings.timezone)

    def midnight(day: date) -> datetime:
        return datetime.combine(day, time(), zone)

    at = col(Visit.visited_at)
    in_periods = [
        _sum(and_(at >= midnight(first), at < midnight(last + timedelta(days=1)))).label(f"p{n}")
        for n, (first, last) in enumerate(periods)
    ]
    query = (
        sa_select(
            func.count().label("visits"),
            func.count(distinct(col(Visit.visitor_id))).label("visitors"),
            *in_periods,
        )
        .select_from(Visit)
        .join(Household, col(Household.id) == col(Visit.household_id))
        .where(col(Visit.campaign_id) == campaign.id, scoping.households(actor, settings=settings))
    )
    row = (await (await session.connection()).execute(query)).one()
    return {
        "visits": int(row.visits or 0),
        "visitors": int(row.visitors or 0),
        "periods": [int(row._mapping[f"p{n}"] or 0) for n in range(len(periods))],
    }


async def _out_of_school(
    session: AsyncSession, actor: Actor, settings: Settings, campaign: CampaignOut
) -> int:
    found = await session.exec(
        select(func.count(distinct(col(VisitObservation.child_id))))
        .join(Visit, col(Visit.id) == col(VisitObservation.visit_id))
        .join(Child, col(Child.id) == col(VisitObservation.child_id))
        .where(
            col(Visit.campaign_id) == campaign.id,
            col(VisitObservation.schooling) == ObservedSchooling.NOT_IN_SCHOOL,
            col(Child.removed_at).is_(None),
            scoping.children(actor, settings=settings),
        )
    )
    return int(found.one() or 0)


def _cases_here(actor: Actor, settings: Settings, areas: list[str]) -> list[Any]:
    """The cases the actor sees of children living in the campaign's areas (as reached)."""
    return [
        scoping.cases(actor, settings=settings),
        or_(*(scoping.in_area(Child.area_code, code) for code in areas)),
    ]


async def _campaign_cases(
    session: AsyncSession, actor: Actor, settings: Settings, campaign: CampaignOut, areas: list[str]
) -> tuple[SummarySourceRow, list[SummarySourceRow], dict[DropoutReason, int]]:
    """The cases opened (entered) between the campaign's first and last day: in all, by source,
    and those not dismissed by reason. One query grouped by both."""
    zone = ZoneInfo(settings.timezone)
    opened = datetime.combine(campaign.starts_on, time(), zone)
    closed = datetime.combine(campaign.ends_on + timedelta(days=1), time(), zone)
    status = col(Case.status)
    query = (
        sa_select(
            col(Case.source),
            col(Case.reason),
            func.count().label("opened"),
            _sum(and_(col(Case.verified_at).is_not(None), status != CaseStatus.DISMISSED)).label(
                "verified"
            ),
            _sum(status == CaseStatus.DISMISSED).label("dismissed"),
            _sum(status.in_(case_rules.STAYING)).label("returned"),
        )
        .select_from(Case)
        .join(Child, col(Child.id) == col(Case.child_id))
        .where(
            *_cases_here(actor, settings, areas),
            col(Case.reported_at) >= opened,
            col(Case.reported_at) < closed,
        )
        .group_by(col(Case.source), col(Case.reason))
        .order_by(col(Case.source), col(Case.reason))
    )
    sums: dict[CaseSource, dict[str, int]] = {}
    reasons: dict[DropoutReason, int] = {}
    fields = ("opened", "verified", "dismissed", "returned")
    for row in (await (await session.connection()).execute(query)).all():
        into = sums.setdefault(CaseSource(row.source), dict.fromkeys(fields, 0))
        for name in fields:
            into[name] += int(row._mapping[name] or 0)
        kept = int(row.opened) - int(row.dismissed or 0)
        if kept:
            reason = DropoutReason(row.reason)
            reasons[reason] = reasons.get(reason, 0) + kept
    by_source = [_source_row(source, sums.get(source, {})) for source in CaseSource]
    total = {name: sum(getattr(row, name) for row in by_source) for name in fields}
    return _source_row(None, total), by_source, reasons


def _source_row(source: CaseSource | None, counts: dict[str, int]) -> SummarySourceRow:
    verified, returned = counts.get("verified", 0), counts.get("returned", 0)
    return SummarySourceRow(
        source=source,
        label=SOURCE[source] if source else "合计",
        opened=counts.get("opened", 0),
        verified=verified,
        dismissed=counts.get("dismissed", 0),
        returned=returned,
        return_rate=_share(returned, verified),
    )


async def _problems(
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    areas: list[str],
    activity: SummaryActivity,
    villages: list[AreaCoverage],
    reasons: dict[DropoutReason, int],
) -> SummaryProblems:
    status = col(Case.status)
    planned = sa_select(col(ReturnPlan.id)).where(col(ReturnPlan.case_id) == col(Case.id))
    query = (
        sa_select(
            _sum(case_deadlines.overdue(utcnow())).label("overdue"),
            _sum(and_(status.in_(STILL_OUT), ~planned.exists())).label("without_plan"),
            _sum(status.in_(STILL_OUT)).label("not_returned"),
            _sum(status == CaseStatus.REPORTED).label("suspected"),
        )
        .select_from(Case)
        .join(Child, col(Child.id) == col(Case.child_id))
        .where(*_cases_here(actor, settings, areas))
    )
    row = (await (await session.connection()).execute(query)).one()
    behind = sorted(
        (_row(v) for v in villages if v.counts.not_visited + v.counts.to_revisit),
        key=lambda r: (r.household_coverage or 0, -r.unvisited, r.code),
    )
    total = sum(reasons.values())
    order = list(DropoutReason)
    return SummaryProblems(
        unvisited_households=activity.coverage.not_visited + activity.coverage.to_revisit,
        refused_households=activity.coverage.refused,
        children_unchecked=activity.coverage.children - activity.coverage.children_confirmed,
        lowest_villages=behind[:LOWEST],
        villages_with_unvisited=len(behind),
        cases_overdue=int(row.overdue or 0),
        cases_without_plan=int(row.without_plan or 0),
        cases_not_returned=int(row.not_returned or 0),
        cases_suspected=int(row.suspected or 0),
        reasons=[
            SummaryReasonRow(
                reason=r, label=labels.DROPOUT_REASON[r], cases=n, share=_share(n, total)
            )
            for r, n in sorted(reasons.items(), key=lambda item: (-item[1], order.index(item[0])))
        ],
    )


async def workbook(
    *, session: AsyncSession, actor: Actor, settings: Settings, campaign_id: uuid.UUID
) -> tuple[str, bytes]:
    """The summary as XLSX: its file name and bytes."""
    summary = await summarize(
        session=session, actor=actor, settings=settings, campaign_id=campaign_id
    )
    content = await asyncio.to_thread(campaign_summary_xlsx.workbook, summary)
    return f"{summary.activity.name}_总结报告.xlsx", content


async def page(
    *, session: AsyncSession, actor: Actor, settings: Settings, campaign_id: uuid.UUID
) -> str:
    """The summary as a page to print."""
    summary = await summarize(
        session=session, actor=actor, settings=settings, campaign_id=campaign_id
    )
    return campaign_summary_html.page(summary)
