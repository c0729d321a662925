"""Registering children and households: the clerk's rules, idempotent creates, If-Match, removal."""

from datetime import date, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import AuditEvent, Child, Guardian, Household
from api.models.vocabulary import AuditAction, UserRole
from api.services.core import school_age
from api.services.registry import id_number
from api.settings import Settings
from tests import world as w
from tests.factories import bearer, token_for

CHILDREN, HOUSEHOLDS = "/api/v1/children", "/api/v1/households"
BORN = date(2017, 3, 1)
NUMBER = id_number.make(area_code="510821", birth_date=BORN, sequence=123)  # odd: a boy


@pytest.fixture
async def cadre(client: httpx.AsyncClient, session: AsyncSession, world: w.World) -> dict[str, str]:
    return await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)


def child(world: w.World, **overrides: Any) -> dict[str, Any]:
    return {
        "household_id": str(world.households["dong_a"]),
        "name": "张小虎",
        "sex": "male",
        "birth_date": BORN.isoformat(),
        "id_number": NUMBER,
        "left_behind": 2,
        "guardians": [
            {
                "name": "张奶奶",
                "relation": "grandmother",
                "phone": "13700001111",
                "is_primary": True,
            }
        ],
        **overrides,
    }


async def count(session: AsyncSession, model: type[Child] | type[Household]) -> int:
    return (await session.exec(select(func.count()).select_from(model))).one()


async def test_a_child_is_registered_with_school_age_computed(
    client: httpx.AsyncClient,
    session: AsyncSession,
    settings: Settings,
    world: w.World,
    cadre: dict[str, str],
) -> None:
    response = await client.post(CHILDREN, json=child(world), headers=cadre)
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"{CHILDREN}/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert body["id_number"] == NUMBER
    assert body["masked"] is False
    assert body["area_code"] == w.DONG_GROUP  # the household's
    today = school_age.local_today(settings)
    assert body["age"] == school_age.full_years(BORN, today)
    assert body["expected_grade"] == school_age.expected_grade(
        BORN, school_age.school_year_of(today, settings), settings
    )
    assert body["is_compulsory_age"] is True
    assert body["guardians"][0]["name"] == "张奶奶"
    assert body["left_behind"] == 2
    found = await client.get(CHILDREN, params={"q": "zxh"}, headers=cadre)
    assert [c["name"] for c in found.json()["items"]] == ["张小虎"]
    [entry] = (
        await session.exec(select(AuditEvent).where(col(AuditEvent.action) == AuditAction.CREATE))
    ).all()
    assert entry.object_id == body["id"]
    assert entry.changes is not None
    # kept masked, with a digest: never the number in full (tests/access/test_audit.py)
    assert entry.changes["id_number"]["before"] is None
    assert entry.changes["id_number"]["after"].startswith("510821********" + NUMBER[-4:] + "#")


@pytest.mark.parametrize(
    ("overrides", "loc"),
    [
        ({"id_number": NUMBER[:-1] + ("0" if NUMBER[-1] != "0" else "1")}, ["body", "id_number"]),
        ({"id_number": "51082120170399123X"}, ["body", "id_number"]),  # 31 March? no: 99th day
        ({"birth_date": "2017-03-02"}, ["body", "id_number"]),  # disagrees with the number
        ({"sex": "female"}, ["body", "id_number"]),  # the number says boy
        ({"id_number": "510821170301123"}, ["body", "id_number"]),  # old form: born 1917
        ({"id_number": "12345"}, ["body", "id_number"]),
        (
            {"birth_date": (date.today() + timedelta(days=2)).isoformat(), "id_number": None},
            ["body", "birth_date"],
        ),
        ({"birth_date": "2001-01-01", "id_number": None}, ["body", "birth_date"]),
        ({"disability_grade": 2}, ["body", "disability_grade"]),
        ({"placement": "special_school"}, ["body", "placement"]),
        ({"disability_grade": 7}, ["body", "disability_grade"]),
        ({"left_behind": 3}, ["body", "left_behind"]),
        ({"sex": "m"}, ["body", "sex"]),
        ({"name": " "}, ["body", "name"]),
        ({"guardians": [{"relation": "father"}]}, ["body", "guardians", 0, "name"]),
        (
            {"guardians": [{"name": "张爸", "relation": "father", "phone": "1370000111"}]},
            ["body", "guardians", 0, "phone"],
        ),
        (
            {"guardians": [{"name": "张爸", "relation": "uncle"}]},
            ["body", "guardians", 0, "relation"],
        ),
        ({"household_id": "00000000-0000-4000-8000-000000000000"}, ["body", "household_id"]),
    ],
)
async def test_each_rule_refuses_naming_the_field_and_stores_nothing(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    cadre: dict[str, str],
    overrides: dict[str, Any],
    loc: list[object],
) -> None:
    before = await count(session, Child)
    response = await client.post(CHILDREN, json=child(world, **overrides), headers=cadre)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert next(e["loc"][: len(loc)] for e in errors) == loc, errors
    assert all(e["msg"] for e in errors)
    assert await count(session, Child) == before


