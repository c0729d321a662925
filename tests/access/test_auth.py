"""Logging in, refresh rotation and reuse detection, logout, lockout, throttling, token forgery."""

import base64
import json
import time
from datetime import timedelta

import httpx
import pytest
from fastapi import FastAPI
from jose import jwt
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.app import create_app
from api.models import AuditEvent, User
from api.models.base import utcnow
from api.models.vocabulary import AuditAction, UserRole
from api.services.access import tokens
from api.settings import Settings
from tests.factories import bearer, make_user, token_for

TOKEN = "/api/v1/auth/token"


async def actions(session: AsyncSession) -> list[AuditAction]:
    rows = (await session.exec(select(AuditEvent).order_by(col(AuditEvent.occurred_at)))).all()
    return [row.action for row in rows]


async def test_login_gives_tokens_that_open_me(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    login = await make_user(session, role=UserRole.VILLAGE_CADRE)
    issued = await token_for(client, login)
    assert issued["token_type"] == "bearer"
    assert issued["expires_in"] == 15 * 60
    assert issued["refresh_token"]
    me = await client.get("/api/v1/me", headers=bearer(issued["access_token"]))
    assert me.status_code == 200
    assert me.json()["role"] == "village_cadre"
    assert me.json()["areas"][0]["code"] == "519901"
    assert AuditAction.LOGIN_SUCCEEDED in await actions(session)


async def test_me_without_a_token_is_401(client: httpx.AsyncClient) -> None:
    response = await client.get("/api/v1/me")
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"


async def test_a_wrong_password_is_401_and_audited(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    login = await make_user(session)
    response = await client.post(TOKEN, data={"username": login.username, "password": "nope"})
    assert response.status_code == 401
    unknown = await client.post(TOKEN, data={"username": "nobody", "password": "nope"})
    assert unknown.status_code == 401
    assert unknown.json()["detail"] == response.json()["detail"]  # no hint which was wrong
    assert (await actions(session)).count(AuditAction.LOGIN_FAILED) == 2


async def test_missing_fields_and_unknown_grants_are_422_naming_the_field(
    client: httpx.AsyncClient,
) -> None:
    missing = await client.post(TOKEN, data={"username": "a"})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["loc"] == ["body", "password"]
    odd = await client.post(TOKEN, data={"grant_type": "magic", "username": "a", "password": "b"})
    assert odd.status_code == 422
    assert odd.json()["errors"][0]["loc"] == ["body", "grant_type"]


async def test_five_failures_lock_the_account_for_a_while(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    login = await make_user(session)
    for _ in range(5):
        await client.post(TOKEN, data={"username": login.username, "password": "wrong-one"})
    locked = await client.post(TOKEN, data={"username": login.username, "password": login.password})
    assert locked.status_code == 423
    assert locked.json()["type"] == "urn:baoxue:problem:account-locked"
    user = await session.get(User, login.user_id)
    assert user is not None
    assert user.locked_until is not None
    assert timedelta(minutes=14) < user.locked_until - utcnow() <= timedelta(minutes=15)
    user.locked_until = utcnow() - timedelta(seconds=1)  # the quarter of an hour has passed
    session.add(user)
    await session.commit()
    assert (await token_for(client, login))["access_token"]


async def test_an_address_that_keeps_failing_is_slowed(
    settings: Settings, session: AsyncSession
) -> None:
    app = create_app(settings.model_copy(update={"ip_failure_limit": 5}))
    login = await make_user(session)
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://testserver"
    ) as client:
        for number in range(5):
            await client.post(TOKEN, data={"username": f"guess{number}", "password": "x"})
        slowed = await client.post(
            TOKEN, data={"username": login.username, "password": login.password}
        )
    await app.state.engine.dispose()
    assert slowed.status_code == 429
    assert int(slowed.headers["retry-after"]) > 0


async def test_refresh_rotates_and_a_reused_token_revokes_the_family(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    first = await token_for(client, await make_user(session))
    second = (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    ).json()
    assert second["refresh_token"] != first["refresh_token"]
    assert (
        await client.get("/api/v1/me", headers=bearer(second["access_token"]))
    ).status_code == 200
    reused = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]}
    )
    assert reused.status_code == 401
    # The thief's replay took the legitimate holder's newer token down with it.
    after = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]}
    )
    assert after.status_code == 401
    assert AuditAction.TOKEN_REUSED in await actions(session)


