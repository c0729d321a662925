"""Administrators create and manage accounts within their county; one-time passwords."""

from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import AuditEvent, User
from api.models.vocabulary import AuditAction, UserRole
from tests import world as w
from tests.factories import Login, bearer, make_user, token_for

USERS = "/api/v1/users"


def cadre(**overrides: Any) -> dict[str, Any]:
    return {
        "username": "wang.cun",
        "display_name": "王村长",
        "phone": "13900001111",
        "role": "village_cadre",
        "areas": [w.DONG],
        **overrides,
    }


async def test_a_new_account_must_change_its_one_time_password_first(
    client: httpx.AsyncClient, session: AsyncSession, admin: dict[str, str]
) -> None:
    created = await client.post(USERS, json=cadre(), headers=admin)
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["must_change_password"] is True
    assert body["areas"] == [{"code": w.DONG, "name": "东村", "level": "village"}]
    password = body["one_time_password"]
    assert len(password) == 12
    login = Login("wang.cun", password, body["id"])
    issued = await token_for(client, login)
    headers = bearer(issued["access_token"])
    blocked = await client.get("/api/v1/children", headers=headers)
    assert blocked.status_code == 403
    assert blocked.json()["type"] == "urn:baoxue:problem:password-change-required"
    changed = await client.post(
        "/api/v1/me/password",
        json={"current_password": password, "new_password": "dongcun-2026-ok"},
        headers=headers,
    )
    assert changed.status_code == 204
    assert (await client.get("/api/v1/children", headers=headers)).json()["total"] == 2

    [entry] = (
        await session.exec(select(AuditEvent).where(col(AuditEvent.action) == AuditAction.CREATE))
    ).all()
    assert entry.object_id == body["id"]
    assert entry.changes is not None
    assert entry.changes["username"] == {"before": None, "after": "wang.cun"}
    assert entry.changes["areas"] == {"before": None, "after": [w.DONG]}
    assert "password_hash" not in entry.changes


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"username": "王"}, "username"),
        ({"username": "ab"}, "username"),
        ({"phone": "1234"}, "phone"),
        ({"role": "mayor"}, "role"),
        ({"display_name": ""}, "display_name"),
        ({"areas": ["51990"]}, "areas"),
        ({"areas": ["519901009009"]}, "areas"),  # no such village
        ({"areas": [w.NEIGHBOUR_VILLAGE]}, "areas"),  # outside the administrator's county
        ({"areas": [w.EAST]}, "areas"),  # a township is not a village cadre's to cover
        ({"areas": []}, "areas"),
        ({"role": "teacher"}, "areas"),  # a teacher is bound to classes
        ({"password": "short1"}, "password"),
        ({"password": "wang.cun-2026x"}, "password"),  # contains the username
    ],
)
async def test_bad_accounts_are_refused_naming_the_field_and_store_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    admin: dict[str, str],
    overrides: dict[str, Any],
    field: str,
) -> None:
    before = (await session.exec(select(func.count()).select_from(User))).one()
    response = await client.post(USERS, json=cadre(**overrides), headers=admin)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["loc"][:2] == ["body", field]
    assert (await session.exec(select(func.count()).select_from(User))).one() == before


async def test_principals_teachers_and_clients_are_bound_to_what_they_work_on(
    client: httpx.AsyncClient, admin: dict[str, str], world: w.World
) -> None:
    principal = await client.post(
        USERS,
        json=cadre(
            username="zhang.xz", role="principal", areas=[], schools=[str(world.schools["east"])]
        ),
        headers=admin,
    )
    assert principal.status_code == 201, principal.text
    assert principal.json()["schools"][0]["name"] == "东镇中心小学"
    teacher = await client.post(
        USERS,
        json=cadre(
            username="li.ls", role="teacher", areas=[], classes=[str(world.classes["east-3-2"])]
        ),
        headers=admin,
    )
    assert teacher.status_code == 201
    assert teacher.json()["classes"][0]["name"] == "三年级2班"
    far = await client.post(
        USERS,
        json=cadre(
            username="far.xz", role="principal", areas=[], schools=[str(world.schools["neighbour"])]
        ),
        headers=admin,
    )
    assert far.status_code == 422
    assert far.json()["errors"][0]["loc"] == ["body", "schools"]
    machine = await client.post(
        USERS,
        json=cadre(username="xueji.sync", role="integration_client"),
        headers=admin,
    )
    assert machine.status_code == 422  # kept at /integration-clients, with their secrets
    assert machine.json()["errors"][0]["loc"] == ["body", "role"]


