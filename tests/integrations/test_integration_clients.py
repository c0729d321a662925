"""Integration clients kept by the county administrator through the API: scopes and bindings
enforced, secrets rotated and revoked, and a rate limit answered with 429 and Retry-After."""

import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import AuditEvent, User
from api.models.base import utcnow
from api.models.vocabulary import UserRole
from api.services.access.rate_limits import RateLimiter
from api.services.core.errors import RateLimited
from tests import world as w
from tests.factories import bearer

CLIENTS = "/api/v1/integration-clients"
TOKEN = "/api/v1/auth/token"


def registration(**overrides: Any) -> dict[str, Any]:
    return {
        "client_id": "xueji.sync",
        "display_name": "学籍系统对接",
        "api_scopes": ["children:read", "schools:read"],
        "areas": [w.EAST],
        **overrides,
    }


async def register(
    client: httpx.AsyncClient, admin: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    created = await client.post(CLIENTS, json=registration(**overrides), headers=admin)
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    return body


async def token(
    client: httpx.AsyncClient, client_id: str, secret: str, scope: str = ""
) -> httpx.Response:
    form = {"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret}
    return await client.post(TOKEN, data={**form, "scope": scope})


async def headers_of(client: httpx.AsyncClient, registered: dict[str, Any]) -> dict[str, str]:
    issued = await token(client, registered["client_id"], registered["client_secret"])
    assert issued.status_code == 200, issued.text
    return bearer(issued.json()["access_token"])


async def test_a_registered_client_works_at_once_within_its_scopes_and_binding(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, admin: dict[str, str]
) -> None:
    registered = await register(client, admin)
    assert registered["api_scopes"] == ["children:read", "schools:read"]
    assert registered["areas"] == [{"code": w.EAST, "name": "东镇", "level": "township"}]
    assert registered["has_secret"] is True
    assert registered["rate_limit_per_minute"] == 600  # the default
    assert len(registered["client_secret"]) >= 40
    headers = await headers_of(client, registered)  # no password change first: a machine
    children = await client.get("/api/v1/children", headers=headers)
    assert children.status_code == 200
    assert children.json()["total"] == 3  # 东镇's: dong_a, dong_b, nan_a
    inside = await client.get(f"/api/v1/children/{world.children['dong_a']}", headers=headers)
    assert inside.status_code == 200
    assert inside.json()["masked"] is True  # read, not read_personal
    west = await client.get(f"/api/v1/children/{world.children['xi_a']}", headers=headers)
    assert west.status_code == 404  # outside its binding: as if it did not exist
    # Outside its scopes: a 403 naming what is missing.
    households = await client.get("/api/v1/households", headers=headers)
    assert households.status_code == 403
    assert households.json()["type"] == "urn:baoxue:problem:forbidden"
    report = await client.post(
        "/api/v1/cases",
        json={"child_id": str(world.children["dong_a"])},
        headers=headers,
    )
    assert report.status_code == 403
    # Asking for more than granted gets no token at all.
    greedy = await token(
        client, registered["client_id"], registered["client_secret"], "children:write"
    )
    assert greedy.status_code == 403
    # Its secret is stored only as a hash, and the audit log never saw it.
    stored = (await session.exec(select(User).where(User.username == "xueji.sync"))).one()
    assert registered["client_secret"] not in stored.password_hash
    entries = (await session.exec(select(AuditEvent))).all()
    assert all(registered["client_secret"] not in str(e.changes) for e in entries)
    listed = await client.get(CLIENTS, headers=admin)
    assert [c["client_id"] for c in listed.json()["items"]] == ["xueji.sync"]
    assert "client_secret" not in listed.json()["items"][0]


async def test_a_client_bound_to_a_school_sees_that_school_only(
    client: httpx.AsyncClient, world: w.World, admin: dict[str, str]
) -> None:
    registered = await register(
        client, admin, areas=[], schools=[str(world.schools["west"])], api_scopes=["schools:read"]
    )
    assert [s["id"] for s in registered["schools"]] == [str(world.schools["west"])]
    headers = await headers_of(client, registered)
    schools = (await client.get("/api/v1/schools", headers=headers)).json()
    assert [s["id"] for s in schools["items"]] == [str(world.schools["west"])]
    east = await client.get(f"/api/v1/schools/{world.schools['east']}", headers=headers)
    assert east.status_code == 404


async def test_narrowed_scopes_and_bindings_bind_tokens_already_issued(
    client: httpx.AsyncClient, world: w.World, admin: dict[str, str]
) -> None:
    registered = await register(client, admin)
    headers = await headers_of(client, registered)
    one = f"{CLIENTS}/{registered['id']}"
    assert (await client.get("/api/v1/schools", headers=headers)).status_code == 200
    narrowed = await client.patch(
        one, json={"api_scopes": ["children:read"]}, headers={**admin, "If-Match": '"1"'}
    )
    assert narrowed.status_code == 200, narrowed.text
    assert narrowed.json()["version"] == 2
    assert (await client.get("/api/v1/schools", headers=headers)).status_code == 403
    moved = await client.patch(one, json={"areas": [w.WEST]}, headers=admin)
    assert moved.json()["areas"][0]["code"] == w.WEST
    west = await client.get(f"/api/v1/children/{world.children['xi_a']}", headers=headers)
    assert west.status_code == 200
    east = await client.get(f"/api/v1/children/{world.children['dong_a']}", headers=headers)
    assert east.status_code == 404
    stale = await client.patch(
        one, json={"display_name": "旧版本"}, headers={**admin, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    suspended = await client.patch(one, json={"is_active": False}, headers=admin)
    assert suspended.json()["is_active"] is False
    refused = await client.get("/api/v1/children", headers=headers)
    assert refused.status_code == 401
    assert refused.json()["type"] == "urn:baoxue:problem:account-disabled"


async def test_a_rotation_with_grace_lets_both_secrets_work_until_it_ends(
    client: httpx.AsyncClient, session: AsyncSession, admin: dict[str, str]
) -> None:
    registered = await register(client, admin)
    old_secret = registered["client_secret"]
    headers = await headers_of(client, registered)
    rotated = await client.post(
        f"{CLIENTS}/{registered['id']}/secret",
        json={"previous_secret_valid_minutes": 60},
        headers=admin,
    )
    assert rotated.status_code == 200, rotated.text
    new_secret = rotated.json()["client_secret"]
    assert new_secret != old_secret
    assert rotated.json()["previous_secret_expires_at"] is not None
    assert (await token(client, "xueji.sync", new_secret)).status_code == 200
    assert (await token(client, "xueji.sync", old_secret)).status_code == 200
    assert (await client.get("/api/v1/children", headers=headers)).status_code == 200
    shown = (await client.get(f"{CLIENTS}/{registered['id']}", headers=admin)).json()
    assert shown["previous_secret_expires_at"] == rotated.json()["previous_secret_expires_at"]
    # The grace period over, the old secret is refused.
    stored = (await session.exec(select(User).where(User.username == "xueji.sync"))).one()
    stored.previous_password_expires_at = utcnow() - timedelta(seconds=1)
    session.add(stored)
    await session.commit()
    assert (await token(client, "xueji.sync", old_secret)).status_code == 401
    assert (await token(client, "xueji.sync", new_secret)).status_code == 200


async def test_a_rotation_without_grace_ends_the_old_secret_and_its_tokens_at_once(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    registered = await register(client, admin)
    headers = await headers_of(client, registered)
    rotated = await client.post(
        f"{CLIENTS}/{registered['id']}/secret",
        json={"previous_secret_valid_minutes": 0},
        headers=admin,
    )
    assert rotated.json()["previous_secret_expires_at"] is None
    assert (await token(client, "xueji.sync", registered["client_secret"])).status_code == 401
    stale = await client.get("/api/v1/children", headers=headers)
    assert stale.status_code == 401
    assert stale.json()["type"] == "urn:baoxue:problem:unauthenticated"
    fresh = await headers_of(
        client, {**registered, "client_secret": rotated.json()["client_secret"]}
    )
    assert (await client.get("/api/v1/children", headers=fresh)).status_code == 200


async def test_a_revoked_client_has_no_working_secret_or_token_until_rotated(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    registered = await register(client, admin)
    headers = await headers_of(client, registered)
    await client.post(
        f"{CLIENTS}/{registered['id']}/secret",
        json={"previous_secret_valid_minutes": 600},
        headers=admin,
    )
    revoked = await client.post(f"{CLIENTS}/{registered['id']}/revoke", headers=admin)
    assert revoked.status_code == 200, revoked.text
    assert revoked.json()["has_secret"] is False
    assert revoked.json()["previous_secret_expires_at"] is None
    assert (await client.get("/api/v1/children", headers=headers)).status_code == 401
    assert (await token(client, "xueji.sync", registered["client_secret"])).status_code == 401
    rotated = await client.post(f"{CLIENTS}/{registered['id']}/secret", json={}, headers=admin)
    again = await headers_of(
        client, {**registered, "client_secret": rotated.json()["client_secret"]}
    )
    assert (await client.get("/api/v1/children", headers=again)).status_code == 200


async def test_beyond_its_rate_limit_a_client_gets_429_with_retry_after(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, admin: dict[str, str]
) -> None:
    limited = await register(client, admin, rate_limit_per_minute=3)
    other = await register(client, admin, client_id="mingzheng.sync")
    headers = await headers_of(client, limited)
    for _ in range(3):
        assert (await client.get("/api/v1/schools", headers=headers)).status_code == 200
    refused = await client.get("/api/v1/schools", headers=headers)
    assert refused.status_code == 429
    assert refused.headers["Retry-After"] == "20"  # a request every 60/3 s
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["type"] == "urn:baoxue:problem:rate-limited"
    assert refused.json()["limit_per_minute"] == 3
    # Another client, and the people, are not held back by it.
    assert (await client.get("/api/v1/schools", headers=await headers_of(client, other))).is_success
    for _ in range(5):
        assert (await client.get("/api/v1/schools", headers=admin)).status_code == 200
    # Raised by the administrator, it applies at the next request.
    raised = await client.patch(
        f"{CLIENTS}/{limited['id']}", json={"rate_limit_per_minute": 10}, headers=admin
    )
    assert raised.json()["rate_limit_per_minute"] == 10
    sooner = await client.get("/api/v1/schools", headers=headers)
    assert sooner.json()["limit_per_minute"] == 10  # what it used counts still, at the new rate
    assert int(sooner.headers["Retry-After"]) <= 6
    back = await client.patch(
        f"{CLIENTS}/{limited['id']}", json={"rate_limit_per_minute": None}, headers=admin
    )
    assert back.json()["rate_limit_per_minute"] == 600


def test_the_rate_limit_is_a_steady_rate_with_a_minutes_burst() -> None:
    limiter = RateLimiter()
    client = uuid.uuid4()
    for _ in range(6):
        limiter.take(client=client, per_minute=6, now=100.0)
    with pytest.raises(RateLimited) as refused:
        limiter.take(client=client, per_minute=6, now=100.0)
    assert refused.value.retry_after == 10
    with pytest.raises(RateLimited) as still:
        limiter.take(client=client, per_minute=6, now=109.0)
    assert still.value.retry_after == 1
    limiter.take(client=client, per_minute=6, now=110.0)  # one more, ten seconds on
    with pytest.raises(RateLimited):
        limiter.take(client=client, per_minute=6, now=110.0)
    limiter.take(client=client, per_minute=6, now=1000.0)  # long idle: a burst again
    for _ in range(5):
        limiter.take(client=client, per_minute=6, now=1000.0)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"client_id": "学籍"}, "client_id"),
        ({"api_scopes": []}, "api_scopes"),
        ({"api_scopes": ["children:everything"]}, "api_scopes"),
        ({"api_scopes": ["users:write"]}, "api_scopes"),  # accounts are people's business
        ({"areas": []}, "areas"),  # bound to nothing
        ({"areas": [w.NEIGHBOUR_TOWN]}, "areas"),  # outside the administrator's county
        ({"areas": ["519901009"]}, "areas"),  # no such township
        ({"areas": [], "schools": ["00000000-0000-4000-8000-000000000000"]}, "schools"),
        ({"classes": []}, None),  # an unknown field is ignored, as everywhere
        ({"rate_limit_per_minute": 0}, "rate_limit_per_minute"),
        ({"display_name": " "}, "display_name"),
    ],
)
async def test_bad_registrations_are_refused_naming_the_field_and_store_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    admin: dict[str, str],
    overrides: dict[str, Any],
    field: str | None,
) -> None:
    response = await client.post(CLIENTS, json=registration(**overrides), headers=admin)
    if field is None:
        assert response.status_code == 201
        return
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["loc"][:2] == ["body", field]
    stored = select(User).where(col(User.role) == UserRole.INTEGRATION_CLIENT)
    assert (await session.exec(stored)).all() == []


async def test_bad_changes_are_refused_and_change_nothing(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    registered = await register(client, admin)
    one = f"{CLIENTS}/{registered['id']}"
    for body, field in (
        ({"api_scopes": None}, "api_scopes"),
        ({"areas": []}, "areas"),
        ({"areas": [w.NEIGHBOUR]}, "areas"),
        ({"display_name": None}, "display_name"),
        ({"rate_limit_per_minute": 100_001}, "rate_limit_per_minute"),
    ):
        refused = await client.patch(one, json=body, headers=admin)
        assert refused.status_code == 422, (body, refused.text)
        assert refused.json()["errors"][0]["loc"][-1] == field, body
    grace = await client.post(
        f"{one}/secret", json={"previous_secret_valid_minutes": 7 * 24 * 60 + 1}, headers=admin
    )
    assert grace.status_code == 422
    assert grace.json()["errors"][0]["loc"] == ["body", "previous_secret_valid_minutes"]
    unchanged = (await client.get(one, headers=admin)).json()
    assert unchanged == {k: v for k, v in registered.items() if k != "client_secret"}
    assert (await client.post(CLIENTS, json=registration(), headers=admin)).status_code == 409


async def test_only_county_administrators_keep_clients_and_only_their_own(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, admin: dict[str, str]
) -> None:
    registered = await register(client, admin)
    township = await world.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    assert (await client.get(CLIENTS, headers=township)).status_code == 403
    assert (await client.post(CLIENTS, json=registration(), headers=township)).status_code == 403
    neighbour = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.NEIGHBOUR)
    assert (await client.get(f"{CLIENTS}/{registered['id']}", headers=neighbour)).status_code == 404
    assert (await client.get(CLIENTS, headers=neighbour)).json()["total"] == 0
    # A person's account is not a client, at either address.
    person = await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    assert (await client.get(f"{CLIENTS}/{person.user_id}", headers=admin)).status_code == 404
    reset = await client.post(f"/api/v1/users/{registered['id']}/password-reset", headers=admin)
    assert reset.status_code == 409
    # A client, whatever its scopes, keeps no clients: "users" is never granted to one.
    headers = await headers_of(client, registered)
    assert (await client.get(CLIENTS, headers=headers)).status_code == 403


async def test_a_password_reset_ends_the_access_tokens_already_issued(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, admin: dict[str, str]
) -> None:
    cadre = await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    issued = await client.post(TOKEN, data={"username": cadre.username, "password": cadre.password})
    headers = bearer(issued.json()["access_token"])
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 200
    reset = await client.post(f"/api/v1/users/{cadre.user_id}/password-reset", headers=admin)
    assert reset.status_code == 200
    assert (await client.get("/api/v1/me", headers=headers)).status_code == 401
