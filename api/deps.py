"""FastAPI dependencies, explicit and typed (as in FastAPI's full-stack template)."""

from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models.vocabulary import UserRole
from api.services.access import tokens
from api.services.access.rate_limits import RateLimiter
from api.services.core import actors
from api.services.core.actors import Actor
from api.services.core.errors import (
    AccountDisabled,
    PasswordChangeRequired,
    PreconditionFailed,
    Unauthenticated,
)
from api.settings import Settings

_bearer = HTTPBearer(
    auto_error=False,
    description=(
        "An access token from /api/v1/auth/token. A 401 names its cause in `type`:"
        " `urn:baoxue:problem:unauthenticated` (no token, a bad one or an expired one: refresh"
        " it) or `urn:baoxue:problem:account-disabled` (the account is disabled or gone: wipe"
        " the personal data held)."
    ),
)


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_engine(request: Request) -> AsyncEngine:
    engine: AsyncEngine = request.app.state.engine
    return engine


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


SettingsDep = Annotated[Settings, Depends(get_settings)]
EngineDep = Annotated[AsyncEngine, Depends(get_engine)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]


async def get_actor_even_with_one_time_password(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
    session: SessionDep,
    settings: SettingsDep,
) -> Actor:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise Unauthenticated("Log in first: send Authorization: Bearer <access token>.")
    claims = tokens.verify_access(settings=settings, token=credentials.credentials)
    actor = await actors.load(session=session, user_id=claims.user_id)
    if actor is None:
        raise AccountDisabled("The account is disabled or no longer exists.")
    if claims.generation != actor.token_generation:
        raise Unauthenticated("The token was revoked; get a new one.")
    if actor.role is UserRole.INTEGRATION_CLIENT:
        limiter: RateLimiter = request.app.state.rate_limiter
        limiter.take(
            client=actor.user_id,
            per_minute=actor.rate_limit_per_minute or settings.client_rate_limit_per_minute,
        )
    if claims.scopes:  # a client's token carries the scopes it asked for, at most its grant
        actor = actors.with_scopes(actor, claims.scopes)
    return actor


async def get_actor(
    actor: Annotated[Actor, Depends(get_actor_even_with_one_time_password)],
) -> Actor:
    if actor.must_change_password:
        raise PasswordChangeRequired(
            "Change the one-time password first (POST /api/v1/me/password)."
        )
    return actor


ActorDep = Annotated[Actor, Depends(get_actor)]
NewcomerDep = Annotated[Actor, Depends(get_actor_even_with_one_time_password)]


def expected_version(
    if_match: Annotated[
        str | None,
        Header(description='the ETag of the version read, e.g. "3"; a stale one is a 412'),
    ] = None,
) -> int | None:
    """The version named by If-Match; None when the caller does not ask for the check."""
    if if_match is None or if_match.strip() == "*":
        return None
    tag = if_match.strip()
    if tag.startswith('"') and tag.endswith('"') and tag[1:-1].isdigit():
        return int(tag[1:-1])
    # A weak or foreign tag can never match strongly (RFC 9110 13.1.1).
    raise PreconditionFailed(f"If-Match {tag} names no version of this record.")


IfMatchDep = Annotated[int | None, Depends(expected_version)]
IdempotencyKeyDep = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        description="repeat a create safely: the same key returns the first answer",
    ),
]
