"""Where a record may be placed on the area tree: a code that exists, at a level that fits the
kind of record, inside the areas the actor covers."""

from collections.abc import Collection

from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Area
from api.models.vocabulary import AreaLevel
from api.services.access import scoping
from api.services.core.actors import Actor
from api.services.core.errors import Fault


async def placement_faults(
    *,
    session: AsyncSession,
    actor: Actor,
    code: str,
    levels: Collection[AreaLevel],
    wrong_level: str,
    field: str = "area_code",
) -> list[Fault]:
    area = await session.get(Area, code)
    if area is None:
        return [(field, "没有这个区划代码 (no such area code)")]
    if area.level not in levels:
        return [(field, wrong_level)]
    if scoping.outside_areas(actor, [code]):
        return [(field, "不在你负责的范围内 (outside the areas you cover)")]
    return []
