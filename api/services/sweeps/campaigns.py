"""Campaigns (排查活动): a sweep of some areas between two dates, in the seed's four phases.

When a campaign starts its households in scope are fixed, in one INSERT ... SELECT: the
coverage is counted against them, so that a household deleted during the sweep still counts
as one to visit, and those registered later are added as they come.
"""

import uuid
from datetime import date, timedelta

from sqlalchemy import Uuid, func, insert, literal, or_
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import (
    Area,
    Campaign,
    CampaignArea,
    CampaignHousehold,
    CampaignPhaseSpan,
    Household,
)
from api.models.base import utcnow
from api.models.vocabulary import CampaignPhase
from api.schemas.campaigns import CampaignCreate, CampaignOut, PhaseSpan
from api.services.access import permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.core import audit, records, school_age
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, Fault, InvalidInput
from api.settings import Settings

_ORDER = list(CampaignPhase)


def _split(starts_on: date, ends_on: date) -> list[PhaseSpan]:
    """The campaign's days in four phases as even as they go (the seed's four weeks)."""
    days = (ends_on - starts_on).days + 1
    spans, first = [], starts_on
    for n, phase in enumerate(_ORDER):
        length = max(1, days * (n + 1) // 4 - days * n // 4)
        last = min(first + timedelta(days=length - 1), ends_on)
        spans.append(PhaseSpan(phase=phase, starts_on=min(first, ends_on), ends_on=last))
        first = last + timedelta(days=1)
    return spans


def _phase_faults(data: CampaignCreate) -> list[Fault]:
    faults: list[Fault] = []
    phases = sorted(data.phases, key=lambda span: _ORDER.index(span.phase))
    if len({span.phase for span in phases}) != len(phases):
        faults.append(("phases", "每个阶段只能一次 (each phase once)"))
    previous_end: date | None = None
    for span in phases:
        where = f"phases.{data.phases.index(span)}"
        if not data.starts_on <= span.starts_on <= span.ends_on <= data.ends_on:
            faults.append((where, "阶段须在活动的起止日期之内 (within the campaign's dates)"))
        elif previous_end is not None and span.starts_on <= previous_end:
            faults.append((where, "阶段须依次进行，不能重叠 (phases in order, not overlapping)"))
        previous_end = span.ends_on
    return faults


async def create(
    *, session: AsyncSession, actor: Actor, settings: Settings, data: CampaignCreate
) -> CampaignOut:
    """Plan a campaign; one whose first day has come starts at once."""
    permissions.require(actor, Resource.CAMPAIGN, Action.WRITE)
    areas = sorted(set(data.areas))
    found = set((await session.exec(select(Area.code).where(col(Area.code).in_(areas)))).all())
    faults: list[Fault] = [
        (
            f"areas.{data.areas.index(code)}",
            "没有这个区划，或不在您的范围内 (none such, or not yours)",
        )
        for code in areas
        if code not in found or scoping.outside_areas(actor, [code])
    ]
    faults += _phase_faults(data)
    if faults:
        raise InvalidInput.of(faults)
    campaign = Campaign(
        name=data.name,
        kind=data.kind,
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        created_by_id=actor.user_id,
    )
    phases = data.phases or _split(data.starts_on, data.ends_on)
    session.add(campaign)
    session.add_all(CampaignArea(campaign_id=campaign.id, area_code=code) for code in areas)
    session.add_all(
        CampaignPhaseSpan(campaign_id=campaign.id, **span.model_dump()) for span in phases
    )
    plan = {"areas": areas, "phases": [span.model_dump(mode="json") for span in phases]}
    audit.created(session=session, actor=actor, new=campaign, also=plan)
    if data.starts_on <= school_age.local_today(settings):
        await session.flush()
        await _fix_households(session, campaign)
    await session.commit()
    return await _out(session, campaign)


async def _fix_households(session: AsyncSession, campaign: Campaign) -> None:
    """The households living in the campaign's areas now become its households in scope."""
    within = select(CampaignArea.area_code).where(col(CampaignArea.campaign_id) == campaign.id)
    codes = list((await session.exec(within)).all())
    living = (
        select(literal(campaign.id, type_=Uuid), col(Household.id))
        .where(
            col(Household.removed_at).is_(None),
            or_(*(scoping.in_area(Household.area_code, code) for code in codes)),
        )
        .distinct()
    )
    await session.exec(
        insert(CampaignHousehold).from_select(["campaign_id", "household_id"], living)
    )
    campaign.started_at = utcnow()
    session.add(campaign)


async def start(
    *,
    session: AsyncSession,
    actor: Actor,
    campaign_id: uuid.UUID,
    expected_version: int | None,
) -> CampaignOut:
    """Start a campaign ahead of its first day: its households in scope are fixed now."""
    permissions.require(actor, Resource.CAMPAIGN, Action.WRITE)
    campaign = await _visible(session=session, actor=actor, campaign_id=campaign_id)
    if campaign.started_at is not None:
        raise Conflict(f"已于 {campaign.started_at:%Y-%m-%d} 开始 (started already)")
    records.check_version(campaign, expected_version)
    before = audit.snapshot(campaign)
    await _fix_households(session, campaign)
    campaign.version += 1
    audit.updated(session=session, actor=actor, changed=campaign, before=before)
    await session.commit()
    return await _out(session, campaign)


async def _visible(*, session: AsyncSession, actor: Actor, campaign_id: uuid.UUID) -> Campaign:
    return await scoping.one(
        session=session, model=Campaign, object_id=campaign_id, visible=scoping.campaigns(actor)
    )


async def _out(session: AsyncSession, campaign: Campaign) -> CampaignOut:
    return (await _outs(session, [campaign]))[0]


async def _outs(session: AsyncSession, campaigns: list[Campaign]) -> list[CampaignOut]:
    """The campaigns with their areas, phases and households in scope: three queries."""
    ids = [campaign.id for campaign in campaigns]
    areas: dict[uuid.UUID, list[str]] = {i: [] for i in ids}
    for campaign_id, code in (
        await session.exec(
            select(CampaignArea.campaign_id, CampaignArea.area_code)
            .where(col(CampaignArea.campaign_id).in_(ids))
            .order_by(col(CampaignArea.area_code))
        )
    ).all():
        areas[campaign_id].append(code)
    phases: dict[uuid.UUID, list[PhaseSpan]] = {i: [] for i in ids}
    spans = await session.exec(
        select(CampaignPhaseSpan).where(col(CampaignPhaseSpan.campaign_id).in_(ids))
    )
    for span in sorted(spans.all(), key=lambda s: _ORDER.index(s.phase)):
        phases[span.campaign_id].append(PhaseSpan.model_validate(span, from_attributes=True))
    counted = await session.exec(
        select(CampaignHousehold.campaign_id, func.count())
        .where(col(CampaignHousehold.campaign_id).in_(ids))
        .group_by(col(CampaignHousehold.campaign_id))
    )
    in_scope = dict(counted.all())
    return [
        CampaignOut(
            **campaign.model_dump(exclude={"created_by_id", "created_at", "updated_at"}),
            areas=areas[campaign.id],
            phases=phases[campaign.id],
            households_in_scope=in_scope.get(campaign.id, 0),
        )
        for campaign in campaigns
    ]


async def get(*, session: AsyncSession, actor: Actor, campaign_id: uuid.UUID) -> CampaignOut:
    permissions.require(actor, Resource.CAMPAIGN, Action.READ)
    return await _out(
        session, await _visible(session=session, actor=actor, campaign_id=campaign_id)
    )


async def search(
    *, session: AsyncSession, actor: Actor, limit: int, offset: int
) -> tuple[list[CampaignOut], int]:
    permissions.require(actor, Resource.CAMPAIGN, Action.READ)
    visible = scoping.campaigns(actor)
    total = (await session.exec(select(func.count()).select_from(Campaign).where(visible))).one()
    page = await session.exec(
        select(Campaign)
        .where(visible)
        .order_by(col(Campaign.starts_on).desc(), col(Campaign.id))
        .limit(limit)
        .offset(offset)
    )
    return await _outs(session, list(page.all())), total
