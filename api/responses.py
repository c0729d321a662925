"""Shaping write answers: ETags, Location, and idempotent creates with their replays."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request, Response
from pydantic import BaseModel
from sqlmodel.ext.asyncio.session import AsyncSession

from api.deps import ActorDep, IdempotencyKeyDep, SessionDep
from api.services.core import idempotency
from api.services.core.actors import Actor
from api.services.core.idempotency import Answer


def set_etag(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


def created(response: Response, result: Answer, *, location: str) -> None:
    response.status_code = result.status_code
    response.headers["Location"] = location
    if isinstance(version := result.body.get("version"), int):
        set_etag(response, version)
    if result.replayed:  # as Stripe and others mark it
        response.headers["Idempotent-Replayed"] = "true"


async def _once(
    *,
    request: Request,
    session: AsyncSession,
    actor: Actor,
    key: str | None,
    body: BaseModel,
    write: Callable[[], Awaitable[BaseModel]],
    status_code: int,
) -> Answer:
    return await idempotency.once(
        session=session,
        actor=actor,
        key=key,
        fingerprint=idempotency.fingerprint(request.method, request.url.path, body),
        status_code=status_code,
        write=write,
    )


async def write_once(
    *,
    request: Request,
    response: Response,
    session: AsyncSession,
    actor: Actor,
    key: str | None,
    body: BaseModel,
    write: Callable[[], Awaitable[BaseModel]],
    status_code: int = 200,
) -> dict[str, Any]:
    """A write under an optional Idempotency-Key whose answer has no URL of its own (a
    record of a case's work, an update): a repeat with the key gets the first answer."""
    result = await _once(
        request=request,
        session=session,
        actor=actor,
        key=key,
        body=body,
        write=write,
        status_code=status_code,
    )
    response.status_code = result.status_code
    if result.replayed:
        response.headers["Idempotent-Replayed"] = "true"
    return result.body


async def create_once(
    *,
    request: Request,
    response: Response,
    session: AsyncSession,
    actor: Actor,
    key: str | None,
    body: BaseModel,
    write: Callable[[], Awaitable[BaseModel]],
    status_code: int = 201,
) -> dict[str, Any]:
    """A create under an optional Idempotency-Key, answered 201 (or 202 for work that goes
    on after the answer) at ``<path>/<id>``."""
    result = await _once(
        request=request,
        session=session,
        actor=actor,
        key=key,
        body=body,
        write=write,
        status_code=status_code,
    )
    created(response, result, location=f"{request.url.path}/{result.body['id']}")
    return result.body


@dataclass(frozen=True)
class Once:
    """A request's writes under its optional Idempotency-Key: what the key is checked
    against (who, the method, the path and the body) and where the answer goes, gathered once
    so that an endpoint says only what it writes."""

    request: Request
    response: Response
    session: AsyncSession
    actor: Actor
    key: str | None

    async def create(
        self,
        body: BaseModel,
        write: Callable[[], Awaitable[BaseModel]],
        *,
        status_code: int = 201,
    ) -> dict[str, Any]:
        """See ``create_once``."""
        return await create_once(
            request=self.request,
            response=self.response,
            session=self.session,
            actor=self.actor,
            key=self.key,
            body=body,
            write=write,
            status_code=status_code,
        )

    async def write(
        self,
        body: BaseModel,
        write: Callable[[], Awaitable[BaseModel]],
        *,
        status_code: int = 200,
    ) -> dict[str, Any]:
        """See ``write_once``."""
        return await write_once(
            request=self.request,
            response=self.response,
            session=self.session,
            actor=self.actor,
            key=self.key,
            body=body,
            write=write,
            status_code=status_code,
        )


def _once_of(
    request: Request,
    response: Response,
    session: SessionDep,
    actor: ActorDep,
    idempotency_key: IdempotencyKeyDep = None,
) -> Once:
    # FastAPI gives every dependency of a request the same session and actor as its endpoint.
    return Once(request, response, session, actor, idempotency_key)


OnceDep = Annotated[Once, Depends(_once_of)]
