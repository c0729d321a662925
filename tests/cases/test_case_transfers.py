"""A case handed on when the child moves: both sides see it until the receiving side decides;
only its acceptance changes who answers for the child."""

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Child, Household
from api.models.vocabulary import UserRole
from tests import world as w
from tests.cases.test_cases import URL, report


async def test_a_family_that_moved_takes_its_case_to_the_new_township_on_acceptance(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    sending = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    receiving = await world.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.WEST)
    case = await report(client, sending, world.children["dong_a"], source="manual",
                        days_absent=None)  # fmt: skip
    url = f"{URL}/{case['id']}"
    assert (await client.get(url, headers=receiving)).status_code == 404  # not theirs yet
    handed = await client.post(f"{url}/transfers", json={"to_area_code": w.XI,
                               "note": "全家迁往西村务工"}, headers=sending)  # fmt: skip
    assert handed.status_code == 201, handed.text
    (transfer,) = handed.json()["transfers"]
    assert (transfer["outcome"], transfer["from_area_code"]) == ("pending", w.DONG_GROUP)
    # Pending: both sides see it; only the receiving side decides.
    assert (await client.get(url, headers=receiving)).status_code == 200
    assert (await client.get(url, headers=sending)).status_code == 200
    own = await client.post(f"{url}/transfers/{transfer['id']}/accept", json={}, headers=sending)
    assert own.status_code == 403
    again = await client.post(f"{url}/transfers", json={"to_area_code": w.XI}, headers=sending)
    assert again.status_code == 409
    note = {"note": "已接收，由西村包组干部负责"}
    taken = await client.post(f"{url}/transfers/{transfer['id']}/accept", json=note,
                              headers=receiving)  # fmt: skip
    assert taken.status_code == 200, taken.text
    assert taken.json()["outcome"] == "accepted"
    child = await session.get(Child, world.children["dong_a"])
    household = await session.get(Household, world.households["dong_a"])
    assert child is not None
    assert household is not None
    await session.refresh(child)
    await session.refresh(household)
    assert (child.area_code, household.area_code) == (w.XI, w.XI)
    # Now the new township's: the old village no longer sees the child or the case.
    assert (await client.get(url, headers=sending)).status_code == 404
    xi_cadre = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.XI)
    assert (await client.get(url, headers=xi_cadre)).status_code == 200
    twice = await client.post(f"{url}/transfers/{transfer['id']}/decline", json={},
                              headers=receiving)  # fmt: skip
    assert twice.status_code == 409


async def test_a_school_that_declines_leaves_the_case_where_it_was(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    east = await world.headers(client, session, UserRole.PRINCIPAL, school="east")
    west = await world.headers(client, session, UserRole.PRINCIPAL, school="west")
    case = await report(client, east, world.children["dong_a"])
    url = f"{URL}/{case['id']}"
    to_west = {"to_school_id": str(world.schools["west"])}
    handed = await client.post(f"{url}/transfers", json=to_west, headers=east)
    assert handed.status_code == 201, handed.text
    transfer = handed.json()["transfers"][0]
    assert (await client.get(url, headers=west)).status_code == 200
    declined = await client.post(f"{url}/transfers/{transfer['id']}/decline",
                                 json={"note": "该生未到我校报到"}, headers=west)  # fmt: skip
    assert declined.status_code == 200, declined.text
    assert declined.json()["outcome"] == "declined"
    assert (await client.get(url, headers=west)).status_code == 404
    kept = (await client.get(url, headers=east)).json()
    assert kept["school_id"] == str(world.schools["east"])
    # Handed again and accepted: the new school's case.
    second = await client.post(f"{url}/transfers", json=to_west, headers=east)
    pending = next(t for t in second.json()["transfers"] if t["outcome"] == "pending")
    accepted = await client.post(f"{url}/transfers/{pending['id']}/accept", json={}, headers=west)
    assert accepted.json()["outcome"] == "accepted"
    moved = (await client.get(url, headers=west)).json()
    assert moved["school_id"] == str(world.schools["west"])


async def test_bad_transfers_are_refused_by_name(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    case = await report(client, county, world.children["dong_a"])
    url = f"{URL}/{case['id']}/transfers"
    school = str(world.schools["west"])
    for body, field in (
        ({"to_area_code": w.NAN}, "to_area_code"),  # the same township: edit the household
        ({"to_area_code": "519901002"}, "to_area_code"),  # a township, not a village
        ({"to_area_code": "519901999999"}, "to_area_code"),  # no such village
        ({}, "to_area_code"),
        ({"to_area_code": w.XI, "to_school_id": school}, "to_area_code"),
        ({"to_school_id": str(world.schools["east"])}, "to_school_id"),  # its school already
        ({"to_school_id": str(world.households["dong_a"])}, "to_school_id"),
    ):
        bad = await client.post(url, json=body, headers=county)
        assert bad.status_code == 422, (body, bad.text)
        assert bad.json()["errors"][0]["loc"][-1] == field, body
    detail = (await client.get(f"{URL}/{case['id']}", headers=county)).json()
    assert detail["transfers"] == []
