"""The audit log: who may read it, its filters, and that nothing can change or delete it."""

import httpx
import pytest
from sqlalchemy import delete, func, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import AuditEvent
from api.models.vocabulary import AuditAction, UserRole
from api.services.core import audit
from tests.factories import bearer, make_user, token_for


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