async def test_a_taken_username_is_a_conflict(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    assert (await client.post(USERS, json=cadre(), headers=admin)).status_code == 201
    again = await client.post(USERS, json=cadre(display_name="另一个"), headers=admin)
    assert again.status_code == 409


async def test_administrators_list_only_accounts_of_their_county(
    client: httpx.AsyncClient, session: AsyncSession, admin: dict[str, str]
) -> None:
    await make_user(session, role=UserRole.VILLAGE_CADRE, username="here.cadre", area_code=w.XI)
    await make_user(
        session, role=UserRole.VILLAGE_CADRE, username="there.cadre", area_code=w.NEIGHBOUR_VILLAGE
    )
    listed = (await client.get(USERS, headers=admin, params={"role": "village_cadre"})).json()
    assert [u["username"] for u in listed["items"]] == ["here.cadre"]
    assert listed["items"][0]["areas"][0]["name"] == "西村"


async def test_disabling_an_account_ends_its_sessions(
    client: httpx.AsyncClient, session: AsyncSession, admin: dict[str, str]
) -> None:
    login = await make_user(session, role=UserRole.VILLAGE_CADRE, area_code=w.XI)
    issued = await token_for(client, login)
    disabled = await client.patch(
        f"{USERS}/{login.user_id}", json={"is_active": False}, headers=admin
    )
    assert disabled.status_code == 200
    assert disabled.json()["is_active"] is False
    assert (
        await client.get("/api/v1/me", headers=bearer(issued["access_token"]))
    ).status_code == 401
    refresh = await client.post(
        "/api/v1/auth/refresh", json={"refresh_token": issued["refresh_token"]}
    )
    assert refresh.status_code == 401
    relogin = await client.post(
        "/api/v1/auth/token", data={"username": login.username, "password": login.password}
    )
    assert relogin.status_code == 401
    [entry] = (
        await session.exec(select(AuditEvent).where(col(AuditEvent.action) == AuditAction.UPDATE))
    ).all()
    assert entry.changes == {"is_active": {"before": True, "after": False}}


async def test_an_administrator_cannot_disable_themselves_or_blank_a_name(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    me = (await client.get("/api/v1/me", headers=admin)).json()
    response = await client.patch(f"{USERS}/{me['id']}", json={"is_active": False}, headers=admin)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "is_active"]
    blank = await client.patch(f"{USERS}/{me['id']}", json={"display_name": None}, headers=admin)
    assert blank.status_code == 422


async def test_a_password_reset_unlocks_and_asks_for_a_new_password(
    client: httpx.AsyncClient, session: AsyncSession, admin: dict[str, str]
) -> None:
    login = await make_user(session, role=UserRole.VILLAGE_CADRE, area_code=w.XI)
    for _ in range(5):
        await client.post(
            "/api/v1/auth/token", data={"username": login.username, "password": "wrong-1"}
        )
    locked = await client.post(
        "/api/v1/auth/token", data={"username": login.username, "password": login.password}
    )
    assert locked.status_code == 423
    reset = await client.post(f"{USERS}/{login.user_id}/password-reset", headers=admin)
    assert reset.status_code == 200
    fresh = Login(login.username, reset.json()["one_time_password"], login.user_id)
    issued = await token_for(client, fresh)
    assert issued["must_change_password"] is True
    [entry] = (
        await session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == AuditAction.PASSWORD_RESET)
        )
    ).all()
    assert entry.changes is not None
    assert entry.changes["must_change_password"] == {"before": False, "after": True}


async def _updates(session: AsyncSession, user_id: object) -> list[AuditEvent]:
    return list(
        (
            await session.exec(
                select(AuditEvent).where(
                    col(AuditEvent.action) == AuditAction.UPDATE,
                    col(AuditEvent.object_id) == str(user_id),
                )
            )
        ).all()
    )


async def _pupils(client: httpx.AsyncClient, headers: dict[str, str]) -> set[str]:
    listed = await client.get("/api/v1/children", headers=headers)
    assert listed.status_code == 200, listed.text
    return {child["name"] for child in listed.json()["items"]}


async def test_patch_changes_a_teachers_classes_seen_at_their_next_request(
    client: httpx.AsyncClient, session: AsyncSession, admin: dict[str, str], world: w.World
) -> None:
    teacher = await world.login(session, UserRole.TEACHER, klass="east-3-1")
    headers = bearer((await token_for(client, teacher))["access_token"])
    assert await _pupils(client, headers) == {"张小明", "王小刚"}
    new_class = str(world.classes["east-3-2"])
    changed = await client.patch(
        f"{USERS}/{teacher.user_id}", json={"classes": [new_class]}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    assert [c["name"] for c in changed.json()["classes"]] == ["三年级2班"]
    assert changed.json()["version"] == 2
    shown = (await client.get(f"{USERS}/{teacher.user_id}", headers=admin)).json()
    assert [c["id"] for c in shown["classes"]] == [new_class]
    # The token issued before the change: coverage is loaded per request, not carried in it.
    assert await _pupils(client, headers) == {"李小红"}
    [entry] = await _updates(session, teacher.user_id)
    assert entry.changes == {
        "classes": {"before": [str(world.classes["east-3-1"])], "after": [new_class]}
    }


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"role": "county_admin"}, "role"),
        ({"username": "someone.else"}, "username"),
        ({"password": "new-pass-2026x"}, "password"),
        ({"api_scopes": ["children:read"]}, "api_scopes"),
        ({"display_name": "新名字", "class": []}, "class"),  # a misspelt field is no rename
        ({"areas": [w.DONG]}, "areas"),  # a teacher is bound to classes
        ({"schools": ["00000000-0000-4000-8000-000000000000"]}, "schools"),
        ({"classes": []}, "classes"),  # bound to something
        ({"classes": None}, "classes"),
        ({"classes": ["neighbour-3-1"]}, "classes"),  # another county's class
        ({"classes": ["east-3-1", "west-3-1"]}, "classes"),  # two schools
    ],
)
async def test_a_field_patch_does_not_change_is_a_422_naming_it_and_changes_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    admin: dict[str, str],
    world: w.World,
    body: dict[str, Any],
    field: str,
) -> None:
    teacher = await world.login(session, UserRole.TEACHER, klass="east-3-1")
    if isinstance(body.get("classes"), list):
        body = {"classes": [str(world.classes[key]) for key in body["classes"]]}
    before = (await client.get(f"{USERS}/{teacher.user_id}", headers=admin)).json()
    response = await client.patch(f"{USERS}/{teacher.user_id}", json=body, headers=admin)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"][0]["loc"][:2] == ["body", field]
    assert (await client.get(f"{USERS}/{teacher.user_id}", headers=admin)).json() == before
    assert await _updates(session, teacher.user_id) == []


