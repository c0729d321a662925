"""Who is calling: a user (or integration client) with what they cover, loaded per request."""

import uuid
from collections.abc import Collection
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
    token_generation: int = 0
    rate_limit_per_minute: int | None = None  # integration clients' own; None: the default


async def load(*, session: AsyncSession, user_id: uuid.UUID) -> Actor | None:
    """The active user with their coverage, or None when they are gone or disabled."""
    # One statement: this runs before every request's own work.
    return (await load_many(session=session, user_ids=[user_id])).get(user_id)


async def load_many(
    *, session: AsyncSession, user_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, Actor]:
    """The active ones of these users with their coverage, in one statement."""
    rows = (
        await session.exec(
            select(User, UserScope)
            .outerjoin(UserScope, col(UserScope.user_id) == col(User.id))
            .where(col(User.id).in_(list(user_ids)), col(User.is_active))
        )
    ).all()
    users: dict[uuid.UUID, User] = {}
    scopes: dict[uuid.UUID, list[UserScope]] = {}
    for user, scope in rows:
        users[user.id] = user
        scopes.setdefault(user.id, []).extend([scope] if scope is not None else [])
    return {user_id: _actor(user, scopes[user_id]) for user_id, user in users.items()}


def _actor(user: User, scopes: list[UserScope]) -> Actor:
    return Actor(
        user_id=user.id,
        username=user.username,
        role=user.role,
        area_codes=tuple(sorted(s.area_code for s in scopes if s.area_code)),
        school_ids=tuple(s.school_id for s in scopes if s.school_id),
        class_ids=tuple(s.class_id for s in scopes if s.class_id),
        api_scopes=frozenset((user.api_scopes or "").split()),
        must_change_password=user.must_change_password,
        token_generation=user.token_generation,
        rate_limit_per_minute=user.rate_limit_per_minute,
    )


def with_scopes(actor: Actor, scopes: frozenset[str]) -> Actor:
    return replace(actor, api_scopes=actor.api_scopes & scopes)
