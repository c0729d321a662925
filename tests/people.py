"""Households and children added to tests/world.py's county for a population counted by hand
(the statistics, assessment, ledger and campaign-summary tests)."""

import uuid
from collections.abc import Sequence
from datetime import date, timedelta
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Campaign, CampaignArea, Child, Household, Visit, VisitObservation
from api.models.base import utcnow
from api.models.vocabulary import (
    CampaignKind,
    ObservedSchooling,
    SchoolingStatus,
    Sex,
    VisitOutcome,
)
from api.services.registry import names


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


async def visits(
    session: AsyncSession,
    *,
    campaign_id: uuid.UUID,
    visitor_id: uuid.UUID,
    made: Sequence[tuple[uuid.UUID, VisitOutcome, Sequence[uuid.UUID]]],
) -> None:
    """A visit of the campaign now to each household (id, outcome, the children it found at
    school, their schooling applied)."""
    now = utcnow()
    for household_id, outcome, seen in made:
        visit = Visit(
            campaign_id=campaign_id,
            household_id=household_id,
            visitor_id=visitor_id,
            visited_at=now,
            received_at=now,
            outcome=outcome,
            content_sha256="0" * 64,
        )
        session.add(visit)
        await session.flush()
        session.add_all(
            VisitObservation(
                visit_id=visit.id,
                child_id=child_id,
                observed_at=now,
                schooling=ObservedSchooling.IN_SCHOOL,
                applied=True,
            )
            for child_id in seen
        )
