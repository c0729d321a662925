"""The county's figures (统计): enrolment, retention, dropouts, returns, deadlines, coverage.

Every figure is a count made by aggregate SQL (SUM of CASE, no FILTER, so it runs on SQLite
and PostgreSQL alike), in the caller's scope (api/services/scoping.py) and, given an area,
within its subtree; rates are divisions of two of these counts, ``None`` on a zero base.

- 入学率 enrolment rate = children at school / school-age children. School-age: of compulsory
  age this school year (school_age: birth dates between the grade-9 and grade-1 cohorts'),
  not removed, neither deceased nor emigrated. At school: enrolled in the county,
  home-delivered teaching (送教上门), enrolled outside the county with evidence recorded on the
  status change (the rule reconciliation's ``outside_unproven`` applies: without evidence it
  does not count), or status not yet recorded but placed in special education (special school,
  special class, regular class 随班就读, home-delivered). Suspended (休学), deferred, exempt,
  dropped out, never enrolled, completed and unknown are not at school.
- 巩固率, operational, for the current school year (``retention_rate_operational``) =
  1 − children dropped out this year / children registered at the year's start. Dropped out:
  a case verified (``verified_at`` set) and not dismissed, noticed in this school year.
  Registered at the start: a registration (学籍, status enrolled) in this year's autumn term.
- 巩固率, national (``retention_rate_national``) = children registered in grade 9 this
  autumn / children registered in grade 1 in the autumn term eight years earlier, from the
  rosters held; ``None`` with the reason "no roster history for the cohort" when none are.
- dropouts open: cases on the confirmed ledger (verified, planned, persuading, returned,
  following up); suspected: reported, not yet verified; returned: returned, following up or
  closed; 劝返率 return rate = returned / cases verified and not dismissed; stable-return rate
  = (closed, or returned / following up with ``returned_at`` 90 days ago or more) / returned.
- deadline compliance (case_deadlines): school (不过夜, 24 h) = cases entered by
  ``school_due_at`` / all cases (each is before the school once entered); county (不过周,
  7 days) = cases reported to the county by ``county_due_at`` / cases reported to the county
  or past that deadline and not dismissed.
- sweep coverage (coverage.py's counts, of the current campaign: the latest started one the
  caller sees over the area): households reached / households in scope, and children whose
  schooling a visit recorded / children of compulsory age in those households.

Cases count where the child lives (the child's area), in the caller's case scope.
"""

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, literal, or_
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import (
    Area,
    Campaign,
    CampaignArea,
    Case,
    Child,
    Enrolment,
    SchoolingStatusChange,
)
from api.models.base import utcnow
from api.models.vocabulary import (
    CaseStatus,
    DisabilityPlacement,
    EnrolmentStatus,
)
from api.models.vocabulary import SchoolingStatus as S
from api.schemas.campaigns import CoverageCounts
from api.schemas.stats import (
    NO_COHORT_HISTORY,
    BreakdownBy,
    StatsBreakdown,
    StatsFigures,
    StatsOverview,
    StatsRow,
)
from api.services import coverage, permissions, school_age, scoping
from api.services.actors import Actor
from api.services.errors import NotFound
from api.services.permissions import Action, Resource
from api.settings import Settings

NOT_COUNTED = (S.DECEASED, S.EMIGRATED)
AT_SCHOOL = (S.ENROLLED_IN_COUNTY, S.HOME_DELIVERED)
SPECIAL_EDUCATION = (
    DisabilityPlacement.SPECIAL_SCHOOL,
    DisabilityPlacement.SPECIAL_CLASS,
    DisabilityPlacement.REGULAR_CLASS,
    DisabilityPlacement.HOME_DELIVERED,
)
CONFIRMED_LEDGER = (
    CaseStatus.VERIFIED,
    CaseStatus.PLANNED,
    CaseStatus.PERSUADING,
    CaseStatus.RETURNED,
    CaseStatus.FOLLOWING_UP,
)
RETURNED = (CaseStatus.RETURNED, CaseStatus.FOLLOWING_UP, CaseStatus.CLOSED)
STABLE_AFTER = timedelta(days=90)
COHORT_YEARS = 8  # grade 9 this year entered grade 1 eight school years earlier
_NEXT_LEVEL = {6: 9, 9: 12, 12: 15, 15: 15}

