"""A campaign's coverage (不漏一户、不漏一人): its households in scope, visited, to visit again,
refused; its school-age children and those whose schooling a visit confirmed; by area, by the
cadre who covers each group (包组), and the households not yet visited.

Set-based: one statement builds a row of facts per household in scope (its latest visit of
the campaign by a window, its children counted, its cadre), which the totals by area and by
cadre group; the caller's scope is one more WHERE.
"""

import uuid
from datetime import date
from typing import Any

from sqlalchemy import and_, case, func, or_, union
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import (
    Area,
    Assignment,
    Campaign,
    CampaignArea,
    CampaignHousehold,
    Child,
    Household,
    User,
    Visit,
    VisitObservation,
)
from api.models.vocabulary import AssignmentKind, VisitOutcome
from api.schemas.campaigns import (
    AreaCoverage,
    CadreCoverage,
    CampaignCoverage,
    CoverageCounts,
    UnvisitedHousehold,
)
from api.schemas.common import Page
from api.services.access import permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.core import school_age
from api.services.core.actors import Actor
from api.services.responsibility import assignments
from api.settings import Settings

_REACHED = (VisitOutcome.MET, VisitOutcome.MOVED_AWAY, VisitOutcome.HOUSEHOLD_GONE)
_LEVEL_LENGTH = {"township": 9, "village": 12, "group": 15}


async def area_codes(session: AsyncSession, campaign: Campaign) -> list[str]:
    """The area subtrees the campaign sweeps."""
    found = await session.exec(
        select(CampaignArea.area_code).where(col(CampaignArea.campaign_id) == campaign.id)
    )
    return list(found.all())


def in_scope(campaign: Campaign, codes: list[str]) -> Any:
    """A subquery of the households in the campaign's scope (``household_id``): those fixed
    at its start and those registered in its areas since; before it starts, those registered
    in its areas now (what the start would fix)."""
    in_areas = or_(*(scoping.in_area(Household.area_code, code) for code in codes))
    if campaign.started_at is None:
        now: Any = sa_select(col(Household.id).label("household_id")).where(
            in_areas, col(Household.removed_at).is_(None)
        )
        return now.subquery("scope")
    fixed: Any = sa_select(col(CampaignHousehold.household_id).label("household_id")).where(
        col(CampaignHousehold.campaign_id) == campaign.id
    )
    later = sa_select(col(Household.id)).where(
        col(Household.created_at) > campaign.started_at,
        col(Household.removed_at).is_(None),
        in_areas,
    )
    return union(fixed, later).subquery("scope")


def births_in_scope(campaign: Campaign, settings: Settings) -> tuple[date, date]:
    """The birth dates (oldest, youngest) of children of compulsory age in the campaign's
    school year."""
    year = school_age.school_year_of(campaign.starts_on, settings)
    return school_age.births_of_school_year(year, settings)


async def _facts(
    session: AsyncSession, actor: Actor, settings: Settings, campaign: Campaign
) -> Any:
    """A subquery: per household in scope, its area, latest outcome, children and confirmed
    children, and the cadre covering its group (none when nobody does)."""
    scope = in_scope(campaign, await area_codes(session, campaign))
    # The latest visit's outcome, found from each household by its index on visits (a join
    # to a ranked table of visits runs as a scan per household on SQLite).
    latest = (
        sa_select(col(Visit.outcome))
        .where(col(Visit.household_id) == col(Household.id), col(Visit.campaign_id) == campaign.id)
        .order_by(col(Visit.visited_at).desc(), col(Visit.id))
        .limit(1)
        .correlate(Household)
        .scalar_subquery()
    )
    oldest, youngest = births_in_scope(campaign, settings)
    confirmed = (
        sa_select(col(VisitObservation.visit_id))
        .join(Visit, col(Visit.id) == col(VisitObservation.visit_id))
        .where(
            col(VisitObservation.child_id) == col(Child.id),
            col(VisitObservation.applied),
            col(Visit.campaign_id) == campaign.id,
        )
        .exists()
    )
    kids = (
        sa_select(
            col(Child.household_id).label("household_id"),
            func.count().label("children"),
            func.sum(case((confirmed, 1), else_=0)).label("confirmed"),
        )
        .where(
            col(Child.household_id).in_(sa_select(scope.c.household_id)),
            col(Child.removed_at).is_(None),
            col(Child.birth_date).between(oldest, youngest),
        )
        .group_by(col(Child.household_id))
        .subquery("kids")
    )
    return (
        sa_select(
            col(Household.id).label("household_id"),
            col(Household.area_code).label("area_code"),
            col(Household.address).label("address"),
            col(Household.head_name).label("head_name"),
            latest.label("outcome"),
            func.coalesce(kids.c.children, 0).label("children"),
            func.coalesce(kids.c.confirmed, 0).label("confirmed"),
            col(Assignment.user_id).label("cadre_id"),
        )
        .join(scope, scope.c.household_id == col(Household.id))
        .outerjoin(kids, kids.c.household_id == col(Household.id))
        .outerjoin(
            Assignment,
            and_(
                assignments.of(AssignmentKind.GROUP, col(Household.area_code)),
                col(Assignment.valid_to).is_(None),
            ),
        )
        .where(scoping.households(actor, settings=settings))
        .subquery("facts")
    )


