"""Households and children added to tests/world.py's county for a population counted by hand
(the statistics, assessment, ledger and campaign-summary tests)."""

import uuid
from datetime import date, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Campaign, CampaignArea, Child, Household
from api.models.base import utcnow
from api.models.vocabulary import CampaignKind, SchoolingStatus, Sex
from api.services import names


async def household(session: AsyncSession, area: str, head: str, **extra: Any) -> Household:
    made = Household(area_code=area, address=f"{head}家", head_name=head, **extra)
    session.add(made)
    await session.flush()
    return made


async def child(
    session: AsyncSession,
    home: Household,
    name: str,
    status: SchoolingStatus,
    born: date,
    **extra: Any,
) -> Child:
    """A girl of ``home``, living where it is."""
    made = Child(
        household_id=home.id,
        area_code=home.area_code,
        name=name,
        name_pinyin=names.pinyin(name),
        name_initials=names.initials(name),
        sex=Sex.FEMALE,
        birth_date=born,
        schooling_status=status,
        **extra,
    )
    session.add(made)
    await session.flush()
    return made


async def campaign(
    session: AsyncSession,
    *,
    created_by: uuid.UUID,
    area: str,
    today: date,
    name: str = "控辍保学月",
) -> Campaign:
    """A campaign over ``area`` started yesterday for a week: every household registered
    since (all a test adds) is in its scope."""
    made = Campaign(
        name=name,
        kind=CampaignKind.CONTROL_MONTH,
        starts_on=today - timedelta(days=1),
        ends_on=today + timedelta(days=7),
        started_at=utcnow() - timedelta(days=1),
        created_by_id=created_by,
    )
    session.add(made)
    await session.flush()
    session.add(CampaignArea(campaign_id=made.id, area_code=area))
    return made