async def test_a_household_of_another_village_is_not_yours_to_add_to(
    client: httpx.AsyncClient, world: w.World, cadre: dict[str, str]
) -> None:
    body = child(world, household_id=str(world.households["xi_a"]))
    response = await client.post(CHILDREN, json=body, headers=cadre)
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"] == ["body", "household_id"]


async def test_all_faults_of_a_form_come_at_once(
    client: httpx.AsyncClient, world: w.World, cadre: dict[str, str]
) -> None:
    body = child(world, sex="female", disability_grade=2, placement="awaiting")
    response = await client.post(CHILDREN, json=body, headers=cadre)
    fields = {e["loc"][1] for e in response.json()["errors"]}
    assert fields == {"id_number", "disability_grade", "placement"}


async def test_an_id_number_already_registered_is_a_409_pointing_at_the_child(
    client: httpx.AsyncClient, world: w.World, cadre: dict[str, str]
) -> None:
    taken = world.id_numbers["xi_a"]  # registered in another village
    facts = id_number.parse(taken)
    body = child(world, id_number=taken, birth_date=facts.birth_date.isoformat(), sex="male")
    response = await client.post(CHILDREN, json=body, headers=cadre)
    assert response.status_code == 409
    assert response.json()["existing_child_id"] == str(world.children["xi_a"])


async def test_an_idempotent_create_answers_a_repeat_with_the_first_answer(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, cadre: dict[str, str]
) -> None:
    headers = {**cadre, "Idempotency-Key": "visit-2026-11-23-0001"}
    first = await client.post(CHILDREN, json=child(world), headers=headers)
    again = await client.post(CHILDREN, json=child(world), headers=headers)
    assert first.status_code == again.status_code == 201
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert (await session.exec(select(func.count()).where(col(Child.name) == "张小虎"))).one() == 1
    other = await client.post(CHILDREN, json=child(world, name="张小龙"), headers=headers)
    assert other.status_code == 422
    assert other.json()["errors"][0]["loc"] == ["header", "Idempotency-Key"]
    # A refused write takes its key with it: the corrected form may be sent under the same key.
    fresh = {**cadre, "Idempotency-Key": "visit-2026-11-23-0002"}
    bad = await client.post(
        CHILDREN, json=child(world, sex="female", id_number=None, name="甲"), headers=fresh
    )
    assert bad.status_code == 201  # no number: nothing to disagree with


async def test_a_refused_create_leaves_its_key_free(
    client: httpx.AsyncClient, world: w.World, cadre: dict[str, str]
) -> None:
    headers = {**cadre, "Idempotency-Key": "form-7"}
    refused = await client.post(CHILDREN, json=child(world, sex="female"), headers=headers)
    assert refused.status_code == 422
    fixed = await client.post(CHILDREN, json=child(world), headers=headers)
    assert fixed.status_code == 201
    assert "idempotent-replayed" not in fixed.headers


async def test_a_phone_made_id_is_kept_and_not_taken_twice(
    client: httpx.AsyncClient, world: w.World, cadre: dict[str, str]
) -> None:
    made = "3f0c5d1e-8a4b-4c2d-9e6f-7a8b9c0d1e2f"
    first = await client.post(CHILDREN, json=child(world, id=made), headers=cadre)
    assert first.json()["id"] == made
    again = await client.post(CHILDREN, json=child(world, id=made, id_number=None), headers=cadre)
    assert again.status_code == 409
    assert again.json()["existing_child_id"] == made


async def test_updates_check_the_version_read(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, cadre: dict[str, str]
) -> None:
    url = f"{CHILDREN}/{world.children['dong_a']}"
    read = await client.get(url, headers=cadre)
    assert read.headers["etag"] == '"1"'
    changed = await client.patch(
        url, json={"name": "张晓明", "disability_kind": "视力残疾", "disability_grade": 3},
        headers={**cadre, "If-Match": read.headers["etag"]},
    )  # fmt: skip
    assert changed.status_code == 200, changed.text
    assert changed.headers["etag"] == '"2"'
    assert changed.json()["has_disability"] is True
    stale = await client.patch(
        url, json={"registered_address": "东村"}, headers={**cadre, "If-Match": '"1"'}
    )
    assert stale.status_code == 412
    assert stale.json()["current_version"] == 2
    weak = await client.patch(
        url, json={"registered_address": "东村"}, headers={**cadre, "If-Match": 'W/"2"'}
    )
    assert weak.status_code == 412
    assert (await client.get(url, headers=cadre)).json()["registered_address"] is None
    found = await client.get(CHILDREN, params={"q": "zxm"}, headers=cadre)
    assert [c["name"] for c in found.json()["items"]] == ["张晓明"]  # pinyin follows the name
    [entry] = (
        await session.exec(select(AuditEvent).where(col(AuditEvent.action) == AuditAction.UPDATE))
    ).all()
    assert entry.changes is not None
    assert entry.changes["name"] == {"before": "张小明", "after": "张晓明"}
    assert entry.changes["disability_grade"] == {"before": None, "after": 3}
    assert "version" not in entry.changes


