"""Households and children added to tests/world.py's county for a population counted by hand
(the statistics, assessment, ledger and campaign-summary tests)."""

from datetime import date
from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Child, Household
from api.models.vocabulary import SchoolingStatus, Sex
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
