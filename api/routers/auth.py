from typing import Annotated, Literal

from fastapi import APIRouter, Form, Response

from api.deps import NewcomerDep, SessionDep, SettingsDep
from api.schemas.auth import RefreshRequest, TokenResponse
from api.services.access import auth
from api.services.core.errors import InvalidInput

router = APIRouter(prefix="/auth", tags=["auth"])
OptionalForm = Annotated[str | None, Form(max_length=200)]


def _required(value: str | None, field: str) -> str:
    if not value:
        raise InvalidInput(field, f"{field} is required for this grant type")
    return value


# What a 401 of these routes means, by its problem type: the phone acts on it.
_UNAUTHENTICATED = {
    "description": (
        "`type` says which: `urn:baoxue:problem:unauthenticated`, wrong credentials or a"
        " refresh token unknown or expired (log in again); `urn:baoxue:problem:session-revoked`,"
        " the refresh token's session was ended (a logout elsewhere, an administrator's reset,"
        " the token presented twice); `urn:baoxue:problem:account-disabled`, the account is"
        " disabled. On the last two a phone wipes the personal data it holds."
    )
}


@router.post(
    "/token",
    summary="Log in (OAuth2 password or client-credentials grant)",
    description=(
        "A wrong username or password is a 401 `urn:baoxue:problem:unauthenticated`; the"
        " `refresh_token` grant answers as `POST /auth/refresh` does."
    ),
    responses={
        401: _UNAUTHENTICATED,
        403: {},
        423: {"description": "Locked after repeated failures"},
        429: {},
    },
)
async def issue_token(
    session: SessionDep,
    settings: SettingsDep,
    grant_type: Annotated[
        Literal["password", "client_credentials", "refresh_token"], Form()
    ] = "password",
    username: OptionalForm = None,
    password: OptionalForm = None,
    client_id: OptionalForm = None,
    client_secret: OptionalForm = None,
    refresh_token: OptionalForm = None,
    scope: Annotated[str, Form(max_length=500)] = "",
) -> TokenResponse:
    if grant_type == "client_credentials":
        issued = await auth.client_login(
            session=session,
            settings=settings,
            client_id=_required(client_id, "client_id"),
            secret=_required(client_secret, "client_secret"),
            scope=scope,
        )
    elif grant_type == "refresh_token":
        issued = await auth.refresh(
            session=session,
            settings=settings,
            refresh_token=_required(refresh_token, "refresh_token"),
        )
    else:
        issued = await auth.login(
            session=session,
            settings=settings,
            username=_required(username, "username"),
            password=_required(password, "password"),
        )
    return TokenResponse.model_validate(issued, from_attributes=True)


@router.post(
    "/refresh",
    summary="Rotate a refresh token",
    description=(
        "Each use gives a new refresh token and spends the old one. A 401's `type` says what"
        " to do: `unauthenticated`, log in again; `session-revoked` or `account-disabled`,"
        " wipe the personal data held, then log in."
    ),
    responses={401: _UNAUTHENTICATED},
)
async def refresh_token(
    body: RefreshRequest, session: SessionDep, settings: SettingsDep
) -> TokenResponse:
    issued = await auth.refresh(
        session=session, settings=settings, refresh_token=body.refresh_token
    )
    return TokenResponse.model_validate(issued, from_attributes=True)


@router.post(
    "/logout",
    status_code=204,
    summary="Revoke a session (its refresh-token family)",
    responses={401: {}, 422: {}},
)
async def logout(body: RefreshRequest, actor: NewcomerDep, session: SessionDep) -> Response:
    await auth.logout(session=session, user_id=actor.user_id, refresh_token=body.refresh_token)
    return Response(status_code=204)
