"""The audit log: who may read it, its filters, that nothing can change or delete it, and that
it keeps personal identifiers masked with a digest, never in full."""

import json
import re
from datetime import date
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, func, text, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import AuditEvent
from api.models.vocabulary import AuditAction, UserRole
from api.services.core import audit
from api.services.registry import id_number
from api.settings import Settings
from tests import world as w
from tests.factories import bearer, make_user, token_for

BORN = date(2017, 3, 1)
NUMBER = id_number.make(area_code="510821", birth_date=BORN, sequence=123)
NEW_NUMBER = id_number.make(area_code="510821", birth_date=BORN, sequence=125)
GUARDIAN_NUMBER = id_number.make(area_code="510821", birth_date=date(1958, 6, 1), sequence=124)
PHONE, NEW_PHONE, GUARDIAN_PHONE = "13800001234", "13811111234", "13700001111"
FULL_VALUES = (NUMBER, NEW_NUMBER, GUARDIAN_NUMBER, PHONE, NEW_PHONE, GUARDIAN_PHONE)
KEPT = re.compile(r"(?P<masked>[^#]+)#(?P<digest>[0-9a-f]{12})")


async def test_county_admins_and_supervisors_read_it_others_may_not(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    for role, status in [
        (UserRole.COUNTY_ADMIN, 200),
        (UserRole.SUPERVISOR, 200),
        (UserRole.TOWNSHIP_OFFICER, 403),
        (UserRole.VILLAGE_CADRE, 403),
        (UserRole.PRINCIPAL, 403),
        (UserRole.TEACHER, 403),
    ]:
        issued = await token_for(client, await make_user(session, role=role))
        response = await client.get("/api/v1/audit-events", headers=bearer(issued["access_token"]))
        assert response.status_code == status, role


async def test_filters_and_pages(client: httpx.AsyncClient, session: AsyncSession) -> None:
    admin = await make_user(session, role=UserRole.COUNTY_ADMIN)
    await client.post("/api/v1/auth/token", data={"username": "ghost", "password": "x"})
    headers = bearer((await token_for(client, admin))["access_token"])
    failed = (
        await client.get("/api/v1/audit-events", params={"action": "login_failed"}, headers=headers)
    ).json()
    assert failed["total"] == 1
    assert failed["items"][0]["actor_username"] == "ghost"
    assert failed["items"][0]["request_id"]
    assert failed["items"][0]["client_ip"] == "127.0.0.1"
    page = (await client.get("/api/v1/audit-events", params={"limit": 1}, headers=headers)).json()
    assert page["total"] == 2
    assert len(page["items"]) == 1
    assert page["items"][0]["action"] == "login_succeeded"  # newest first
    too_big = await client.get("/api/v1/audit-events", params={"limit": 5000}, headers=headers)
    assert too_big.status_code == 422
    naive = await client.get(
        "/api/v1/audit-events", params={"since": "2026-01-01T00:00:00"}, headers=headers
    )
    assert naive.status_code == 422
    assert naive.json()["errors"][0]["loc"] == ["query", "since"]


async def test_no_endpoint_changes_or_deletes_an_entry(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    headers = bearer((await token_for(client, await make_user(session)))["access_token"])
    for method in ("PUT", "PATCH", "DELETE"):
        response = await client.request(method, "/api/v1/audit-events", headers=headers)
        assert response.status_code == 405


@pytest.mark.parametrize("statement", ["update", "delete"])
async def test_the_database_itself_refuses_to_change_an_entry(
    session: AsyncSession, statement: str
) -> None:
    event = audit.record(session=session, action=AuditAction.LOGOUT, username="someone")
    await session.commit()
    query = (
        update(AuditEvent).where(col(AuditEvent.id) == event.id).values(detail="rewritten")
        if statement == "update"
        else delete(AuditEvent).where(col(AuditEvent.id) == event.id)
    )
    with pytest.raises(DBAPIError, match="append-only"):
        await session.exec(query)
    await session.rollback()
    assert (await session.exec(select(func.count()).select_from(AuditEvent))).one() == 1


def test_a_diff_lists_only_what_changed() -> None:
    assert audit.diff({"name": "王明", "grade": 3}, {"name": "王铭", "grade": 3}) == {
        "name": {"before": "王明", "after": "王铭"}
    }
    assert audit.diff(None, {"name": "李华"}) == {"name": {"before": None, "after": "李华"}}


def _kept(value: Any) -> tuple[str, str]:
    """A value as the log keeps it: (the masked value, its digest)."""
    found = KEPT.fullmatch(str(value))
    assert found, f"{value!r} is not kept masked with a digest"
    return found["masked"], found["digest"]


async def _entries(
    client: httpx.AsyncClient, headers: dict[str, str], object_id: str
) -> list[dict[str, Any]]:
    response = await client.get(
        "/api/v1/audit-events", params={"object_id": object_id}, headers=headers
    )
    assert response.status_code == 200, response.text
    for full in FULL_VALUES:
        assert full not in response.text
    return list(reversed(response.json()["items"]))  # oldest first


async def test_personal_fields_are_read_masked_with_a_digest_never_in_full(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    admin = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    supervisor = await world.headers(client, session, UserRole.SUPERVISOR, area_code=w.COUNTY)
    household = await client.post(
        "/api/v1/households",
        json={
            "area_code": w.DONG_GROUP,
            "address": "东村一组8号",
            "head_name": "张大山",
            "phone": PHONE,
        },
        headers=admin,
    )
    assert household.status_code == 201, household.text
    child = await client.post(
        "/api/v1/children",
        json={
            "household_id": household.json()["id"],
            "name": "张小虎",
            "sex": "male",
            "birth_date": BORN.isoformat(),
            "id_number": NUMBER,
            "guardians": [
                {
                    "name": "张奶奶",
                    "relation": "grandmother",
                    "phone": GUARDIAN_PHONE,
                    "id_number": GUARDIAN_NUMBER,
                    "is_primary": True,
                }
            ],
        },
        headers=admin,
    )
    assert child.status_code == 201, child.text
    child_id, household_id = child.json()["id"], household.json()["id"]
    changed = await client.patch(
        f"/api/v1/children/{child_id}",
        json={"id_number": NEW_NUMBER, "left_behind": 1},
        headers={**admin, "If-Match": '"1"'},
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["id_number"] == NEW_NUMBER  # the record itself keeps it in full
    moved = await client.patch(
        f"/api/v1/households/{household_id}",
        json={"phone": NEW_PHONE, "address": "东村一组9号"},
        headers={**admin, "If-Match": '"1"'},
    )
    assert moved.status_code == 200, moved.text

    for headers in (supervisor, admin):
        created, updated = await _entries(client, headers, child_id)
        assert (created["action"], updated["action"]) == ("create", "update")
        masked, registered = _kept(created["changes"]["id_number"]["after"])
        assert masked == "510821********" + NUMBER[-4:]
        before, after = (_kept(updated["changes"]["id_number"][at]) for at in ("before", "after"))
        assert before == (masked, registered)  # the same number: the same digest
        assert after[0] == "510821********" + NEW_NUMBER[-4:]
        assert after[1] != registered  # changed: another digest
        assert updated["changes"]["left_behind"] == {"before": 0, "after": 1}
        assert created["changes"]["name"]["after"] == "张小虎"  # names are kept as written

        made, edited = await _entries(client, headers, household_id)
        phone_masked, phone_digest = _kept(made["changes"]["phone"]["after"])
        assert phone_masked == "138****1234"
        old, new = (_kept(edited["changes"]["phone"][at]) for at in ("before", "after"))
        assert old == (phone_masked, phone_digest)
        assert new[0] == "138****1234"  # masked alike, yet not the same number:
        assert new[1] != phone_digest  # the digest tells them apart

    rows = (await session.exec(text("SELECT changes, detail FROM audit_event"))).all()  # type: ignore[call-overload]
    raw = json.dumps([[row[0], row[1]] for row in rows], ensure_ascii=False)
    assert NEW_NUMBER[-4:] in raw
    for full in FULL_VALUES:
        assert full not in raw


async def test_bad_filters_stay_problems(client: httpx.AsyncClient, session: AsyncSession) -> None:
    headers = bearer((await token_for(client, await make_user(session)))["access_token"])
    for params in ({"object_id": "x" * 65}, {"actor_id": "not-a-uuid"}, {"action": "peek"}):
        response = await client.get("/api/v1/audit-events", params=params, headers=headers)
        assert response.status_code == 422, params
        assert response.headers["content-type"] == "application/problem+json"


def test_personal_fields_are_masked_at_any_depth_and_once() -> None:
    key = audit.digest_key("a signing key")
    other = audit.digest_key("another signing key")
    changes = {
        "phone": {"before": None, "after": PHONE},
        "guardians": [{"id_number": GUARDIAN_NUMBER, "guardian_phone": GUARDIAN_PHONE}],
        "student_number": {"after": "G" + NUMBER},
        "name": {"after": "张小虎"},
        "escalated": {"after": 3},
    }
    kept = audit.protected(changes, key=key)
    assert kept["phone"] == {"before": None, "after": f"138****1234#{audit.digest(PHONE, key=key)}"}
    assert _kept(kept["guardians"][0]["id_number"])[0] == "510821********" + GUARDIAN_NUMBER[-4:]
    assert _kept(kept["guardians"][0]["guardian_phone"])[0] == "137****1111"
    assert _kept(kept["student_number"]["after"])[0] == "G510821********" + NUMBER[-4:]
    assert kept["name"] == {"after": "张小虎"}
    assert kept["escalated"] == {"after": 3}
    assert audit.protected(kept, key=key) == kept  # kept once: never masked twice
    assert audit.digest(PHONE, key=key) != audit.digest(PHONE, key=other)
    assert audit.digest(PHONE, key=key) != audit.digest(NEW_PHONE, key=key)


async def test_a_json_detail_is_kept_as_a_diff_is(
    session: AsyncSession, settings: Settings
) -> None:
    event = audit.record(
        session=session,
        action=AuditAction.UPDATE,
        username="someone",
        detail=json.dumps({"mobile": PHONE, "count": 2}),
    )
    await session.commit()
    assert event.detail is not None
    kept = json.loads(event.detail)
    assert kept["count"] == 2
    assert (
        kept["mobile"]
        == f"138****1234#{audit.digest(PHONE, key=audit.digest_key(settings.signing_key()))}"
    )
