"""Reporting a case up tells the township and the county bureau covering the child's home; a
case handed on tells the receiving side, and its decision the one who asked. Each inbox is
counted before and after, and nobody else is told."""

from typing import Any

import httpx
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Notification
from api.models.vocabulary import UserRole
from tests import world as w
from tests.cases.test_cases import URL, act, report
from tests.cases.test_escalations import MANUAL, inbox
from tests.cases.test_return_plans import headers_of
from tests.factories import Login, make_user


async def counts(client: httpx.AsyncClient, people: dict[str, Login]) -> dict[str, int]:
    """Each person's inbox, counted through GET /notifications as them."""
    return {
        name: (await inbox(client, await headers_of(client, login)))["total"]
        for name, login in people.items()
    }


async def stored(session: AsyncSession) -> int:
    """Every notification of everyone, to see that nobody outside was told."""
    return (await session.exec(select(func.count()).select_from(Notification))).one()


async def kinds(client: httpx.AsyncClient, login: Login) -> list[tuple[str, str, str]]:
    page = await inbox(client, await headers_of(client, login))
    return [(n["kind"], n["case_id"], n["title"]) for n in page["items"]]


async def test_reporting_up_tells_the_township_and_the_county_bureau_covering_the_child(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    people = {
        "east_township": await world.login(session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST),
        "dong_township": await world.login(session, UserRole.TOWNSHIP_OFFICER, area_code=w.DONG),
        "county": await world.login(session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY),
        # Not theirs: another township, the next county, a village cadre, the school's teacher.
        "west_township": await world.login(session, UserRole.TOWNSHIP_OFFICER, area_code=w.WEST),
        "next_county": await world.login(session, UserRole.COUNTY_ADMIN, area_code=w.NEIGHBOUR),
        "cadre": await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.DONG),
        "teacher": await world.login(session, UserRole.TEACHER, klass="east-3-1"),
    }
    # A disabled officer of 东镇 is told nothing.
    await make_user(session, role=UserRole.TOWNSHIP_OFFICER, area_code=w.EAST, is_active=False)
    principal = await world.login(session, UserRole.PRINCIPAL, school="east")
    people["principal"] = principal
    school = await headers_of(client, principal)
    case = await report(client, school, world.children["dong_a"], **MANUAL)
    before, all_before = await counts(client, people), await stored(session)
    assert before == dict.fromkeys(people, 0)

    reported = await act(client, school, case, "report_upward")
    assert reported.status_code == 200, reported.text
    answer = reported.json()
    assert answer["deadlines"]["county"]["state"] == "met"  # the existing fields, as they were
    told = {"east_township", "dong_township", "county"}
    assert sorted(n["user_id"] for n in answer["notified"]) == sorted(
        str(people[name].user_id) for name in told
    )
    assert {n["role"] for n in answer["notified"]} == {"township_officer", "county_admin"}
    assert all(n["display_name"] for n in answer["notified"])
    after = await counts(client, people)
    assert after == {name: before[name] + (name in told) for name in people}
    assert await stored(session) == all_before + len(told)  # nobody outside
    assert await kinds(client, people["county"]) == [
        ("reported_up", case["id"], "张小明：学校已上报辍学个案")
    ]

    # Reported once: a second report up is refused and tells nobody again.
    twice = await act(client, school, case, "report_upward")
    assert twice.status_code == 409
    assert await counts(client, people) == after
    assert await stored(session) == all_before + len(told)

    # Another action tells nobody, and says so.
    verified = await act(client, school, case, "verify")
    assert verified.status_code == 200, verified.text
    assert verified.json()["notified"] == []
    assert await stored(session) == all_before + len(told)


