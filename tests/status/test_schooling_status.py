"""Schooling status: the table of allowed changes, what each needs, late observations, history."""

from datetime import timedelta

import httpx
import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import AuditEvent, Child
from api.models.base import utcnow
from api.models.vocabulary import AuditAction, SchoolingStatus, UserRole
from api.services.status import status_rules
from tests import world as w


@pytest.fixture
async def cadre(client: httpx.AsyncClient, session: AsyncSession, world: w.World) -> dict[str, str]:
    return await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)


def url(world: w.World, key: str = "dong_a") -> str:
    return f"/api/v1/children/{world.children[key]}/status-changes"


def test_the_table_is_whole_and_final_states_are_final() -> None:
    assert set(status_rules.ALLOWED) == set(SchoolingStatus)
    for status, targets in status_rules.ALLOWED.items():
        assert status not in targets, status
    assert status_rules.ALLOWED[SchoolingStatus.DECEASED] == frozenset()
    assert status_rules.ALLOWED[SchoolingStatus.COMPLETED] == frozenset()


async def test_a_change_is_recorded_with_who_why_and_history(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, cadre: dict[str, str]
) -> None:
    first = await client.post(
        url(world), json={"to_status": "dropped_out", "reason": "外出务工"}, headers=cadre
    )
    assert first.status_code == 201, first.text
    assert first.json()["from_status"] == "enrolled_in_county"
    back = await client.post(
        url(world),
        json={"to_status": "enrolled_outside_county", "evidence": "广东省东莞市某小学接收函"},
        headers={**cadre, "If-Match": '"2"'},
    )
    assert back.status_code == 201, back.text
    history = (await client.get(url(world), headers=cadre)).json()
    assert [h["to_status"] for h in history["items"]] == ["enrolled_outside_county", "dropped_out"]
    assert history["items"][0]["evidence"] == "广东省东莞市某小学接收函"
    child = (await client.get(f"/api/v1/children/{world.children['dong_a']}", headers=cadre)).json()
    assert child["schooling_status"] == "enrolled_outside_county"
    assert child["version"] == 3
    updates = (
        await session.exec(
            select(AuditEvent)
            .where(col(AuditEvent.action) == AuditAction.UPDATE)
            .order_by(col(AuditEvent.occurred_at))  # a heap has no order of its own
        )
    ).all()
    assert [u.changes["schooling_status"]["after"] for u in updates if u.changes] == [
        "dropped_out",
        "enrolled_outside_county",
    ]


async def test_a_change_the_table_does_not_allow_is_a_409_listing_the_allowed(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, cadre: dict[str, str]
) -> None:
    child = await session.get(Child, world.children["dong_a"])
    assert child is not None
    child.schooling_status = SchoolingStatus.COMPLETED
    session.add(child)
    await session.commit()
    refused = await client.post(url(world), json={"to_status": "dropped_out"}, headers=cadre)
    assert refused.status_code == 409
    assert refused.json()["allowed"] == []
    same = await client.post(
        url(world, "dong_b"), json={"to_status": "enrolled_in_county"}, headers=cadre
    )
    assert same.status_code == 409
    assert "dropped_out" in same.json()["allowed"]


async def test_what_each_change_needs(
    client: httpx.AsyncClient, world: w.World, cadre: dict[str, str]
) -> None:
    no_evidence = await client.post(url(world), json={"to_status": "deceased"}, headers=cadre)
    assert no_evidence.status_code == 422
    assert no_evidence.json()["errors"][0]["loc"] == ["body", "evidence"]
    suspension = await client.post(
        url(world), json={"to_status": "suspended", "evidence": "诊断书"}, headers=cadre
    )
    assert suspension.status_code == 409
    assert suspension.json()["needs"] == "approval"
    unknown = await client.post(url(world), json={"to_status": "on_holiday"}, headers=cadre)
    assert unknown.status_code == 422


async def test_a_late_observation_does_not_overwrite_a_newer_change(
    client: httpx.AsyncClient, world: w.World, cadre: dict[str, str]
) -> None:
    now = await client.post(url(world), json={"to_status": "dropped_out"}, headers=cadre)
    assert now.status_code == 201
    seen_yesterday = (utcnow() - timedelta(days=1)).isoformat()
    late = await client.post(
        url(world),
        json={"to_status": "enrolled_in_county", "observed_at": seen_yesterday},
        headers=cadre,
    )
    assert late.status_code == 409
    assert late.json()["schooling_status"] == "dropped_out"
    future = (utcnow() + timedelta(days=1)).isoformat()
    wrong_clock = await client.post(
        url(world), json={"to_status": "enrolled_in_county", "observed_at": future}, headers=cadre
    )
    assert wrong_clock.status_code == 422
    naive = await client.post(
        url(world),
        json={"to_status": "enrolled_in_county", "observed_at": "2026-11-23T08:00:00"},
        headers=cadre,
    )
    assert naive.status_code == 422  # a time without its zone is ambiguous


async def test_stale_versions_and_other_villages(
    client: httpx.AsyncClient, world: w.World, cadre: dict[str, str]
) -> None:
    stale = await client.post(
        url(world), json={"to_status": "dropped_out"}, headers={**cadre, "If-Match": '"7"'}
    )
    assert stale.status_code == 412
    elsewhere = await client.post(
        url(world, "xi_a"), json={"to_status": "dropped_out"}, headers=cadre
    )
    assert elsewhere.status_code == 404
    assert (await client.get(url(world, "xi_a"), headers=cadre)).status_code == 404