def _counted(facts: Any) -> list[Any]:
    def where(condition: Any) -> Any:
        return func.sum(case((condition, 1), else_=0))

    outcome = facts.c.outcome
    return [
        func.count().label("households"),
        where(outcome.in_(_REACHED)).label("visited"),
        where(outcome == VisitOutcome.NOBODY_HOME).label("to_revisit"),
        where(outcome == VisitOutcome.REFUSED).label("refused"),
        where(outcome.is_(None)).label("not_visited"),
        func.sum(facts.c.children).label("children"),
        func.sum(facts.c.confirmed).label("children_confirmed"),
    ]


def _counts(row: Any) -> CoverageCounts:
    return CoverageCounts(
        **{name: int(row._mapping[name] or 0) for name in CoverageCounts.model_fields}
    )


async def coverage(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    campaign_id: uuid.UUID,
    level: str,
) -> CampaignCoverage:
    permissions.require(actor, Resource.CAMPAIGN, Action.READ)
    campaign = await visible_campaign(session, actor, campaign_id)
    if campaign.started_at is None:
        return CampaignCoverage(
            campaign_id=campaign.id,
            started=False,
            total=CoverageCounts(),
            by_area=[],
            by_cadre=[],
        )
    facts = await _facts(session, actor, settings, campaign)
    place = func.substr(facts.c.area_code, 1, _LEVEL_LENGTH[level]).label("code")
    # One pass, by area and cadre together; each of the two views sums its own from these.
    rows = (
        await (await session.connection()).execute(
            sa_select(place, facts.c.cadre_id, *_counted(facts)).group_by(place, facts.c.cadre_id)
        )
    ).all()
    by_area: dict[str, CoverageCounts] = {}
    by_cadre: dict[uuid.UUID | None, CoverageCounts] = {}
    for row in rows:
        counts = _counts(row)
        _add(by_area, row.code, counts)
        _add(by_cadre, row.cadre_id, counts)
    names = dict(
        (await session.exec(select(Area.code, Area.name).where(col(Area.code).in_(by_area)))).all()
    )
    users = await session.exec(select(User).where(col(User.id).in_([c for c in by_cadre if c])))
    people = {user.id: assignments.person(user) for user in users.all()}
    total = CoverageCounts()
    for counts in by_area.values():
        total = _sum(total, counts)
    return CampaignCoverage(
        campaign_id=campaign.id,
        started=True,
        total=total,
        by_area=[
            AreaCoverage(code=code, name=names.get(code), counts=counts)
            for code, counts in sorted(by_area.items())
        ],
        by_cadre=[
            CadreCoverage(person=people.get(cadre) if cadre else None, counts=counts)
            for cadre, counts in by_cadre.items()
        ],
    )


async def counts_by_area(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    campaign: Campaign,
    within: str | None,
    length: int,
) -> dict[str, CoverageCounts]:
    """A started campaign's counts in the actor's scope (and the subtree ``within``), by the
    first ``length`` digits of each household's area: for statistics (api/services/statistics)."""
    if campaign.started_at is None:
        return {}
    facts = await _facts(session, actor, settings, campaign)
    place = func.substr(facts.c.area_code, 1, length).label("code")
    query = sa_select(place, *_counted(facts)).group_by(place)
    if within:
        query = query.where(scoping.in_area(facts.c.area_code, within))
    rows = (await (await session.connection()).execute(query)).all()
    return {row.code: _counts(row) for row in rows}


def _sum(one: CoverageCounts, other: CoverageCounts) -> CoverageCounts:
    return CoverageCounts(
        **{name: getattr(one, name) + getattr(other, name) for name in CoverageCounts.model_fields}
    )


def _add(into: dict[Any, CoverageCounts], key: Any, counts: CoverageCounts) -> None:
    into[key] = _sum(into[key], counts) if key in into else counts


async def unvisited(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    campaign_id: uuid.UUID,
    cadre_id: uuid.UUID | None,
    area: str | None,
    limit: int,
    offset: int,
) -> Page[UnvisitedHousehold]:
    """The households in scope no visit of the campaign has reached yet (never visited, or
    nobody home: to visit again), by area and address."""
    permissions.require(actor, Resource.CAMPAIGN, Action.READ)
    campaign = await visible_campaign(session, actor, campaign_id)
    if campaign.started_at is None:
        return Page(items=[], total=0, limit=limit, offset=offset)
    facts = await _facts(session, actor, settings, campaign)
    where = [or_(facts.c.outcome.is_(None), facts.c.outcome == VisitOutcome.NOBODY_HOME)]
    if cadre_id is not None:
        where.append(facts.c.cadre_id == cadre_id)
    if area:
        where.append(scoping.in_area(facts.c.area_code, area))
    connection = await session.connection()
    total = (
        await connection.execute(sa_select(func.count()).select_from(facts).where(*where))
    ).scalar_one()
    rows = await connection.execute(
        sa_select(facts)
        .where(*where)
        .order_by(facts.c.area_code, facts.c.address, facts.c.household_id)
        .limit(limit)
        .offset(offset)
    )
    items = [
        UnvisitedHousehold(
            id=r.household_id,
            area_code=r.area_code,
            address=r.address,
            head_name=r.head_name,
            to_revisit=r.outcome is not None,
            children=r.children,
            cadre_id=r.cadre_id,
        )
        for r in rows.all()
    ]
    return Page(items=items, total=total, limit=limit, offset=offset)


async def visible_campaign(session: AsyncSession, actor: Actor, campaign_id: uuid.UUID) -> Campaign:
    return await scoping.one(
        session=session, model=Campaign, object_id=campaign_id, visible=scoping.campaigns(actor)
    )
