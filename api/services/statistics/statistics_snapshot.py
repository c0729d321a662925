"""The statistics snapshot (统计快照): the counts of statistics.py as of a time,
kept a row per breakdown key and area (StatisticsSnapshot), the way county dashboards keep their
figures: counted for every area at once every few minutes, so that a reader's figures are
sums over the rows within their areas rather than a count over every child they see.

Rows are of the child's area (coverage: of the household's), so each count adds up across
areas; the distinct counts too (children registered at a school, children dropped out),
since a child lives in one area. statistics.refresh counts them; this module keeps them,
tells how fresh they are and sums them for a reader.
"""

import asyncio
import uuid
import weakref
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy import and_, delete, func, insert, literal, or_, text
from sqlalchemy import select as sa_select
from sqlalchemy.engine import Engine
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Area, Campaign, CampaignArea, StatisticsSnapshot
from api.models.base import utcnow
from api.services.access import scoping
from api.services.core import school_age
from api.services.core.actors import Actor
from api.settings import Settings

log = structlog.get_logger(__name__)
_TABLE: sa.Table = StatisticsSnapshot.__table__  # type: ignore[attr-defined]
COUNTED = tuple(column.name for column in _TABLE.columns if isinstance(column.type, sa.Integer))
MARKER = "snapshot"  # the refresh's own row, and a row per campaign whose coverage is kept
COVERAGE = "coverage"
_refreshing: weakref.WeakKeyDictionary[Engine, asyncio.Lock] = weakref.WeakKeyDictionary()


@dataclass(frozen=True)
class State:
    computed_at: datetime
    campaigns: frozenset[uuid.UUID]  # those whose coverage the snapshot holds


async def state(session: AsyncSession) -> State | None:
    """When the snapshot was made and which campaigns' coverage it holds; None: none yet."""
    found = (
        await session.exec(
            select(StatisticsSnapshot.key, StatisticsSnapshot.computed_at).where(
                col(StatisticsSnapshot.dimension) == MARKER
            )
        )
    ).all()
    made = [computed_at for key, computed_at in found if not key]
    if not made:
        return None
    return State(made[0], frozenset(uuid.UUID(key) for key, _ in found if key))


def fresh(found: State | None, settings: Settings, today: date, *, share: float = 1) -> bool:
    """Made today (the school year, the weeks and the deadlines passed are today's) and less
    than ``share`` of ``statistics_refresh_seconds`` ago."""
    if found is None:
        return False
    age = utcnow() - found.computed_at
    return (
        age < timedelta(seconds=settings.statistics_refresh_seconds * share)
        and school_age.local_date(found.computed_at, settings) == today
    )


def _one_at_a_time(session: AsyncSession) -> asyncio.Lock:
    """This process's refreshes of the database, one at a time: readers who find the snapshot
    stale together wait for the first one's refresh rather than each counting again."""
    assert session.bind is not None
    return _refreshing.setdefault(session.bind.sync_engine, asyncio.Lock())


async def campaigns_shown(session: AsyncSession, today: date) -> list[Campaign]:
    """The campaigns some reader is shown as the current one (statistics: the latest started
    one over their areas, or the area asked for): for each area, the latest started campaign
    sweeping within it or over it. Earlier ones no reader is shown are not kept."""
    started = (
        await session.exec(
            select(Campaign)
            .where(col(Campaign.started_at).is_not(None), col(Campaign.starts_on) <= today)
            .order_by(
                col(Campaign.starts_on).desc(), col(Campaign.started_at).desc(), col(Campaign.id)
            )
        )
    ).all()
    if not started:
        return []
    swept: dict[uuid.UUID, list[str]] = {}
    found = await session.exec(
        select(CampaignArea.campaign_id, CampaignArea.area_code).where(
            col(CampaignArea.campaign_id).in_([campaign.id for campaign in started])
        )
    )
    for campaign_id, code in found.all():
        swept.setdefault(campaign_id, []).append(code)
    shown: dict[uuid.UUID, Campaign] = {}
    for area in (await session.exec(select(Area.code))).all():
        for campaign in started:
            # Overlapping (scoping.overlapping): codes extend their parent's.
            if any(c.startswith(area) or area.startswith(c) for c in swept.get(campaign.id, [])):
                shown.setdefault(campaign.id, campaign)
                break
    return list(shown.values())