async def test_refresh_works_through_the_token_endpoint_too(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    first = await token_for(client, await make_user(session))
    response = await client.post(
        TOKEN, data={"grant_type": "refresh_token", "refresh_token": first["refresh_token"]}
    )
    assert response.status_code == 200
    assert response.json()["refresh_token"] != first["refresh_token"]


async def test_logout_revokes_the_session(client: httpx.AsyncClient, session: AsyncSession) -> None:
    issued = await token_for(client, await make_user(session))
    response = await client.post(
        "/api/v1/auth/logout",
        json={"refresh_token": issued["refresh_token"]},
        headers=bearer(issued["access_token"]),
    )
    assert response.status_code == 204
    again = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": issued["refresh_token"]}
    )
    assert again.status_code == 401
    assert AuditAction.LOGOUT in await actions(session)


def _segment(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _claims(user_id: str, **changes: object) -> dict[str, object]:
    now = int(time.time())
    return {"sub": user_id, "iss": tokens.ISSUER, "aud": tokens.AUDIENCE, "iat": now,
            "exp": now + 600, "typ": "access", **changes}  # fmt: skip


@pytest.mark.parametrize("forgery", ["expired", "tampered", "alg_none", "wrong_key", "rs256_label"])
async def test_forged_and_expired_tokens_are_refused(
    forgery: str, client: httpx.AsyncClient, session: AsyncSession, app: FastAPI
) -> None:
    login = await make_user(session)
    key = app.state.settings.signing_key()
    user_id = str(login.user_id)
    if forgery == "expired":
        token = jwt.encode(_claims(user_id, exp=int(time.time()) - 1), key, algorithm="HS256")
    elif forgery == "tampered":
        header, _, signature = jwt.encode(_claims(user_id), key, algorithm="HS256").split(".")
        token = f"{header}.{_segment(_claims(user_id, role='county_admin', x=1))}.{signature}"
    elif forgery == "alg_none":
        token = f"{_segment({'alg': 'none', 'typ': 'JWT'})}.{_segment(_claims(user_id))}."
    elif forgery == "wrong_key":
        token = jwt.encode(_claims(user_id), "another-key-" + "x" * 40, algorithm="HS256")
    else:  # signed with the shared key but labelled RS256: key-confusion
        _, payload, signature = jwt.encode(_claims(user_id), key, algorithm="HS256").split(".")
        token = f"{_segment({'alg': 'RS256', 'typ': 'JWT'})}.{payload}.{signature}"
    response = await client.get("/api/v1/me", headers=bearer(token))
    assert response.status_code == 401, forgery


async def test_a_valid_token_of_a_disabled_account_is_refused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    login = await make_user(session)
    issued = await token_for(client, login)
    user = await session.get(User, login.user_id)
    assert user is not None
    user.is_active = False
    session.add(user)
    await session.commit()
    assert (
        await client.get("/api/v1/me", headers=bearer(issued["access_token"]))
    ).status_code == 401


def _problem(response: httpx.Response) -> str:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.headers["content-type"] == "application/problem+json"
    slug: str = response.json()["type"].removeprefix("urn:baoxue:problem:")
    return slug


async def test_a_401_tells_the_phone_to_refresh_or_to_wipe_what_it_holds(
    client: httpx.AsyncClient, session: AsyncSession, app: FastAPI
) -> None:
    """Expired or unknown: refresh or log in again. Disabled or revoked: wipe, then log in."""
    refresh = "/api/v1/auth/refresh"
    login = await make_user(session)
    issued = await token_for(client, login)
    key = app.state.settings.signing_key()
    expired = jwt.encode(
        _claims(str(login.user_id), exp=int(time.time()) - 1), key, algorithm="HS256"
    )
    assert _problem(await client.get("/api/v1/me", headers=bearer(expired))) == "unauthenticated"
    assert _problem(await client.get("/api/v1/me")) == "unauthenticated"
    garbage = await client.post(refresh, json={"refresh_token": "x" * 43})
    assert _problem(garbage) == "unauthenticated"
    # A refresh token merely past its lifetime: log in again, nothing to wipe.
    stale = await token_for(client, login)
    row = await tokens.family_of(session=session, token=stale["refresh_token"])
    assert row is not None
    row.expires_at = utcnow() - timedelta(seconds=1)
    session.add(row)
    await session.commit()
    assert _problem(await client.post(refresh, json={"refresh_token": stale["refresh_token"]})) == (
        "unauthenticated"
    )
    # Logged out (here or on another device): the session is over.
    logout = await client.post(
        "/api/v1/auth/logout",
        json={"refresh_token": issued["refresh_token"]},
        headers=bearer(issued["access_token"]),
    )
    assert logout.status_code == 204
    after = await client.post(refresh, json={"refresh_token": issued["refresh_token"]})
    assert _problem(after) == "session-revoked"
    # A spent refresh token presented again: the reuse revokes the family, and says so.
    first = await token_for(client, login)
    rotated = await client.post(refresh, json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200
    reused = await client.post(refresh, json={"refresh_token": first["refresh_token"]})
    assert _problem(reused) == "session-revoked"
    newer = await client.post(refresh, json={"refresh_token": rotated.json()["refresh_token"]})
    assert _problem(newer) == "session-revoked"
    # Disabled with a valid access token and a live refresh token (set in the database, so that
    # nothing revoked its sessions first): the account is off.
    live = await token_for(client, login)
    user = await session.get(User, login.user_id)
    assert user is not None
    user.is_active = False
    session.add(user)
    await session.commit()
    disabled = await client.get("/api/v1/me", headers=bearer(live["access_token"]))
    assert _problem(disabled) == "account-disabled"
    assert disabled.json()["detail"] == "The account is disabled or no longer exists."
    off = await client.post(refresh, json={"refresh_token": live["refresh_token"]})
    assert _problem(off) == "account-disabled"
    assert (await actions(session)).count(AuditAction.TOKEN_REUSED) == 1  # the reuse alone


async def test_401_problem_types_are_documented_for_the_phone(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/api/v1/openapi.json")).json()
    scheme = schema["components"]["securitySchemes"]["HTTPBearer"]["description"]
    assert "urn:baoxue:problem:account-disabled" in scheme
    refresh = schema["paths"]["/api/v1/auth/refresh"]["post"]["responses"]["401"]["description"]
    for slug in ("unauthenticated", "session-revoked", "account-disabled"):
        assert f"urn:baoxue:problem:{slug}" in refresh


async def test_a_one_time_password_must_be_changed_before_anything_else(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    login = await make_user(session, must_change_password=True)
    issued = await token_for(client, login)
    assert issued["must_change_password"] is True
    headers = bearer(issued["access_token"])
    blocked = await client.get("/api/v1/audit-events", headers=headers)
    assert blocked.status_code == 403
    assert blocked.json()["type"] == "urn:baoxue:problem:password-change-required"
    weak = await client.post(
        "/api/v1/me/password",
        json={"current_password": login.password, "new_password": "short1"},
        headers=headers,
    )
    assert weak.status_code == 422
    assert weak.json()["errors"][0]["loc"] == ["body", "new_password"]
    wrong = await client.post(
        "/api/v1/me/password",
        json={"current_password": "not-it", "new_password": "Village2026road"},
        headers=headers,
    )
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["loc"] == ["body", "current_password"]
    changed = await client.post(
        "/api/v1/me/password",
        json={"current_password": login.password, "new_password": "Village2026road"},
        headers=headers,
    )
    assert changed.status_code == 204
    assert (await client.get("/api/v1/audit-events", headers=headers)).status_code == 200
    relogin = await client.post(
        TOKEN, data={"username": login.username, "password": "Village2026road"}
    )
    assert relogin.status_code == 200


async def test_integration_clients_use_client_credentials_within_their_scopes(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    machine = await make_user(
        session, role=UserRole.INTEGRATION_CLIENT, api_scopes="roster:write children:read"
    )
    form = {"grant_type": "client_credentials", "client_id": machine.username,
            "client_secret": machine.password}  # fmt: skip
    granted = await client.post(TOKEN, data={**form, "scope": "children:read"})
    assert granted.status_code == 200
    assert granted.json()["scope"] == "children:read"
    assert granted.json()["refresh_token"] is None
    me = await client.get("/api/v1/me", headers=bearer(granted.json()["access_token"]))
    assert me.json()["api_scopes"] == ["children:read"]
    too_much = await client.post(TOKEN, data={**form, "scope": "children:read cases:read"})
    assert too_much.status_code == 403
    as_person = await client.post(
        TOKEN, data={"username": machine.username, "password": machine.password}
    )
    assert as_person.status_code == 401
    person = await make_user(session)
    as_machine = await client.post(TOKEN, data={**form, "client_id": person.username,
                                                "client_secret": person.password})  # fmt: skip
    assert as_machine.status_code == 401
