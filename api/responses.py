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


@dataclass(frozen=True)
class Once:
    """A request's writes under its optional Idempotency-Key: what the key is checked
    against (who, the method, the path and the body) and where the answer goes, gathered once
    so that an endpoint says only what it writes. A repeat with the key gets the first answer,
    marked ``Idempotent-Replayed: true``."""

    request: Request
    response: Response
    session: AsyncSession
    actor: Actor
    key: str | None

    async def _run(
        self, body: BaseModel, write: Callable[[], Awaitable[BaseModel]], status_code: int
    ) -> Answer:
        return await idempotency.once(
            session=self.session,
            actor=self.actor,
            key=self.key,
            fingerprint=idempotency.fingerprint(self.request.method, self.request.url.path, body),
            status_code=status_code,
            write=write,
        )

    async def create(
        self,
        body: BaseModel,
        write: Callable[[], Awaitable[BaseModel]],
        *,
        status_code: int = 201,
    ) -> dict[str, Any]:
        """A create, answered 201 (or 202 for work that goes on after the answer) at
        ``<path>/<id>``."""
        result = await self._run(body, write, status_code)
        created(self.response, result, location=f"{self.request.url.path}/{result.body['id']}")
        return result.body

    async def write(
        self,
        body: BaseModel,
        write: Callable[[], Awaitable[BaseModel]],
        *,
        status_code: int = 200,
    ) -> dict[str, Any]:
        """A write whose answer has no URL of its own (a record of a case's work)."""
        result = await self._run(body, write, status_code)
        self.response.status_code = result.status_code
        if result.replayed:
            self.response.headers["Idempotent-Replayed"] = "true"
        return result.body


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
