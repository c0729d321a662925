"""Registering schools and classes: codes, kinds and their grades, places, versions."""

from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import School
from tests import world as w

SCHOOLS = "/api/v1/schools"


def school(**overrides: Any) -> dict[str, Any]:
    return {"code": "2151990999", "name": "南村教学点", "kind": "teaching_point",
            "area_code": w.NAN, "grade_from": 1, "grade_to": 3, "phone": "0839-7654321",
            **overrides}  # fmt: skip


async def test_a_school_is_registered_and_opens_classes(
    client: httpx.AsyncClient, admin: dict[str, str]
) -> None:
    created = await client.post(SCHOOLS, json=school(), headers=admin)
    assert created.status_code == 201, created.text
    url = created.headers["location"]
    assert created.headers["etag"] == '"1"'
    opened = await client.post(
        f"{url}/classes", json={"school_year": 2026, "grade": 2, "number": 1}, headers=admin
    )
    assert opened.status_code == 201, opened.text
    assert opened.json()["name"] == "二年级1班"
    again = await client.post(
        f"{url}/classes", json={"school_year": 2026, "grade": 2, "number": 1}, headers=admin
    )
    assert again.status_code == 409
    too_high = await client.post(
        f"{url}/classes", json={"school_year": 2026, "grade": 5, "number": 1}, headers=admin
    )
    assert too_high.status_code == 422
    assert too_high.json()["errors"][0]["loc"] == ["body", "grade"]
    detail = await client.get(url, headers=admin)
    assert [c["name"] for c in detail.json()["classes"]] == ["二年级1班"]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"code": "215199"}, "code"),
        ({"kind": "university"}, "kind"),
        ({"kind": "junior_middle"}, "grade_from"),  # a junior middle school teaches 7 to 9
        ({"grade_from": 4, "grade_to": 2}, "grade_to"),
        ({"grade_to": 7}, "grade_to"),
        ({"area_code": w.COUNTY}, "area_code"),  # a county is not a place a school stands
        ({"area_code": w.NEIGHBOUR_TOWN}, "area_code"),
        ({"area_code": "519901003"}, "area_code"),
        ({"phone": "12345"}, "phone"),
        ({"name": ""}, "name"),
    ],
)
async def test_bad_schools_are_refused_naming_the_field(
    client: httpx.AsyncClient,
    session: AsyncSession,
    admin: dict[str, str],
    overrides: dict[str, Any],
    field: str,
) -> None:
    before = (await session.exec(select(func.count()).select_from(School))).one()
    response = await client.post(SCHOOLS, json=school(**overrides), headers=admin)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"][:2] == ["body", field]
    assert (await session.exec(select(func.count()).select_from(School))).one() == before


async def test_a_registered_code_is_a_conflict_and_updates_need_the_current_version(
    client: httpx.AsyncClient, world: w.World, admin: dict[str, str]
) -> None:
    taken = await client.post(SCHOOLS, json=school(code="2151990101"), headers=admin)
    assert taken.status_code == 409
    assert taken.json()["existing_school_id"] == str(world.schools["east"])
    url = f"{SCHOOLS}/{world.schools['east']}"
    renamed = await client.patch(
        url, json={"name": "东镇中心学校"}, headers={**admin, "If-Match": '"1"'}
    )
    assert renamed.status_code == 200
    assert renamed.headers["etag"] == '"2"'
    stale = await client.patch(url, json={"name": "又改"}, headers={**admin, "If-Match": '"1"'})
    assert stale.status_code == 412
    shrink = await client.patch(url, json={"grade_to": 9}, headers=admin)
    assert shrink.status_code == 422  # a primary school teaches to grade 6


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"grade_from": None, "grade_to": None}, ["grade_from", "grade_to"]),
        ({"name": None, "grade_to": None}, ["grade_to", "name"]),
        ({"grade_from": None}, ["grade_from"]),
    ],
)
async def test_a_school_update_may_not_empty_its_grades(
    client: httpx.AsyncClient,
    world: w.World,
    admin: dict[str, str],
    body: dict[str, Any],
    fields: list[str],
) -> None:
    # Found by the contract test (tests/app/test_contract.py): emptied grades were compared, a 500.
    url = f"{SCHOOLS}/{world.schools['east']}"
    refused = await client.patch(url, json={"phone": "0839-1234567", **body}, headers=admin)
    assert refused.status_code == 422, refused.text
    assert [error["loc"] for error in refused.json()["errors"]] == [
        ["body", field] for field in fields
    ]
    kept = (await client.get(url, headers=admin)).json()
    assert (kept["grade_from"], kept["grade_to"], kept["phone"]) == (1, 6, "08391234567")
