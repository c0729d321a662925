"""Filters a county clerk combines, and orders that hold still across pages."""

from datetime import date

import httpx
import pytest
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Child, Household
from api.models.vocabulary import UserRole
from api.settings import Settings
from tests import world as w


@pytest.fixture
async def world(session: AsyncSession, settings: Settings) -> w.World:
    world = await w.build(session, settings)
    dong_b = await session.get(Child, world.children["dong_b"])
    nan_a = await session.get(Child, world.children["nan_a"])
    home = await session.get(Household, world.households["dong_a"])
    assert dong_b is not None
    assert nan_a is not None
    assert home is not None
    dong_b.left_behind, dong_b.disability_kind, dong_b.is_orphan = 2, "听力残疾", True
    nan_a.birth_date = date(2008, 5, 1)  # past compulsory age
    nan_a.id_number = None
    home.is_poverty_registered = True
    session.add_all([dong_b, nan_a, home])
    await session.commit()
    return world


@pytest.fixture
async def headers(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> dict[str, str]:
    return await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)


async def names(
    client: httpx.AsyncClient, headers: dict[str, str], **params: str | int
) -> list[str]:
    response = await client.get("/api/v1/children", params=params, headers=headers)
    assert response.status_code == 200, response.text
    return [c["name"] for c in response.json()["items"]]


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"left_behind": 2}, {"李小红"}),
        ({"has_disability": "true"}, {"李小红"}),
        ({"has_disability": "false"}, {"张小明", "王小刚", "赵小丽"}),
        ({"is_orphan": "true"}, {"李小红"}),
        ({"poverty_registered": "true"}, {"张小明"}),
        ({"compulsory_age": "false"}, {"王小刚"}),
        ({"compulsory_age": "true", "area": w.EAST}, {"张小明", "李小红"}),
        ({"grade": 3, "school": "east"}, {"张小明", "李小红", "王小刚"}),
        ({"grade": 4}, set()),
    ],
)
async def test_filters(
    client: httpx.AsyncClient,
    world: w.World,
    headers: dict[str, str],
    params: dict[str, str | int],
    expected: set[str],
) -> None:
    if params.get("school") == "east":
        params = {**params, "school": str(world.schools["east"])}
    assert set(await names(client, headers, **params)) == expected


async def test_sorting_is_stable_and_bad_values_are_named(
    client: httpx.AsyncClient, headers: dict[str, str]
) -> None:
    oldest_first = await names(client, headers, sort="birth_date")
    assert oldest_first[0] == "王小刚"
    assert await names(client, headers, sort="-birth_date") == list(reversed(oldest_first))
    for params, field in (({"sort": "age"}, "sort"), ({"left_behind": 5}, "left_behind"),
                          ({"grade": 10}, "grade")):  # fmt: skip
        response = await client.get("/api/v1/children", params=params, headers=headers)
        assert response.status_code == 422
        assert response.json()["errors"][0]["loc"][:2] == ["query", field]
