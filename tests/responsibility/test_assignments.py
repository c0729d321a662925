"""Who answers for a village, group, school, class or child: rules, reassignment, history."""

from datetime import date

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models.vocabulary import UserRole
from tests import world as w

URL = "/api/v1/assignments"


async def test_a_head_teacher_is_assigned_reassigned_and_the_history_kept(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    principal = await world.headers(client, session, UserRole.PRINCIPAL, school="east")
    first = await world.login(session, UserRole.TEACHER, klass="east-3-1")
    second = await world.login(session, UserRole.TEACHER, school="east")
    klass = str(world.classes["east-3-1"])
    body = {"kind": "class", "class_id": klass, "valid_from": "2026-09-01"}
    made = await client.post(URL, json={**body, "user_id": str(first.user_id)}, headers=principal)
    assert made.status_code == 201, made.text
    again = await client.post(URL, json={**body, "user_id": str(first.user_id)}, headers=principal)
    assert again.status_code == 409
    assert again.json()["existing_assignment_id"] == made.json()["id"]

    school = await client.get(f"/api/v1/schools/{world.schools['east']}", headers=principal)
    heads = {c["id"]: c["head_teacher"] for c in school.json()["classes"]}
    assert heads[klass]["id"] == str(first.user_id)

    moved = {**body, "user_id": str(second.user_id), "valid_from": "2026-11-01"}
    replaced = await client.post(URL, json=moved, headers=principal)
    assert replaced.status_code == 201, replaced.text
    every = {"klass": klass, "include_ended": "true"}
    history = await client.get(URL, params=every, headers=principal)
    spans = [(a["person"]["id"], a["valid_from"], a["valid_to"]) for a in history.json()["items"]]
    assert spans == [
        (str(second.user_id), "2026-11-01", None),
        (str(first.user_id), "2026-09-01", "2026-11-01"),
    ]
    school = await client.get(f"/api/v1/schools/{world.schools['east']}", headers=principal)
    heads = {c["id"]: c["head_teacher"] for c in school.json()["classes"]}
    assert heads[klass]["id"] == str(second.user_id)

    ended = await client.post(f"{URL}/{replaced.json()['id']}/end", json={}, headers=principal)
    assert ended.status_code == 200
    assert ended.json()["valid_to"] is not None
    twice = await client.post(f"{URL}/{replaced.json()['id']}/end", json={}, headers=principal)
    assert twice.status_code == 409
    school = await client.get(f"/api/v1/schools/{world.schools['east']}", headers=principal)
    assert {c["id"]: c["head_teacher"] for c in school.json()["classes"]}[klass] is None


async def test_each_kind_goes_to_its_role_within_both_scopes(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    township = await world.login(session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    cadre = await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    principal = await world.login(session, UserRole.PRINCIPAL, school="east")
    good = [
        {"kind": "village", "user_id": township.user_id, "area_code": w.DONG},
        {"kind": "group", "user_id": cadre.user_id, "area_code": w.DONG_GROUP},
        {"kind": "school", "user_id": principal.user_id, "school_id": world.schools["east"]},
        {"kind": "child", "user_id": principal.user_id, "child_id": world.children["dong_a"]},
    ]
    for body in good:
        made = await client.post(URL, json={k: str(v) for k, v in body.items()}, headers=county)
        assert made.status_code == 201, (body, made.text)
        assert made.json()["valid_to"] is None

    bad = [
        ({"kind": "village", "user_id": cadre.user_id, "area_code": w.DONG}, "user_id"),
        ({"kind": "village", "user_id": township.user_id, "area_code": w.EAST}, "area_code"),
        ({"kind": "group", "user_id": cadre.user_id, "area_code": w.NAN}, "area_code"),
        ({"kind": "village", "user_id": township.user_id, "area_code": w.XI}, "user_id"),
        (
            {"kind": "village", "user_id": township.user_id, "school_id": world.schools["east"]},
            "school_id",
        ),
        (
            {"kind": "school", "user_id": principal.user_id, "school_id": world.schools["west"]},
            "user_id",
        ),
        (
            {"kind": "village", "user_id": township.user_id, "area_code": w.NEIGHBOUR_VILLAGE},
            "area_code",
        ),
        (
            {
                "kind": "village",
                "user_id": township.user_id,
                "area_code": w.NAN,
                "valid_from": "2099-01-01",
            },
            "valid_from",
        ),
    ]
    for body, field in bad:
        refused = await client.post(URL, json={k: str(v) for k, v in body.items()}, headers=county)
        assert refused.status_code == 422, (body, refused.text)
        assert field in [e["loc"][-1] for e in refused.json()["errors"]], (body, refused.text)
    listed = await client.get(URL, headers=county)
    assert listed.json()["total"] == len(good)  # the refused ones left nothing behind


async def test_an_earlier_start_than_the_current_one_is_refused(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    first = await world.login(session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    second = await world.login(session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    body = {"kind": "village", "area_code": w.DONG}
    made = await client.post(
        URL,
        json={**body, "user_id": str(first.user_id), "valid_from": "2026-10-01"},
        headers=county,
    )
    assert made.status_code == 201
    early = {**body, "user_id": str(second.user_id), "valid_from": "2026-09-01"}
    refused = await client.post(URL, json=early, headers=county)
    assert refused.status_code == 422
    assert refused.json()["errors"][0]["loc"][-1] == "valid_from"
    still = await client.get(f"{URL}/{made.json()['id']}", headers=county)
    assert still.json()["valid_to"] is None
    assert date.fromisoformat(still.json()["valid_from"]) == date(2026, 10, 1)
