"""The county's figures (统计): enrolment, retention, dropouts, returns, deadlines, coverage.

Every figure is a count made by aggregate SQL (SUM of CASE, no FILTER, so it runs on SQLite
and PostgreSQL alike), in the caller's scope (api/services/access/scoping.py) and, given an area,
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
- 辍学率 dropout rate (``dropout_rate``) = children dropped out this year / children registered
  at the year's start, as counties compute it (its complement is the operational 巩固率).
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

Cases count where the child lives (the child's area): for whoever covers areas alone, the
cases of the children living in them (a case handed to their area counts where its child
lives until the move is accepted); whoever covers a school or class sees those opened there
too.

Whoever covers areas alone gets these counts summed from the statistics snapshot
(statistics_snapshot.py, ``refresh``): the same counts, made for every area at once, as of its
``computed_at``; refreshed by the reader who finds it older than ``statistics_refresh_seconds`` or
of another day, and by the app well before that. A school's or class's are counted live.
"""

import uuid
from datetime import date, datetime, time, timedelta
from typing import Any, get_args
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
    Household,
    School,
    SchoolingStatusChange,
)
from api.models.base import utcnow
from api.models.vocabulary import (
    CaseStatus,
    DisabilityPlacement,
    DropoutReason,
    EnrolmentStatus,
    UserRole,
)
from api.models.vocabulary import SchoolingStatus as S
from api.schemas.campaigns import CoverageCounts
from api.schemas.statistics import (
    NO_COHORT_HISTORY,
    BreakdownBy,
    StatisticsBreakdown,
    StatisticsFigures,
    StatisticsOverview,
    StatisticsRow,
)
from api.services.access import permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.core import labels, school_age
from api.services.core.actors import Actor
from api.services.core.errors import NotFound
from api.services.statistics import statistics_snapshot
from api.services.sweeps import coverage
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
    "cohort_grade_9",
    "cohort_intake",
)
_CASE_COUNTS = (
    "dropped_out_this_year",
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
Counts = dict[str, int | None]


def _sum(condition: Any) -> Any:
    return func.sum(case((condition, 1), else_=0))


def _share(part: int | None, whole: int | None) -> float | None:
    return part / whole if whole and part is not None else None


class _Period:
    """The school year the figures are for, its bounds and terms, and now."""

    def __init__(self, settings: Settings) -> None:
        self.today = school_age.local_today(settings)
        self.week_start = self.today - timedelta(days=self.today.weekday())  # Monday
        self.zone = ZoneInfo(settings.timezone)
        self.now = utcnow()
        self.year = school_age.school_year_of(self.today, settings)
        start = settings.entry_cutoff(self.year) + timedelta(days=1)
        end = settings.entry_cutoff(self.year + 1) + timedelta(days=1)
        self.starts_at = datetime.combine(start, time(), self.zone)
        self.ends_at = datetime.combine(end, time(), self.zone)
        self.oldest, self.youngest = school_age.births_of_school_year(self.year, settings)
        self.autumn = f"{self.year}-{self.year + 1}-1"
        intake = self.year - COHORT_YEARS
        self.intake_term = f"{intake}-{intake + 1}-1"


def _registrations(period: _Period) -> Any:
    """A row per child registered (学籍, status enrolled) this autumn or in the cohort's
    intake autumn: whether this autumn, this autumn in grade 9, the intake autumn in grade 1.
    Joined once to the children, rather than probed three times a child."""
    enrolment = col(Enrolment.term) == period.autumn
    return (
        sa_select(
            col(Enrolment.child_id).label("child_id"),
            func.max(case((enrolment, 1), else_=0)).label("autumn"),
            func.max(case((and_(enrolment, col(Enrolment.grade) == 9), 1), else_=0)).label("g9"),
            func.max(
                case(
                    (and_(col(Enrolment.term) == period.intake_term, col(Enrolment.grade) == 1), 1),
                    else_=0,
                )
            ).label("intake"),
        )
        .where(
            col(Enrolment.term).in_((period.autumn, period.intake_term)),
            col(Enrolment.status) == EnrolmentStatus.ENROLLED,
            col(Enrolment.child_id).is_not(None),
        )
        .group_by(col(Enrolment.child_id))
        .subquery("registered")
    )


def _registered_now(period: _Period) -> ColumnElement[bool]:
    """The join of a child to its registrations of this autumn (the year's start)."""
    return and_(
        col(Enrolment.child_id) == col(Child.id),
        col(Enrolment.term) == period.autumn,
        col(Enrolment.status) == EnrolmentStatus.ENROLLED,
    )


def _registration_figures() -> list[Any]:
    """The year's start among the pupils registered at a school or grade (distinct: a pupil
    registered twice in a term, after a transfer, counts once a row)."""
    return [func.count(func.distinct(col(Child.id))).label("enrolled_at_year_start")]


def _child_figures(period: _Period, registered: Any) -> list[Any]:
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
    return [
        _sum(school_age_).label("children_school_age"),
        _sum(and_(school_age_, at_school)).label("children_enrolled"),
        func.sum(func.coalesce(registered.c.autumn, 0)).label("enrolled_at_year_start"),
        func.sum(func.coalesce(registered.c.g9, 0)).label("cohort_grade_9"),
        func.sum(func.coalesce(registered.c.intake, 0)).label("cohort_intake"),
    ]


def _case_figures(period: _Period) -> list[Any]:
    status = col(Case.status)
    long_ago = period.now - STABLE_AFTER
    verified = and_(col(Case.verified_at).is_not(None), status != CaseStatus.DISMISSED)
    # Children, not cases: a child who dropped out twice this year is one dropout.
    dropped = and_(
        verified, col(Case.noticed_at) >= period.starts_at, col(Case.noticed_at) < period.ends_at
    )
    return [
        func.count(func.distinct(case((dropped, col(Case.child_id))))).label(
            "dropped_out_this_year"
        ),
        _sum(status.in_(CONFIRMED_LEDGER)).label("dropouts_open"),
        _sum(status == CaseStatus.REPORTED).label("suspected"),
        _sum(verified).label("cases_verified"),
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


class _Dimension:
    """What a breakdown groups by: the key of each figure group's rows (None: the group does
    not apply, and its counts are null), or, for overlapping groups (flags), one condition a
    row."""

    def __init__(
        self,
        *,
        children: Any = None,
        registrations: Any = None,
        cases: Any = None,
        rows: dict[str, ColumnElement[bool]] | None = None,
        coverage: int | None = None,
        where_cases: tuple[ColumnElement[bool], ...] = (),
        keys: tuple[str, ...] = (),
    ) -> None:
        self.children, self.registrations, self.cases = children, registrations, cases
        self.rows, self.coverage, self.where_cases = rows, coverage, where_cases
        self.keys = keys + tuple(rows or ())  # rows shown even when nothing is counted in them

    @property
    def names(self) -> tuple[str, ...]:
        """The counts this dimension carries."""
        names: tuple[str, ...] = ()
        if self.children is not None or self.rows is not None:
            names += _CHILD_COUNTS
        elif self.registrations is not None:
            names += _REGISTRATION_COUNTS
        if self.cases is not None or self.rows is not None:
            names += _CASE_COUNTS
        if self.coverage is not None:
            names += _COVERAGE_COUNTS
        return names


TOTAL = _Dimension(children=literal(""), cases=literal(""), coverage=0)
# The snapshot is counted in everyone's scope: the empty code's subtree is every area.
_EVERYONE = Actor(
    user_id=uuid.UUID(int=0), username="statistics", role=UserRole.COUNTY_ADMIN, area_codes=("",)
)
WEEKS_KEPT = 53  # the most weeks a breakdown by week takes (api/routers/statistics.py)
_REGISTRATION_COUNTS = ("enrolled_at_year_start",)
FLAG_NAMES = {"left_behind": "留守儿童", "poverty": "脱贫户（建档立卡）", "disability": "残疾儿童"}
FLAGS: dict[str, ColumnElement[bool]] = {
    "left_behind": col(Child.left_behind) > 0,
    "poverty": col(Child.household_id).in_(
        sa_select(col(Household.id)).where(col(Household.is_poverty_registered))
    ),
    "disability": or_(
        col(Child.disability_kind).is_not(None),
        col(Child.disability_grade).is_not(None),
        col(Child.placement).is_not(None),
    ),
}


def _dimension(by: BreakdownBy, top: int, period: _Period, weeks: int) -> _Dimension:
    """The breakdown ``by``: areas one level below ``top`` digits; schools and grades by this
    autumn's registrations and the case's; reasons and weeks over cases only."""
    if by == "area":
        length = _NEXT_LEVEL[top]
        place = func.substr(col(Child.area_code), 1, length)
        return _Dimension(children=place, cases=place, coverage=length)
    if by in ("school", "grade"):
        return _Dimension(
            registrations=col(Enrolment.school_id if by == "school" else Enrolment.grade),
            cases=col(Case.school_id if by == "school" else Case.grade),
        )
    if by == "reason":
        return _Dimension(cases=col(Case.reason))
    if by == "flag":
        return _Dimension(rows=FLAGS)
    starts = [period.week_start - timedelta(weeks=n) for n in range(weeks - 1, -1, -1)]
    bounds = [datetime.combine(day, time(), period.zone) for day in starts]
    bounds.append(bounds[-1] + timedelta(weeks=1))
    noticed = col(Case.noticed_at)
    week = case(
        *((and_(noticed >= low, noticed < high), day.isoformat())
          for day, low, high in zip(starts, bounds, bounds[1:], strict=False)),
    )  # fmt: skip
    return _Dimension(
        cases=week,
        where_cases=(noticed >= bounds[0], noticed < bounds[-1]),
        keys=tuple(day.isoformat() for day in starts),
    )


async def _counts(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    period: _Period,
    area: str | None,
    campaign: Campaign | None,
    dimension: _Dimension,
    places: tuple[Any, ...] = (),
) -> dict[tuple[str, tuple[Any, ...]], Counts]:
    """Every count the dimension carries, a row per key (null keys as "") and per value of
    the columns ``places`` (the child's area, say); the others null."""
    connection = await session.connection()
    names = dimension.names
    found: dict[tuple[str, tuple[Any, ...]], Counts] = {}

    def add(key: Any, values: dict[str, Any], where: tuple[Any, ...] = ()) -> None:
        row = found.setdefault(
            ("" if key is None else str(key), where),
            {name: (0 if name in names else None) for name in COUNTS},
        )
        for name, value in values.items():
            row[name] = (row[name] or 0) + int(value or 0)

    def children(key: Any, *where: Any) -> Any:
        registered = _registrations(period)
        query = (
            sa_select(key.label("code"), *_child_figures(period, registered))
            .select_from(Child)
            .outerjoin(registered, registered.c.child_id == col(Child.id))
        )
        return narrowed(query, *where)

    def narrowed(query: Any, *where: Any) -> Any:
        query = query.where(
            scoping.children(actor, settings=settings, within=area),
            col(Child.removed_at).is_(None),
            *where,
        )
        return query.where(scoping.in_area(Child.area_code, area)) if area else query

    def cases(key: Any, *where: Any) -> Any:
        query = (
            sa_select(key.label("code"), *_case_figures(period))
            .select_from(Case)
            .join(Child, col(Child.id) == col(Case.child_id))
            .where(_case_scope(actor, settings, area), *dimension.where_cases, *where)
        )
        return query.where(scoping.in_area(Child.area_code, area)) if area else query

    if not places:
        for key in dimension.keys:
            add(key, {})
    queries: list[tuple[Any, Any, tuple[str, ...]]] = []
    if dimension.rows is not None:
        for flag, condition in dimension.rows.items():
            queries.append((children(literal(flag), condition), None, _CHILD_COUNTS))
            queries.append((cases(literal(flag), condition), None, _CASE_COUNTS))
    if dimension.children is not None:
        queries.append((children(dimension.children), dimension.children, _CHILD_COUNTS))
    if dimension.registrations is not None:
        registered = narrowed(
            sa_select(dimension.registrations.label("code"), *_registration_figures())
            .select_from(Child)
            .join(Enrolment, _registered_now(period))
        )
        queries.append((registered, dimension.registrations, _REGISTRATION_COUNTS))
    if dimension.cases is not None:
        queries.append((cases(dimension.cases), dimension.cases, _CASE_COUNTS))
    for query, key, counted in queries:
        by = [key] if key is not None and dimension is not TOTAL else []
        if places:
            query = query.add_columns(*(p.label(f"place_{n}") for n, p in enumerate(places)))
            by += places
        for row in (await connection.execute(query.group_by(*by) if by else query)).all():
            if places or dimension is not TOTAL or any(row._mapping[name] for name in counted):
                where = tuple(row[-len(places) :]) if places else ()
                add(row.code, {name: row._mapping[name] for name in counted}, where)
    if campaign is not None and dimension.coverage is not None:
        swept = await coverage.counts_by_area(
            session=session,
            actor=actor,
            settings=settings,
            campaign=campaign,
            within=area,
            length=dimension.coverage or 15,
        )
        for code, counts in swept.items():
            add(code if dimension.coverage else "", _coverage(counts))
    return found


def _coverage(counts: CoverageCounts) -> dict[str, int]:
    return {
        "households": counts.households,
        "households_visited": counts.visited,
        "sweep_children": counts.children,
        "sweep_children_observed": counts.children_confirmed,
    }


def figures(counts: Counts) -> dict[str, Any]:
    """The counts with the rates made of them (see the module's definitions); a count the
    breakdown does not carry is None, and so is every rate made of it."""
    dropped, start = counts["dropped_out_this_year"], counts["enrolled_at_year_start"]
    national = _share(counts["cohort_grade_9"], counts["cohort_intake"])
    no_history = national is None and counts["cohort_intake"] is not None
    return {
        **counts,
        "enrolment_rate": _share(counts["children_enrolled"], counts["children_school_age"]),
        "dropout_rate": _share(dropped, start),
        "retention_rate_operational": 1 - dropped / start
        if start and dropped is not None
        else None,
        "retention_rate_national": national,
        "retention_rate_national_reason": NO_COHORT_HISTORY if no_history else None,
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


async def _setting(
    session: AsyncSession, actor: Actor, settings: Settings, area: str | None
) -> tuple[_Period, Campaign | None]:
    """What both answers start from: the right to read, the area, the period, the campaign."""
    permissions.require(actor, Resource.STATISTICS, Action.READ)
    await _area(session, actor, area)
    period = _Period(settings)
    return period, await _campaign(session, actor, period, area)


def _by_area(actor: Actor) -> bool:
    """Whoever covers areas alone (no school, no class): their figures are those of the
    children living in their areas, sums of the snapshot's rows."""
    return bool(actor.area_codes) and not actor.school_ids and not actor.class_ids


def _case_scope(actor: Actor, settings: Settings, area: str | None) -> ColumnElement[bool]:
    """Cases count where the child lives: for whoever covers areas alone, the cases of the
    children living there (a case handed to their area counts where its child lives until
    the move is accepted); a school's or class's cases too for whoever covers one."""
    if _by_area(actor):
        return scoping.children(actor, settings=settings, within=area)
    return scoping.cases(actor, settings=settings)


async def refresh(*, session: AsyncSession, settings: Settings) -> int:
    """Count the snapshot (statistics_snapshot.py) again and replace it in one
    transaction: each breakdown's counts in everyone's scope, grouped by the child's area as
    well (a statement a group of counts, never one an area), and the coverage of each
    campaign a reader may be shown, by household area. The number of rows written."""
    period = _Period(settings)
    kept: dict[tuple[str, str, str], Counts] = {}

    def keep(by: str, key: str, area_code: str, values: Counts) -> None:
        row = kept.setdefault((by, key, area_code), dict.fromkeys(COUNTS))
        for name, value in values.items():
            if value is not None and name not in _COVERAGE_COUNTS:  # coverage: rows of its own
                row[name] = (row[name] or 0) + value

    # The flags' counts come with the areas': a child has one area and one set of flags, so
    # the children and their cases are counted once, grouped by both.
    flagged = tuple(case((condition, 1), else_=0) for condition in FLAGS.values())
    for by in get_args(BreakdownBy):
        if by == "flag":
            continue
        counts = await _counts(
            session=session,
            actor=_EVERYONE,
            settings=settings,
            period=period,
            area=None,
            campaign=None,
            dimension=TOTAL if by == "area" else _dimension(by, 6, period, WEEKS_KEPT),
            places=(col(Child.area_code), *(flagged if by == "area" else ())),
        )
        for (key, (area_code, *flags)), values in counts.items():
            keep(by, key, area_code, values)
            for flag in (flag for flag, on in zip(FLAGS, flags, strict=False) if on):
                keep("flag", flag, area_code, values)
    rows: list[dict[str, Any]] = [
        {"dimension": by, "key": key, "area_code": area_code, **values}
        for (by, key, area_code), values in kept.items()
    ]
    shown = await statistics_snapshot.campaigns_shown(session, period.today)
    for campaign in shown:
        swept = await coverage.counts_by_area(
            session=session,
            actor=_EVERYONE,
            settings=settings,
            campaign=campaign,
            within=None,
            length=15,  # the whole code
        )
        rows += [
            {"dimension": statistics_snapshot.COVERAGE, "key": str(campaign.id), "area_code": code,
             "campaign_id": campaign.id, **_coverage(counts)}
            for code, counts in swept.items()
        ]  # fmt: skip
    return await statistics_snapshot.replace(
        session=session,
        rows=rows,
        computed_at=period.now,
        campaigns=[campaign.id for campaign in shown],
    )


async def refresh_if_due(*, session: AsyncSession, settings: Settings) -> int:
    """The app's own refresh (api/scheduler.py): once the snapshot is half as old as readers
    take it, so that they seldom find it stale; with several app servers, whichever comes
    first. The number of rows written, 0 when not due."""
    found = await statistics_snapshot.state(session)
    today = school_age.local_today(settings)
    if statistics_snapshot.fresh(found, settings, today, share=0.5):
        return 0
    return await refresh(session=session, settings=settings)


async def _read(
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    period: _Period,
    area: str | None,
    campaign: Campaign | None,
    *,
    by: BreakdownBy,
    dimension: _Dimension,
) -> tuple[dict[str, Counts], datetime]:
    """The counts a row per key, and when they were counted: summed from the snapshot for
    whoever covers areas alone (a school's pupils are no sum of areas, and few enough to
    count live), counted live otherwise."""
    made = None
    if _by_area(actor) and (by != "week" or len(dimension.keys) <= WEEKS_KEPT):
        made = await statistics_snapshot.ensure(
            session=session,
            settings=settings,
            today=period.today,
            campaign_id=campaign.id if campaign else None,
            refresh=refresh,
        )
    if made is None:
        counts = await _counts(
            session=session,
            actor=actor,
            settings=settings,
            period=period,
            area=area,
            campaign=campaign,
            dimension=dimension,
        )
        return {key: row for (key, _), row in counts.items()}, period.now
    found = await statistics_snapshot.counts(
        session=session,
        actor=actor,
        dimension=by,
        area=area,
        names=dimension.names,
        keys=dimension.keys,
        length=dimension.coverage or None,
        campaign_id=campaign.id if campaign and dimension.coverage is not None else None,
    )
    return found, made


async def overview(
    *, session: AsyncSession, actor: Actor, settings: Settings, area: str | None
) -> StatisticsOverview:
    """The figures of the caller's scope, or of the area ``area`` within it."""
    period, campaign = await _setting(session, actor, settings, area)
    counts, computed_at = await _read(
        session, actor, settings, period, area, campaign, by="area", dimension=TOTAL
    )
    total = counts.get("", dict.fromkeys(COUNTS, 0))
    return StatisticsOverview(
        area=area,
        school_year=period.year,
        as_of=period.today,
        computed_at=computed_at,
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
    weeks: int = 12,
) -> StatisticsBreakdown:
    """The same figures a row per group (BREAKDOWNS in api/schemas/statistics.py says which
    figures each carries). ``area``: per child area one level down (county → townships,
    township → villages, village → groups; without an area, one level below the highest area
    the caller covers, townships for whoever covers none; records kept at an area itself come
    as a row of that area); the rows' counts add up to the overview's. ``school``, ``grade``:
    this autumn's registrations there and the cases by the school and grade they record.
    ``reason``: the cases by reason. ``flag``: left-behind, poverty-registered and disabled
    children (a child may be in several rows). ``week``: the cases noticed in each of the last
    ``weeks`` weeks (Monday to Sunday, local time). A null key (a case with no school) is
    the row ""."""
    period, campaign = await _setting(session, actor, settings, area)
    top = len(area) if area else min((len(c) for c in actor.area_codes), default=6)
    dimension = _dimension(by, top, period, weeks)
    counts, computed_at = await _read(
        session, actor, settings, period, area, campaign, by=by, dimension=dimension
    )
    names = await _names(session, by, list(counts))
    return StatisticsBreakdown(
        area=area,
        by=by,
        school_year=period.year,
        as_of=period.today,
        computed_at=computed_at,
        campaign_id=campaign.id if campaign else None,
        items=[
            StatisticsRow(code=code, name=names.get(code), **figures(counts[code]))
            for code in _ordered(by, counts, names)
        ],
    )


async def _names(session: AsyncSession, by: BreakdownBy, codes: list[str]) -> dict[str, str]:
    """What each row is called, in Chinese."""
    if by == "area":
        found = await session.exec(select(Area.code, Area.name).where(col(Area.code).in_(codes)))
        return dict(found.all())
    if by == "school":
        ids = [uuid.UUID(code) for code in codes if code]
        found_schools = await session.exec(
            select(School.id, School.name).where(col(School.id).in_(ids))
        )
        return {str(key): name for key, name in found_schools.all()}
    if by == "grade":
        return {code: labels.grade(int(code)) for code in codes if code}
    if by == "reason":
        return {code: labels.DROPOUT_REASON[DropoutReason(code)] for code in codes}
    if by == "flag":
        return dict(FLAG_NAMES)
    return {code: f"{date.fromisoformat(code):%m月%d日}起" for code in codes if code}


def _ordered(by: BreakdownBy, counts: dict[str, Any], names: dict[str, str]) -> list[str]:
    """Rows in the order a reader looks for them: areas by code, schools by name, grades and
    weeks in order, reasons as the vocabulary lists them, flags as FLAGS; "" last."""
    if by == "school":
        return sorted(counts, key=lambda code: (not code, names.get(code) or "", code))
    if by == "grade":
        return sorted(counts, key=lambda code: (not code, int(code or 0)))
    if by == "reason":
        order = list(DropoutReason)
        return sorted(counts, key=lambda code: order.index(DropoutReason(code)))
    if by == "flag":
        return list(FLAGS)
    return sorted(counts, key=lambda code: (not code, code))


__all__ = ["StatisticsFigures", "breakdown", "figures", "overview", "refresh", "refresh_if_due"]
