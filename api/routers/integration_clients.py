import uuid

from fastapi import APIRouter

from api.deps import ActorDep, IfMatchDep, SessionDep, SettingsDep
from api.schemas.common import Limit, Offset, Page
from api.schemas.integration_clients import (
    ClientSecret,
    IntegrationClientCreate,
    IntegrationClientCreated,
    IntegrationClientOut,
    IntegrationClientUpdate,
    SecretRotation,
)
from api.services.integrations import integration_clients

router = APIRouter(prefix="/integration-clients", tags=["integration clients"])

_GRANT = (
    "The client gets its access tokens by the OAuth2 client-credentials grant: `POST"
    " /api/v1/auth/token` with `grant_type=client_credentials`, `client_id`, `client_secret`"
    " and optionally `scope` (a subset of its scopes). Beyond its rate limit a request is a 429"
    " with `Retry-After`."
)


@router.post(
    "",
    status_code=201,
    summary="Register a third party's system; its secret is shown this once",
    description=_GRANT,
    responses={401: {}, 403: {}, 409: {}, 422: {}},
)
async def create_integration_client(
    body: IntegrationClientCreate, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> IntegrationClientCreated:
    return await integration_clients.create(
        session=session, actor=actor, settings=settings, data=body
    )


@router.get("", summary="The integration clients of one's areas", responses={401: {}, 403: {}})
async def list_integration_clients(
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[IntegrationClientOut]:
    items, total = await integration_clients.search(
        session=session, actor=actor, settings=settings, limit=limit, offset=offset
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/{integration_client_id}",
    summary="One integration client",
    responses={401: {}, 403: {}, 404: {}},
)
async def get_integration_client(
    integration_client_id: uuid.UUID, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> IntegrationClientOut:
    return await integration_clients.get(
        session=session, actor=actor, settings=settings, client_id=integration_client_id
    )


@router.patch(
    "/{integration_client_id}",
    summary="Change a client's scopes, bindings or rate limit, or suspend it",
    responses={401: {}, 403: {}, 404: {}, 412: {}, 422: {}},
)
async def update_integration_client(
    integration_client_id: uuid.UUID,
    body: IntegrationClientUpdate,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    expected_version: IfMatchDep,
) -> IntegrationClientOut:
    return await integration_clients.update(
        session=session,
        actor=actor,
        settings=settings,
        client_id=integration_client_id,
        data=body,
        expected_version=expected_version,
    )


@router.post(
    "/{integration_client_id}/secret",
    summary="Rotate a client's secret; the new one is shown this once",
    responses={401: {}, 403: {}, 404: {}, 422: {}},
)
async def rotate_integration_client_secret(
    integration_client_id: uuid.UUID, body: SecretRotation, actor: ActorDep, session: SessionDep
) -> ClientSecret:
    return await integration_clients.rotate_secret(
        session=session, actor=actor, client_id=integration_client_id, data=body
    )


@router.post(
    "/{integration_client_id}/revoke",
    summary="Revoke every secret and token of a client at once",
    responses={401: {}, 403: {}, 404: {}},
)
async def revoke_integration_client(
    integration_client_id: uuid.UUID, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> IntegrationClientOut:
    return await integration_clients.revoke(
        session=session, actor=actor, settings=settings, client_id=integration_client_id
    )
