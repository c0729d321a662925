"""考核: the figures of each unit and each responsible person, from assignments and cases."""

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models.vocabulary import UserRole
from api.services.core import school_age
from api.settings import Settings
from tests import world as w

UNITS = "/api/v1/responsibility/accountability/units"
PEOPLE = "/api/v1/responsibility/accountability/people"


def figures(children: int, open_: int, missed: int, returned: int, staying: int) -> dict[str, int]:
    return {"children_covered": children, "open_cases": open_, "deadlines_missed": missed,
            "returned": returned, "still_in_school": staying}  # fmt: skip


async def test_each_unit_and_person_is_counted_from_its_children_and_their_cases(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, settings: Settings
) -> None:
    today = school_age.local_today(settings)  # the county's day, as plans are checked against
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    township = await world.login(session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    cadre = await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    principal = await world.login(session, UserRole.PRINCIPAL, school="east")
    teacher = await world.login(session, UserRole.TEACHER, school="east")
    for body in (
        {"kind": "village", "user_id": township.user_id, "area_code": w.DONG},
        {"kind": "group", "user_id": cadre.user_id, "area_code": w.DONG_GROUP},
        {"kind": "school", "user_id": principal.user_id, "school_id": world.schools["east"]},
        {"kind": "class", "user_id": teacher.user_id, "class_id": world.classes["east-3-1"]},
        {"kind": "child", "user_id": teacher.user_id, "child_id": world.children["dong_b"]},
    ):
        made = await client.post("/api/v1/assignments", json={k: str(v) for k, v in body.items()},
                                 headers=county)  # fmt: skip
        assert made.status_code == 201, made.text

    async def case(child: str, *actions: str, **extra: Any) -> None:
        made = await client.post("/api/v1/cases", json={"child_id": str(world.children[child]),
                                 **extra}, headers=county)  # fmt: skip
        assert made.status_code == 201, made.text
        url = f"/api/v1/cases/{made.json()['id']}"
        for action in actions:
            if action == "plan":  # saving the return plan is the move
                plan = {"government_person_id": str(township.user_id),
                        "school_person_id": str(teacher.user_id), "methods": ["home_visit"],
                        "target_return_on": today.isoformat()}  # fmt: skip
                moved = await client.put(f"{url}/plan", json=plan, headers=county)
            else:
                moved = await client.post(f"{url}/transitions", json={"action": action},
                                          headers=county)  # fmt: skip
            assert moved.status_code == 200, moved.text

    ten_days_ago = (datetime.now(UTC) - timedelta(days=10)).isoformat()
    await case("dong_a", noticed_at=ten_days_ago)  # open, and past 不过周 unreported
    back = ("report_upward", "verify", "plan", "persuade", "return")
    await case("dong_b", *back)  # back at school
    await case("nan_a", *back, "reopen")  # back, and gone again
    await case("xi_a")  # in 西镇: nobody above answers for it

    listed = await client.get(UNITS, headers=county)
    assert listed.status_code == 200
    by_unit = {u["kind"]: (u["unit"]["name"], u["figures"]) for u in listed.json()["items"]}
    assert by_unit == {
        "village": ("东村", figures(2, 2, 1, 1, 1)),
        "group": ("东村一组", figures(1, 1, 1, 0, 0)),
        "school": ("东镇中心小学", figures(3, 3, 1, 2, 1)),
        "class": ("三年级1班", figures(2, 2, 1, 1, 0)),
        "child": ("李小红", figures(1, 1, 0, 1, 1)),
    }
    only_classes = await client.get(UNITS, params={"kind": "class"}, headers=county)
    assert only_classes.json()["total"] == 1

    people = await client.get(PEOPLE, headers=county)
    by_person = {
        p["person"]["id"]: (p["assignments"], p["figures"]) for p in people.json()["items"]
    }
    # The teacher's class and child: dong_a, nan_a and dong_b, each once.
    assert by_person[str(teacher.user_id)] == (2, figures(3, 3, 1, 2, 1))
    assert by_person[str(cadre.user_id)] == (1, figures(1, 1, 1, 0, 0))
    assert people.json()["total"] == 4

    west = await client.get(UNITS, params={"area": w.WEST}, headers=county)
    assert west.json()["total"] == 0
    outsider = await world.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.WEST)
    assert (await client.get(UNITS, headers=outsider)).json()["total"] == 0
    assert (await client.get(PEOPLE, headers=outsider)).json()["total"] == 0
    bad = await client.get(UNITS, params={"area": "东镇"}, headers=county)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"][-1] == "area"
