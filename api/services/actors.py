"""Who is calling: a user (or integration client) with what they cover, loaded per request."""

import uuid
from dataclasses import dataclass, field, replace

from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import User, UserScope
from api.models.vocabulary import UserRole


@dataclass(frozen=True)
class Actor:
    user_id: uuid.UUID
    username: str
    role: UserRole
    area_codes: tuple[str, ...] = ()
    school_ids: tuple[uuid.UUID, ...] = ()
    class_ids: tuple[uuid.UUID, ...] = ()
    api_scopes: frozenset[str] = field(default_factory=frozenset)
    must_change_password: bool = False


async def load(*, session: AsyncSession, user_id: uuid.UUID) -> Actor | None:
    """The active user with their coverage, or None when they are gone or disabled."""
    # One statement: this runs before every request's own work.
    rows = (
        await session.exec(
            select(User, UserScope)
            .outerjoin(UserScope, col(UserScope.user_id) == col(User.id))
            .where(col(User.id) == user_id)
        )
    ).all()
    if not rows or not rows[0][0].is_active:
        return None
    user = rows[0][0]
    scopes = [scope for _, scope in rows if scope is not None]
    return Actor(
        user_id=user.id,
        username=user.username,
        role=user.role,
        area_codes=tuple(sorted(s.area_code for s in scopes if s.area_code)),
        school_ids=tuple(s.school_id for s in scopes if s.school_id),
        class_ids=tuple(s.class_id for s in scopes if s.class_id),
        api_scopes=frozenset((user.api_scopes or "").split()),
        must_change_password=user.must_change_password,
    )


def with_scopes(actor: Actor, scopes: frozenset[str]) -> Actor:
    return replace(actor, api_scopes=actor.api_scopes & scopes)
