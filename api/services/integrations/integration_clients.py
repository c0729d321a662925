"""Integration clients: third parties' systems, kept by the county administrator.

A client is an account of the role integration_client: its client id is the username, its
secret the password (only a hash kept), and its reach the areas or schools it is bound to,
narrowed further by the API scopes granted. Scopes, bindings and suspension take effect at
the client's next request, tokens already issued included, since every request loads them.

A secret is rotated with a grace period in which the old one still works, or revoked at once
with every token it got (the token generation each access token carries is raised).
"""

import secrets
import uuid
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import User
from api.models.base import utcnow
from api.models.vocabulary import AuditAction, UserRole
from api.schemas.integration_clients import (
    ClientSecret,
    IntegrationClientCreate,
    IntegrationClientCreated,
    IntegrationClientOut,
    IntegrationClientUpdate,
    SecretRotation,
)
from api.services.access import permissions, scoping, users
from api.services.access.passwords import hash_password
from api.services.access.permissions import Action, Resource
from api.services.core import audit, records
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, InvalidInput
from api.settings import Settings

# Not an argon2 hash, so no secret verifies against it: the state of a revoked client.
_REVOKED = "!revoked"
_IS_CLIENT = col(User.role) == UserRole.INTEGRATION_CLIENT


def _new_secret() -> str:
    return secrets.token_urlsafe(32)  # 256 bits: a machine keeps it, nobody types it


def _out(client: User, coverage: users.Coverage, settings: Settings) -> IntegrationClientOut:
    return IntegrationClientOut(
        id=client.id,
        client_id=client.username,
        display_name=client.display_name,
        api_scopes=sorted((client.api_scopes or "").split()),
        areas=coverage.areas,
        schools=coverage.schools,
        rate_limit_per_minute=client.rate_limit_per_minute or settings.client_rate_limit_per_minute,
        is_active=client.is_active,
        has_secret=client.password_hash != _REVOKED,
        previous_secret_expires_at=client.previous_password_expires_at
        if client.previous_password_hash
        else None,
        last_token_at=client.last_login_at,
        version=client.version,
        created_at=client.created_at,
    )


async def _described(
    *, session: AsyncSession, client: User, settings: Settings
) -> IntegrationClientOut:
    coverage = await users.coverage_of(session=session, user_ids=[client.id])
    return _out(client, coverage[client.id], settings)


async def _visible_client(*, session: AsyncSession, actor: Actor, client_id: uuid.UUID) -> User:
    return await scoping.one(
        session=session, model=User, object_id=client_id, visible=users.visible(actor) & _IS_CLIENT
    )


async def create(
    *, session: AsyncSession, actor: Actor, settings: Settings, data: IntegrationClientCreate
) -> IntegrationClientCreated:
    permissions.require(actor, Resource.INTEGRATION_CLIENT, Action.WRITE)
    await users.check_binding(
        session=session,
        actor=actor,
        role=UserRole.INTEGRATION_CLIENT,
        areas=data.areas,
        schools=data.schools,
        classes=[],
    )
    taken = select(User.id).where(User.username == data.client_id)
    if (await session.exec(taken)).first():
        raise Conflict(f"The client id {data.client_id} is taken.")
    secret = _new_secret()
    client = User(
        username=data.client_id,
        display_name=data.display_name,
        role=UserRole.INTEGRATION_CLIENT,
        password_hash=hash_password(secret),
        api_scopes=" ".join(data.api_scopes),
        rate_limit_per_minute=data.rate_limit_per_minute,
    )
    session.add(client)
    await session.flush()  # the bindings refer to it
    session.add_all(users.bind(client.id, areas=data.areas, schools=data.schools))
    audit.created(
        session=session,
        actor=actor,
        new=client,
        exclude=users.SECRET_FIELDS,
        also={"areas": data.areas, "schools": [str(i) for i in data.schools]},
    )
    try:
        await session.commit()
    except IntegrityError as exc:  # a concurrent create took the id first
        await session.rollback()
        raise Conflict(f"The client id {data.client_id} is taken.") from exc
    out = await _described(session=session, client=client, settings=settings)
    return IntegrationClientCreated(**out.model_dump(), client_secret=secret)


async def search(
    *, session: AsyncSession, actor: Actor, settings: Settings, limit: int, offset: int
) -> tuple[list[IntegrationClientOut], int]:
    permissions.require(actor, Resource.INTEGRATION_CLIENT, Action.READ)
    where = (users.visible(actor), _IS_CLIENT)
    total = (await session.exec(select(func.count()).select_from(User).where(*where))).one()
    found = (
        await session.exec(
            select(User).where(*where).order_by(col(User.username)).limit(limit).offset(offset)
        )
    ).all()
    coverage = await users.coverage_of(session=session, user_ids=[c.id for c in found])
    return [_out(c, coverage[c.id], settings) for c in found], total