async def test_updates_keep_the_record_consistent(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, cadre: dict[str, str]
) -> None:
    url = f"{CHILDREN}/{world.children['dong_a']}"
    for body, field in (
        ({"name": None}, "name"),
        ({"birth_date": "2016-01-01"}, "id_number"),  # the number on record disagrees
        ({"sex": "female"}, "id_number"),
        ({"id_number": world.id_numbers["dong_b"]}, "id_number"),
        ({"disability_grade": 1}, "disability_grade"),
    ):
        response = await client.patch(url, json=body, headers=cadre)
        assert response.status_code == 422, (body, response.text)
        assert response.json()["errors"][0]["loc"][1] == field
    moved = await client.patch(
        url, json={"household_id": str(world.households["dong_b"])}, headers=cadre
    )
    assert moved.json()["household"]["id"] == str(world.households["dong_b"])
    assert moved.json()["area_code"] == w.DONG
    assert (await session.exec(select(AuditEvent.id))).all()  # audited, checked in audit_check


async def test_a_removal_keeps_the_record_with_its_reason(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, cadre: dict[str, str]
) -> None:
    url = f"{CHILDREN}/{world.children['dong_b']}"
    assert (await client.delete(url, headers=cadre)).status_code == 422  # no reason given
    removed = await client.delete(url, params={"reason": "重复登记"}, headers=cadre)
    assert removed.status_code == 204
    assert (await client.get(url, headers=cadre)).status_code == 404
    listed = await client.get(CHILDREN, headers=cadre)
    assert [c["name"] for c in listed.json()["items"]] == ["张小明"]
    kept = await session.get(Child, world.children["dong_b"])
    assert kept is not None
    assert kept.removed_reason == "重复登记"
    [entry] = (
        await session.exec(select(AuditEvent).where(col(AuditEvent.action) == AuditAction.REMOVE))
    ).all()
    assert entry.changes is not None
    assert entry.changes["removed_reason"] == {"before": None, "after": "重复登记"}


async def test_households_are_registered_in_ones_own_villages(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, cadre: dict[str, str]
) -> None:
    def household(**overrides: Any) -> dict[str, Any]:
        return {"area_code": w.DONG_GROUP, "address": "东村一组8号", "head_name": "刘大明",
                "phone": "13911112222", "is_poverty_registered": True, **overrides}  # fmt: skip

    before = await count(session, Household)
    for overrides, field in (
        ({"area_code": w.XI}, "area_code"),  # another township's village
        ({"area_code": w.EAST}, "area_code"),  # a township, not a village
        ({"area_code": "519901001009"}, "area_code"),  # no such village
        ({"area_code": "5199"}, "area_code"),
        ({"phone": "0839-1234567"}, "phone"),
        ({"address": ""}, "address"),
    ):
        response = await client.post(HOUSEHOLDS, json=household(**overrides), headers=cadre)
        assert response.status_code == 422, (overrides, response.text)
        assert response.json()["errors"][0]["loc"][:2] == ["body", field]
    assert await count(session, Household) == before
    created = await client.post(HOUSEHOLDS, json=household(), headers=cadre)
    assert created.status_code == 201, created.text
    assert created.json()["is_poverty_registered"] is True
    assert created.json()["phone"] == "13911112222"
    # Written as people write it: spaces, dashes, +86, a Chinese keyboard's full-width digits.
    written = await client.post(
        HOUSEHOLDS,
        json=household(address="东村一组9号", phone="+86 139-1111-２２２３"),
        headers=cadre,
    )
    assert written.status_code == 201, written.text
    assert written.json()["phone"] == "13911112223"


async def test_a_household_moved_takes_its_children_along(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    login = await world.login(session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    headers = bearer((await token_for(client, login))["access_token"])
    url = f"{HOUSEHOLDS}/{world.households['dong_a']}"
    moved = await client.patch(url, json={"area_code": w.NAN}, headers=headers)
    assert moved.status_code == 200, moved.text
    listed = await client.get(CHILDREN, params={"area": w.NAN}, headers=headers)
    assert {c["name"] for c in listed.json()["items"]} == {"张小明", "王小刚"}
    occupied = await client.delete(url, params={"reason": "搬走"}, headers=headers)
    assert occupied.status_code == 409
    assert occupied.json()["children"] == 1
    guardians = (await session.exec(select(Guardian))).all()
    assert guardians  # untouched