async def test_the_county_recording_a_report_up_is_not_told_of_its_own(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    county = await world.login(session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    township = await world.login(session, UserRole.TOWNSHIP_OFFICER, area_code=w.WEST)
    bureau = await headers_of(client, county)
    case = await report(client, bureau, world.children["xi_a"], **MANUAL)
    reported = await act(client, bureau, case, "report_upward")
    assert reported.status_code == 200, reported.text
    assert [n["user_id"] for n in reported.json()["notified"]] == [str(township.user_id)]
    assert await counts(client, {"county": county, "township": township}) == {
        "county": 0,
        "township": 1,
    }


async def test_a_case_handed_to_a_township_tells_it_and_its_decision_tells_the_sender(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    people = {
        "sender": await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.DONG),
        "west_township": await world.login(session, UserRole.TOWNSHIP_OFFICER, area_code=w.WEST),
        "xi_township": await world.login(session, UserRole.TOWNSHIP_OFFICER, area_code=w.XI),
        # Not the receiving side: the sending township, a village cadre of 西村, a principal.
        "east_township": await world.login(session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST),
        "xi_cadre": await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.XI),
        "west_principal": await world.login(session, UserRole.PRINCIPAL, school="west"),
    }
    sending = await headers_of(client, people["sender"])
    case = await report(client, sending, world.children["dong_a"], **MANUAL)
    url = f"{URL}/{case['id']}/transfers"
    before, all_before = await counts(client, people), await stored(session)

    handed = await client.post(url, json={"to_area_code": w.XI, "note": "全家迁往西村"},
                               headers=sending)  # fmt: skip
    assert handed.status_code == 201, handed.text
    (transfer,) = handed.json()["transfers"]
    told = {"west_township", "xi_township"}
    requested = await counts(client, people)
    assert requested == {name: before[name] + (name in told) for name in people}
    assert await stored(session) == all_before + 2
    (note,) = (await inbox(client, await headers_of(client, people["xi_township"])))["items"]
    assert (note["kind"], note["case_id"]) == ("transfer_requested", case["id"])
    assert note["body"].endswith("说明：全家迁往西村")

    # A second request while one is pending is refused, and tells nobody.
    again = await client.post(url, json={"to_area_code": w.XI}, headers=sending)
    assert again.status_code == 409
    assert await counts(client, people) == requested

    receiving = await headers_of(client, people["west_township"])
    taken = await client.post(f"{url}/{transfer['id']}/accept", json={}, headers=receiving)
    assert taken.status_code == 200, taken.text
    accepted = await counts(client, people)
    assert accepted == {name: requested[name] + (name == "sender") for name in people}
    assert await stored(session) == all_before + 3
    assert (await kinds(client, people["sender"]))[0][:2] == ("transfer_accepted", case["id"])
    twice = await client.post(f"{url}/{transfer['id']}/decline", json={}, headers=receiving)
    assert twice.status_code == 409
    assert await counts(client, people) == accepted


async def test_a_case_handed_to_a_school_tells_its_principal_and_a_refusal_the_sender(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    people: dict[str, Login] = {
        "sender": await world.login(session, UserRole.PRINCIPAL, school="east"),
        "west_principal": await world.login(session, UserRole.PRINCIPAL, school="west"),
        # Not the receiving side: the west school's teacher, its township, another principal.
        "west_teacher": await world.login(session, UserRole.TEACHER, klass="west-3-1"),
        "west_township": await world.login(session, UserRole.TOWNSHIP_OFFICER, area_code=w.WEST),
        "other_principal": await world.login(session, UserRole.PRINCIPAL, school="neighbour"),
    }
    east = await headers_of(client, people["sender"])
    case = await report(client, east, world.children["dong_a"])
    url = f"{URL}/{case['id']}/transfers"
    to_west = {"to_school_id": str(world.schools["west"])}
    before, all_before = await counts(client, people), await stored(session)

    handed = await client.post(url, json=to_west, headers=east)
    assert handed.status_code == 201, handed.text
    transfer: dict[str, Any] = handed.json()["transfers"][0]
    requested = await counts(client, people)
    assert requested == {name: before[name] + (name == "west_principal") for name in people}
    assert await stored(session) == all_before + 1

    west = await headers_of(client, people["west_principal"])
    refused = await client.post(f"{url}/{transfer['id']}/decline",
                                json={"note": "该生未到我校报到"}, headers=west)  # fmt: skip
    assert refused.status_code == 200, refused.text
    declined = await counts(client, people)
    assert declined == {name: requested[name] + (name == "sender") for name in people}
    assert await stored(session) == all_before + 2
    (kind, case_id, title), *_ = await kinds(client, people["sender"])
    assert (kind, case_id, title) == ("transfer_declined", case["id"], "张小明：移交的个案被退回")

    # Handed again: a new transfer, told again, once.
    second = await client.post(url, json=to_west, headers=east)
    assert second.status_code == 201, second.text
    assert (await counts(client, people))["west_principal"] == requested["west_principal"] + 1
    assert await stored(session) == all_before + 3