_CHILD_COUNTS = (
    "children_school_age",
    "children_enrolled",
    "enrolled_at_year_start",
    "dropped_out_this_year",
    "cohort_grade_9",
    "cohort_intake",
)
_CASE_COUNTS = (
    "dropouts_open",
    "suspected",
    "cases_verified",
    "returned",
    "stable_returns",
    "school_deadline_due",
    "school_deadline_met",
    "county_deadline_due",
    "county_deadline_met",
)
_COVERAGE_COUNTS = ("households", "households_visited", "sweep_children", "sweep_children_observed")
COUNTS = _CHILD_COUNTS + _CASE_COUNTS + _COVERAGE_COUNTS
Counts = dict[str, int]


def _sum(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


class _Period:
    """The school year the figures are for, its bounds and terms, and now."""

    def __init__(self, settings: Settings) -> None:
        self.today = school_age.local_today(settings)
        self.now = utcnow()
        self.year = school_age.school_year_of(self.today, settings)
        zone = ZoneInfo(settings.timezone)
        start = settings.entry_cutoff(self.year) + timedelta(days=1)
        end = settings.entry_cutoff(self.year + 1) + timedelta(days=1)
        self.starts_at = datetime.combine(start, time(), zone)
        self.ends_at = datetime.combine(end, time(), zone)
        self.oldest, self.youngest = school_age.births_of_school_year(self.year, settings)
        self.autumn = f"{self.year}-{self.year + 1}-1"
        intake = self.year - COHORT_YEARS
        self.intake_term = f"{intake}-{intake + 1}-1"


def _registered(term: str, grade: int | None = None) -> ColumnElement[bool]:
    where = [
        col(Enrolment.term) == term,
        col(Enrolment.status) == EnrolmentStatus.ENROLLED,
        col(Enrolment.child_id).is_not(None),
    ]
    if grade is not None:
        where.append(col(Enrolment.grade) == grade)
    return col(Child.id).in_(sa_select(col(Enrolment.child_id)).where(*where))


def _child_figures(period: _Period) -> list[Any]:
    evidence = (
        sa_select(col(SchoolingStatusChange.evidence))
        .where(
            col(SchoolingStatusChange.child_id) == col(Child.id),
            col(SchoolingStatusChange.to_status) == S.ENROLLED_OUTSIDE_COUNTY,
        )
        .order_by(col(SchoolingStatusChange.changed_at).desc())
        .limit(1)
        .correlate(Child)
        .scalar_subquery()
    )
    school_age_ = and_(
        col(Child.birth_date).between(period.oldest, period.youngest),
        col(Child.schooling_status).not_in(NOT_COUNTED),
    )
    at_school = or_(
        col(Child.schooling_status).in_(AT_SCHOOL),
        and_(
            col(Child.schooling_status) == S.ENROLLED_OUTSIDE_COUNTY,
            func.coalesce(func.trim(evidence), "") != "",
        ),
        and_(
            col(Child.schooling_status) == S.UNKNOWN,
            col(Child.placement).in_(SPECIAL_EDUCATION),
        ),
    )
    dropped = (
        sa_select(col(Case.id))
        .where(
            col(Case.child_id) == col(Child.id),
            col(Case.verified_at).is_not(None),
            col(Case.status) != CaseStatus.DISMISSED,
            col(Case.noticed_at) >= period.starts_at,
            col(Case.noticed_at) < period.ends_at,
        )
        .correlate(Child)
        .exists()
    )
    return [
        _sum(school_age_).label("children_school_age"),
        _sum(and_(school_age_, at_school)).label("children_enrolled"),
        _sum(_registered(period.autumn)).label("enrolled_at_year_start"),
        _sum(dropped).label("dropped_out_this_year"),
        _sum(_registered(period.autumn, 9)).label("cohort_grade_9"),
        _sum(_registered(period.intake_term, 1)).label("cohort_intake"),
    ]


def _case_figures(period: _Period) -> list[Any]:
    status = col(Case.status)
    long_ago = period.now - STABLE_AFTER
    return [
        _sum(status.in_(CONFIRMED_LEDGER)).label("dropouts_open"),
        _sum(status == CaseStatus.REPORTED).label("suspected"),
        _sum(and_(col(Case.verified_at).is_not(None), status != CaseStatus.DISMISSED)).label(
            "cases_verified"
        ),
        _sum(status.in_(RETURNED)).label("returned"),
        _sum(
            or_(
                status == CaseStatus.CLOSED,
                and_(
                    status.in_((CaseStatus.RETURNED, CaseStatus.FOLLOWING_UP)),
                    col(Case.returned_at) <= long_ago,
                ),
            )
        ).label("stable_returns"),
        func.count().label("school_deadline_due"),
        _sum(col(Case.reported_at) <= col(Case.school_due_at)).label("school_deadline_met"),
        _sum(
            or_(
                col(Case.county_reported_at).is_not(None),
                and_(col(Case.county_due_at) < period.now, status != CaseStatus.DISMISSED),
            )
        ).label("county_deadline_due"),
        _sum(col(Case.county_reported_at) <= col(Case.county_due_at)).label("county_deadline_met"),
    ]


async def _area(session: AsyncSession, actor: Actor, area: str | None) -> None:
    """An area asked for must exist and lie within the caller's (for whoever covers areas):
    otherwise "not found", as for any object outside the caller's reach."""
    if area is None:
        return
    if await session.get(Area, area) is None or (
        actor.area_codes and scoping.outside_areas(actor, [area])
    ):
        raise NotFound(f"No area {area} here.")


async def _campaign(
    session: AsyncSession, actor: Actor, period: _Period, area: str | None
) -> Campaign | None:
    """The current campaign: the latest started one the actor sees, over the area if given."""
    query = select(Campaign).where(
        scoping.campaigns(actor),
        col(Campaign.started_at).is_not(None),
        col(Campaign.starts_on) <= period.today,
    )
    if area:
        over = select(CampaignArea.campaign_id).where(
            scoping.overlapping(CampaignArea.area_code, area)
        )
        query = query.where(col(Campaign.id).in_(over))
    query = query.order_by(
        col(Campaign.starts_on).desc(), col(Campaign.started_at).desc(), col(Campaign.id)
    )
    return (await session.exec(query.limit(1))).first()


async def _counts(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    period: _Period,
    area: str | None,
    campaign: Campaign | None,
    length: int | None,
) -> dict[str, Counts]:
    """Every count, by the first ``length`` digits of the area (None: one row keyed "")."""
    # One expression, selected and grouped by: PostgreSQL matches the two by identity.
    code = (func.substr(col(Child.area_code), 1, length) if length else literal("")).label("code")

    connection = await session.connection()
    found: dict[str, Counts] = {}

    def add(place: str, values: dict[str, Any]) -> None:
        row = found.setdefault(place, dict.fromkeys(COUNTS, 0))
        for name, value in values.items():
            row[name] += int(value or 0)

    children = sa_select(code, *_child_figures(period)).where(
        scoping.children(actor, settings=settings, within=area),
        col(Child.removed_at).is_(None),
    )
    cases = (
        sa_select(code, *_case_figures(period))
        .select_from(Case)
        .join(Child, col(Child.id) == col(Case.child_id))
        .where(scoping.cases(actor, settings=settings))
    )
    if area:
        children = children.where(scoping.in_area(Child.area_code, area))
        cases = cases.where(scoping.in_area(Child.area_code, area))
    for query, names in ((children, _CHILD_COUNTS), (cases, _CASE_COUNTS)):
        grouped = query.group_by(code) if length else query
        for row in (await connection.execute(grouped)).all():
            if length or any(row._mapping[name] for name in names):
                add(row.code, {name: row._mapping[name] for name in names})
    if campaign is not None:
        swept = await coverage.counts_by_area(
            session=session,
            actor=actor,
            settings=settings,
            campaign=campaign,
            within=area,
            length=length or 15,
        )
        for place, counts in swept.items():
            add(place if length else "", _coverage(counts))
    return found


def _coverage(counts: CoverageCounts) -> dict[str, int]:
    return {
        "households": counts.households,
        "households_visited": counts.visited,
        "sweep_children": counts.children,
        "sweep_children_observed": counts.children_confirmed,
    }


def figures(counts: Counts) -> dict[str, Any]:
    """The counts with the rates made of them (see the module's definitions)."""
    dropped, start = counts["dropped_out_this_year"], counts["enrolled_at_year_start"]
    national = _share(counts["cohort_grade_9"], counts["cohort_intake"])
    return {
        **counts,
        "enrolment_rate": _share(counts["children_enrolled"], counts["children_school_age"]),
        "retention_rate_operational": 1 - dropped / start if start else None,
        "retention_rate_national": national,
        "retention_rate_national_reason": NO_COHORT_HISTORY if national is None else None,
        "return_rate": _share(counts["returned"], counts["cases_verified"]),
        "stable_return_rate": _share(counts["stable_returns"], counts["returned"]),
        "school_deadline_compliance": _share(
            counts["school_deadline_met"], counts["school_deadline_due"]
        ),
        "county_deadline_compliance": _share(
            counts["county_deadline_met"], counts["county_deadline_due"]
        ),
        "household_coverage": _share(counts["households_visited"], counts["households"]),
        "child_coverage": _share(counts["sweep_children_observed"], counts["sweep_children"]),
    }


async def overview(
    *, session: AsyncSession, actor: Actor, settings: Settings, area: str | None
) -> StatsOverview:
    """The figures of the caller's scope, or of the area ``area`` within it."""
    permissions.require(actor, Resource.STATS, Action.READ)
    await _area(session, actor, area)
    period = _Period(settings)
    campaign = await _campaign(session, actor, period, area)
    counts = await _counts(
        session=session,
        actor=actor,
        settings=settings,
        period=period,
        area=area,
        campaign=campaign,
        length=None,
    )
    total = counts.get("", dict.fromkeys(COUNTS, 0))
    return StatsOverview(
        area=area,
        school_year=period.year,
        as_of=period.today,
        campaign_id=campaign.id if campaign else None,
        **figures(total),
    )


async def breakdown(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    area: str | None,
    by: BreakdownBy,
) -> StatsBreakdown:
    """The same figures per child area, one level down from ``area`` (county → townships,
    township → villages, village → groups); without an area, one level below the highest
    area the caller covers (townships for whoever covers none). Records kept at an area
    itself rather than below it come as a row of that area. The rows' counts add up to the
    overview's."""
    permissions.require(actor, Resource.STATS, Action.READ)
    await _area(session, actor, area)
    period = _Period(settings)
    campaign = await _campaign(session, actor, period, area)
    top = len(area) if area else min((len(c) for c in actor.area_codes), default=6)
    counts = await _counts(
        session=session,
        actor=actor,
        settings=settings,
        period=period,
        area=area,
        campaign=campaign,
        length=_NEXT_LEVEL[top],
    )
    names = dict(
        (await session.exec(select(Area.code, Area.name).where(col(Area.code).in_(counts)))).all()
    )
    return StatsBreakdown(
        area=area,
        by=by,
        school_year=period.year,
        as_of=period.today,
        campaign_id=campaign.id if campaign else None,
        items=[
            StatsRow(code=code, name=names.get(code), **figures(row))
            for code, row in sorted(counts.items())
        ],
    )


__all__ = ["StatsFigures", "breakdown", "figures", "overview"]