async def replace(
    *,
    session: AsyncSession,
    rows: list[dict[str, Any]],
    computed_at: datetime,
    campaigns: Sequence[uuid.UUID],
) -> int:
    """The snapshot replaced by ``rows`` (dimension, key, area_code, campaign_id and counts;
    the counts missing are null), in one transaction; the number of rows written."""
    markers = [{"dimension": MARKER, "key": "", "area_code": ""}] + [
        {"dimension": MARKER, "key": str(campaign), "area_code": "", "campaign_id": campaign}
        for campaign in campaigns
    ]
    names = ("dimension", "key", "area_code", "campaign_id", *COUNTED)
    values = [
        {**{name: row.get(name) for name in names}, "computed_at": computed_at}
        for row in [*rows, *markers]
    ]
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        # Two refreshes at once would each delete the rows it saw, then insert over the
        # other's: the second waits for the first (readers do not wait), then deletes its
        # rows. SQLite has one writer at a time anyway.
        await connection.execute(text("LOCK TABLE statistics_snapshot IN EXCLUSIVE MODE"))
    await connection.execute(delete(_TABLE))
    for start in range(0, len(values), 1000):
        await connection.execute(insert(_TABLE), values[start : start + 1000])
    await session.commit()
    return len(values)


async def ensure(
    *,
    session: AsyncSession,
    settings: Settings,
    today: date,
    campaign_id: uuid.UUID | None,
    refresh: Callable[..., Awaitable[int]],
) -> datetime | None:
    """When the snapshot a reader's figures are summed from was made, ``refresh``-ed first
    (statistics.refresh) when stale, of another day or without the current campaign's
    coverage; None: count them live (``statistics_refresh_seconds`` 0)."""
    if not settings.statistics_refresh_seconds:
        return None
    shown = {campaign_id} if campaign_id else set()

    def serves(found: State | None) -> bool:
        return found is not None and fresh(found, settings, today) and shown <= found.campaigns

    found = await state(session)
    if not serves(found):
        async with _one_at_a_time(session):
            found = await state(session)
            if not serves(found):
                try:  # in a transaction of its own: the reader's session may be in one
                    async with AsyncSession(session.bind) as own:
                        await refresh(session=own, settings=settings)
                except Exception:  # a copy of the figures: without it they are counted live
                    log.exception("statistics_refresh_failed")
                    return None
                found = await state(session)
    return found.computed_at if found is not None and shown <= found.campaigns else None


async def counts(
    *,
    session: AsyncSession,
    actor: Actor,
    dimension: str,
    area: str | None,
    names: Sequence[str],
    keys: Sequence[str] = (),
    length: int | None = None,
    campaign_id: uuid.UUID | None = None,
) -> dict[str, dict[str, int | None]]:
    """The counts ``names`` summed over the rows within the actor's areas (and the subtree of
    ``area``) a row per key of ``dimension``, every one of ``keys`` (and only these, given
    any) among them; the other counts None. For "area": a row per area of ``length`` digits,
    or one row "" without, with the coverage of the campaign ``campaign_id``."""
    kept = StatisticsSnapshot
    if dimension == "area":
        code: Any = func.substr(col(kept.area_code), 1, length) if length else literal("")
        which: Any = col(kept.dimension) == "area"
        if campaign_id is not None:
            of_campaign = and_(col(kept.dimension) == COVERAGE, col(kept.key) == str(campaign_id))
            which = or_(which, of_campaign)
    else:
        code = col(kept.key)
        which = col(kept.dimension) == dimension
        if keys:
            which = and_(which, code.in_(keys))
    query = sa_select(
        code.label("code"), *(func.sum(getattr(kept, name)).label(name) for name in names)
    ).where(which, scoping.in_areas(actor, kept.area_code, within=area))
    if area:
        query = query.where(scoping.in_area(kept.area_code, area))
    if dimension != "area" or length:
        query = query.group_by(code)
    found = {key: {name: (0 if name in names else None) for name in COUNTED} for key in keys}
    for row in (await (await session.connection()).execute(query)).all():
        found[row.code] = {name: None for name in COUNTED}
        found[row.code].update({name: int(row._mapping[name] or 0) for name in names})
    return found
