"""Times are stored in UTC on both databases and come back aware."""

from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Area, Child, Household
from api.models.vocabulary import AreaLevel, Sex

SHANGHAI = timezone(timedelta(hours=8))


async def test_a_shanghai_time_is_stored_in_utc_and_read_back_aware(
    session: AsyncSession,
) -> None:
    session.add(Area(code="519901", name="示范县", level=AreaLevel.COUNTY))
    household = Household(area_code="519901", address="一组1号", head_name="王强")
    session.add(household)
    await session.flush()  # no ORM relationships here, so parents are written first by hand
    noticed = datetime(2026, 11, 23, 8, 30, tzinfo=SHANGHAI)
    child = Child(
        household_id=household.id,
        area_code="519901",
        name="王小明",
        name_pinyin="wangxiaoming",
        name_initials="wxm",
        sex=Sex.MALE,
        birth_date=date(2015, 3, 4),
        status_changed_at=noticed,
    )
    session.add(child)
    await session.commit()
    session.expunge_all()
    stored = await session.get(Child, child.id)
    assert stored is not None
    assert stored.status_changed_at == noticed
    assert stored.status_changed_at.tzinfo == UTC
    assert stored.status_changed_at.hour == 0


async def test_a_naive_time_is_refused(session: AsyncSession) -> None:
    session.add(
        Area(code="519902", name="县", level=AreaLevel.COUNTY, created_at=datetime(2026, 1, 1))
    )
    with pytest.raises(Exception, match="naive datetime"):
        await session.commit()
    await session.rollback()