async def get(
    *, session: AsyncSession, actor: Actor, settings: Settings, client_id: uuid.UUID
) -> IntegrationClientOut:
    permissions.require(actor, Resource.INTEGRATION_CLIENT, Action.READ)
    client = await _visible_client(session=session, actor=actor, client_id=client_id)
    return await _described(session=session, client=client, settings=settings)


async def update(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    client_id: uuid.UUID,
    data: IntegrationClientUpdate,
    expected_version: int | None,
) -> IntegrationClientOut:
    permissions.require(actor, Resource.INTEGRATION_CLIENT, Action.WRITE)
    client = await _visible_client(session=session, actor=actor, client_id=client_id)
    records.check_version(client, expected_version)
    given = data.model_dump(exclude_unset=True)
    if faults := records.blanked(
        given, {"display_name", "api_scopes", "areas", "schools", "is_active"}
    ):
        raise InvalidInput.of(faults)
    before = audit.snapshot(client, exclude=users.SECRET_FIELDS)
    if "api_scopes" in given:
        client.api_scopes = " ".join(given.pop("api_scopes"))
    for name in ("display_name", "rate_limit_per_minute", "is_active"):
        if name in given:
            setattr(client, name, given[name])
    changes = audit.diff(before, audit.snapshot(client, exclude=users.SECRET_FIELDS))
    if "areas" in given or "schools" in given:
        changes |= await users.rebind(
            session=session,
            actor=actor,
            user=client,
            given={
                name: given[name]
                for name in ("areas", "schools")
                if given.get(name) is not None  # left out or null: stays as it was
            },
        )
    if changes:
        await _saved(session=session, actor=actor, client=client, changes=changes)
    return await _described(session=session, client=client, settings=settings)


async def _saved(
    *,
    session: AsyncSession,
    actor: Actor,
    client: User,
    changes: dict[str, Any],
    action: AuditAction = AuditAction.UPDATE,
    detail: str | None = None,
) -> None:
    client.version += 1
    session.add(client)
    audit.record(
        session=session,
        action=action,
        actor=actor,
        object_type="user",
        object_id=client.id,
        changes=changes,
        detail=detail,
    )
    await session.commit()


async def _secret_changed(
    *, session: AsyncSession, actor: Actor, client: User, detail: str
) -> None:
    after = "***" if client.password_hash != _REVOKED else None
    await _saved(
        session=session,
        actor=actor,
        client=client,
        changes={"client_secret": {"before": "***", "after": after}},
        action=AuditAction.PASSWORD_RESET,
        detail=detail,
    )


async def rotate_secret(
    *,
    session: AsyncSession,
    actor: Actor,
    client_id: uuid.UUID,
    data: SecretRotation,
) -> ClientSecret:
    """A new secret. The old one works for the grace period asked; with none it, and every
    token it got, stops at once."""
    permissions.require(actor, Resource.INTEGRATION_CLIENT, Action.WRITE)
    client = await _visible_client(session=session, actor=actor, client_id=client_id)
    secret = _new_secret()
    grace = timedelta(minutes=data.previous_secret_valid_minutes)
    if grace and client.password_hash != _REVOKED:
        client.previous_password_hash = client.password_hash
        client.previous_password_expires_at = utcnow() + grace
    else:
        client.previous_password_hash = None
        client.previous_password_expires_at = None
        client.token_generation += 1
    client.password_hash = hash_password(secret)
    client.failed_login_count = 0
    client.locked_until = None
    await _secret_changed(
        session=session,
        actor=actor,
        client=client,
        detail=f"secret rotated; the previous one valid {data.previous_secret_valid_minutes} min",
    )
    return ClientSecret(
        client_id=client.username,
        client_secret=secret,
        previous_secret_expires_at=client.previous_password_expires_at,
    )


async def revoke(
    *, session: AsyncSession, actor: Actor, settings: Settings, client_id: uuid.UUID
) -> IntegrationClientOut:
    """Every secret and every token of the client worthless at once; it keeps its scopes and
    bindings, and works again once a rotation gives it a new secret."""
    permissions.require(actor, Resource.INTEGRATION_CLIENT, Action.WRITE)
    client = await _visible_client(session=session, actor=actor, client_id=client_id)
    client.password_hash = _REVOKED
    client.previous_password_hash = None
    client.previous_password_expires_at = None
    client.token_generation += 1
    await _secret_changed(
        session=session, actor=actor, client=client, detail="every secret and token revoked"
    )
    return await _described(session=session, client=client, settings=settings)
