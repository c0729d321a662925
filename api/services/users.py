"""Users as the API shows them."""

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Area, School, SchoolClass, User
from api.schemas.me import CoveredArea, CoveredUnit, Me
from api.services.actors import Actor
from api.services.errors import Unauthenticated


async def describe(*, session: AsyncSession, actor: Actor) -> Me:
    user = await session.get(User, actor.user_id)
    if user is None:
        raise Unauthenticated("The account no longer exists.")
    areas = (await session.exec(select(Area).where(col(Area.code).in_(actor.area_codes)))).all()
    schools = (await session.exec(select(School).where(col(School.id).in_(actor.school_ids)))).all()
    classes = (
        await session.exec(select(SchoolClass).where(col(SchoolClass.id).in_(actor.class_ids)))
    ).all()
    return Me(
        id=user.id,
        username=user.username,
        display_name=user.display_name,
        role=user.role,
        must_change_password=user.must_change_password,
        areas=[CoveredArea(code=a.code, name=a.name, level=a.level) for a in areas],
        schools=[CoveredUnit(id=s.id, name=s.name) for s in schools],
        classes=[CoveredUnit(id=c.id, name=c.name) for c in classes],
        api_scopes=sorted(actor.api_scopes),
    )