async def test_a_principal_manages_the_teachers_of_their_own_school_only(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    principal = await world.login(session, UserRole.PRINCIPAL, school="east")
    headers = bearer((await token_for(client, principal))["access_token"])
    created = await client.post(
        USERS,
        json=cadre(
            username="li.ls", role="teacher", areas=[], classes=[str(world.classes["east-3-1"])]
        ),
        headers=headers,
    )
    assert created.status_code == 201, created.text
    teacher_id = created.json()["id"]
    moved = await client.patch(
        f"{USERS}/{teacher_id}",
        json={"classes": [str(world.classes["east-3-2"])]},
        headers=headers,
    )
    assert moved.status_code == 200, moved.text
    assert [c["name"] for c in moved.json()["classes"]] == ["三年级2班"]
    [entry] = await _updates(session, teacher_id)
    assert entry.actor_id == principal.user_id
    assert entry.changes is not None
    assert set(entry.changes) == {"classes"}
    assert (
        await client.post(f"{USERS}/{teacher_id}/password-reset", headers=headers)
    ).status_code == 200
    disabled = await client.patch(
        f"{USERS}/{teacher_id}", json={"is_active": False}, headers=headers
    )
    assert disabled.status_code == 200
    listed = (await client.get(USERS, headers=headers)).json()
    assert [u["username"] for u in listed["items"]] == ["li.ls"]

    # Not another school's classes, for a new teacher or their own.
    west_class = [str(world.classes["west-3-1"])]
    elsewhere = await client.post(
        USERS,
        json=cadre(username="far.ls", role="teacher", areas=[], classes=west_class),
        headers=headers,
    )
    assert elsewhere.status_code == 422
    assert elsewhere.json()["errors"][0]["loc"] == ["body", "classes"]
    away = await client.patch(
        f"{USERS}/{teacher_id}", json={"classes": west_class}, headers=headers
    )
    assert away.status_code == 422
    # Never another role's account.
    village = await client.post(USERS, json=cadre(), headers=headers)
    assert village.status_code == 403, village.text
    assert village.json()["type"] == "urn:baoxue:problem:forbidden"
    # Another school's teacher, another principal of their own school, a village cadre: none
    # is theirs, and none is there.
    west_teacher = await world.login(session, UserRole.TEACHER, klass="west-3-1")
    colleague = await world.login(session, UserRole.PRINCIPAL, school="east")
    cadre_login = await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    for other in (west_teacher, colleague, cadre_login):
        path = f"{USERS}/{other.user_id}"
        assert (await client.get(path, headers=headers)).status_code == 404
        assert (
            await client.patch(path, json={"is_active": False}, headers=headers)
        ).status_code == 404
        assert (await client.post(f"{path}/password-reset", headers=headers)).status_code == 404
    assert (await client.get("/api/v1/integration-clients", headers=headers)).status_code == 403


async def test_an_administrator_rebinds_a_principal_and_a_township_officer(
    client: httpx.AsyncClient, session: AsyncSession, admin: dict[str, str], world: w.World
) -> None:
    principal = await world.login(session, UserRole.PRINCIPAL, school="east")
    west = str(world.schools["west"])
    moved = await client.patch(
        f"{USERS}/{principal.user_id}", json={"schools": [west]}, headers=admin
    )
    assert moved.status_code == 200, moved.text
    assert [s["id"] for s in moved.json()["schools"]] == [west]
    officer = await world.login(session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    village = await client.patch(
        f"{USERS}/{officer.user_id}", json={"areas": [w.DONG]}, headers=admin
    )
    assert village.status_code == 422  # a township officer covers townships
    assert village.json()["errors"][0]["loc"] == ["body", "areas"]
