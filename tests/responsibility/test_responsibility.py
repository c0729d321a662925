"""双线控辍: one child's two lines, their gaps, history, who acts now, and an area's gaps."""

from datetime import date, timedelta
from typing import Any

import httpx
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Child
from api.models.vocabulary import SchoolingStatus, UserRole
from api.services.core import school_age
from api.services.responsibility import responsibility
from api.settings import Settings
from tests import world as w

URL = "/api/v1/children/{}/responsibility"
GAPS = "/api/v1/responsibility/gaps"


async def _assign(
    client: httpx.AsyncClient, headers: dict[str, str], **body: Any
) -> dict[str, Any]:
    made = await client.post(
        "/api/v1/assignments", json={k: str(v) for k, v in body.items()}, headers=headers
    )
    assert made.status_code == 201, made.text
    return dict(made.json())


def _steps(line: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {step["step"]: step for step in line}


async def test_a_full_chain_names_everyone_top_down_and_who_acts(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, settings: Settings
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    lead = await world.login(session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    cadre = await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    principal = await world.login(session, UserRole.PRINCIPAL, school="east")
    teacher = await world.login(session, UserRole.TEACHER, klass="east-3-1")
    await _assign(client, county, kind="village", user_id=lead.user_id, area_code=w.DONG)
    await _assign(client, county, kind="group", user_id=cadre.user_id, area_code=w.DONG_GROUP)
    await _assign(
        client, county, kind="school", user_id=principal.user_id, school_id=world.schools["east"]
    )
    await _assign(
        client, county, kind="class", user_id=teacher.user_id, class_id=world.classes["east-3-1"]
    )

    answer = await client.get(URL.format(world.children["dong_a"]), headers=county)
    assert answer.status_code == 200, answer.text
    chain = answer.json()
    assert chain["gaps"] == 0
    assert chain["tops"]["government"] == {
        "kind": "township",
        "code": w.EAST,
        "id": None,
        "name": "东镇",
    }
    assert chain["tops"]["school"]["name"] == "东镇中心小学"
    assert [s["step"] for s in chain["government"]] == [
        "village_lead",
        "group_cadre",
        "household",
        "guardian",
    ]
    assert [s["step"] for s in chain["school"]] == ["principal", "teacher", "guardian"]
    government, school = _steps(chain["government"]), _steps(chain["school"])
    assert government["village_lead"]["person"]["user_id"] == str(lead.user_id)
    assert government["village_lead"]["unit"]["code"] == w.DONG
    assert government["group_cadre"]["person"]["user_id"] == str(cadre.user_id)
    assert government["group_cadre"]["person"]["role"] == "village_cadre"
    assert government["household"]["person"]["name"] == "张大山"
    assert government["guardian"]["person"]["role"] == "father"
    # The county administrator reads personal data: the family's phone in full.
    assert government["guardian"]["person"]["phone"] == world.phones["dong_a"]
    assert school["principal"]["person"]["user_id"] == str(principal.user_id)
    assert school["teacher"]["person"]["user_id"] == str(teacher.user_id)
    assert school["teacher"]["via"] == "class"
    assert all(step["gap"] is None for step in chain["government"] + chain["school"])

    duties = chain["duties"]
    assert duties["government"]["acting"]["person"]["user_id"] == str(cadre.user_id)
    assert duties["government"]["next_above"]["person"]["user_id"] == str(lead.user_id)
    assert duties["government"]["escalate_to"]["name"] == "东镇"
    assert duties["school"]["acting"]["person"]["user_id"] == str(teacher.user_id)
    assert duties["school"]["next_above"]["person"]["user_id"] == str(principal.user_id)
    assert duties["school"]["escalate_to"] == {
        "kind": "county",
        "code": w.COUNTY,
        "id": None,
        "name": "测试县",
    }
    # The function the case workflow calls answers the same.
    same = await responsibility.duties(
        session=session, settings=settings, child_id=world.children["dong_a"]
    )
    assert same.model_dump(mode="json") == duties


async def test_gaps_show_on_each_line_with_their_reason(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    # 李小红 lives in 东村 itself (no group) and nobody is assigned anywhere.
    bare = (await client.get(URL.format(world.children["dong_b"]), headers=county)).json()
    government, school = _steps(bare["government"]), _steps(bare["school"])
    assert government["village_lead"]["person"] is None
    assert "包村" in government["village_lead"]["gap"]
    assert government["village_lead"]["unit"]["code"] == w.DONG
    assert "小组" in government["group_cadre"]["gap"]
    assert government["household"]["gap"] is None  # the family is always there
    assert "包校" in school["principal"]["gap"]
    assert "班主任" in school["teacher"]["gap"]
    assert bare["gaps"] == 4
    assert bare["duties"]["government"]["acting"] is None
    assert bare["duties"]["government"]["escalate_to"]["code"] == w.EAST
    assert bare["duties"]["school"]["acting"] is None

    # A teacher takes the child on alone (教师包学生): the teacher acts, nobody above yet.
    teacher = await world.login(session, UserRole.TEACHER, school="east")
    await _assign(
        client, county, kind="child", user_id=teacher.user_id, child_id=world.children["dong_b"]
    )
    covered = (await client.get(URL.format(world.children["dong_b"]), headers=county)).json()
    school = _steps(covered["school"])
    assert school["teacher"]["person"]["user_id"] == str(teacher.user_id)
    assert school["teacher"]["via"] == "child"
    assert covered["duties"]["school"]["acting"]["person"]["user_id"] == str(teacher.user_id)
    assert covered["duties"]["school"]["next_above"] is None
    assert covered["gaps"] == 3


async def test_a_reassignment_shows_the_new_person_and_the_old_one_on_an_earlier_day(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    first = await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    second = await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    today = date.today()
    began, moved = today - timedelta(days=60), today - timedelta(days=10)
    body = {"kind": "group", "area_code": w.DONG_GROUP}
    await _assign(client, county, **body, user_id=first.user_id, valid_from=began)
    await _assign(client, county, **body, user_id=second.user_id, valid_from=moved)
    child = world.children["dong_a"]

    now = (await client.get(URL.format(child), headers=county)).json()
    assert _steps(now["government"])["group_cadre"]["person"]["user_id"] == str(second.user_id)
    assert _steps(now["government"])["group_cadre"]["since"] == moved.isoformat()
    then = await client.get(
        URL.format(child), params={"on": (moved - timedelta(days=1)).isoformat()}, headers=county
    )
    assert then.json()["on"] == (moved - timedelta(days=1)).isoformat()
    cadre = _steps(then.json()["government"])["group_cadre"]
    assert cadre["person"]["user_id"] == str(first.user_id)
    before = await client.get(
        URL.format(child), params={"on": (began - timedelta(days=1)).isoformat()}, headers=county
    )
    assert _steps(before.json()["government"])["group_cadre"]["person"] is None


async def test_bad_requests_are_refused_and_other_areas_stay_unseen(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, settings: Settings
) -> None:
    cadre = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    child = world.children["dong_a"]
    future = (school_age.local_today(settings) + timedelta(days=1)).isoformat()
    late = await client.get(URL.format(child), params={"on": future}, headers=cadre)
    assert late.status_code == 422
    assert late.json()["errors"][0]["loc"][-1] == "on"
    garbled = await client.get(URL.format(child), params={"on": "昨天"}, headers=cadre)
    assert garbled.status_code == 422
    away = await client.get(URL.format(world.children["xi_a"]), headers=cadre)
    assert away.status_code == 404
    assert (await client.get(URL.format("not-an-id"), headers=cadre)).status_code == 422
    # A supervisor (督查) does not read personal data: the family's phones are masked.
    supervisor = await world.headers(client, session, UserRole.SUPERVISOR, area_code=w.COUNTY)
    chain = (await client.get(URL.format(child), headers=supervisor)).json()
    phone = _steps(chain["government"])["guardian"]["person"]["phone"]
    assert phone != world.phones["dong_a"]
    assert phone.startswith(world.phones["dong_a"][:3])
    assert "*" in phone


async def test_the_gap_report_lists_what_nobody_covers_and_shrinks_as_they_are_covered(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    report = (await client.get(GAPS, headers=county)).json()
    assert [v["code"] for v in report["villages"]] == [w.DONG, w.NAN, w.XI]
    assert report["villages"][0]["within"] == "东镇"
    assert [g["code"] for g in report["groups"]] == [w.DONG_GROUP]
    assert {s["name"] for s in report["schools"]} == {"东镇中心小学", "西镇小学"}
    assert len(report["classes"]) == 3
    children = report["children"]
    assert children["total"] == 4  # not 邻县's child
    assert all(c["lines_missing"] == ["government", "school"] for c in children["items"])
    assert report["counts"] == {
        "villages": 3,
        "groups": 1,
        "schools": 2,
        "classes": 3,
        "children_without_government": 4,
        "children_without_school": 4,
    }

    lead = await world.login(session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    teacher = await world.login(session, UserRole.TEACHER, klass="east-3-1")
    await _assign(client, county, kind="village", user_id=lead.user_id, area_code=w.DONG)
    await _assign(
        client, county, kind="class", user_id=teacher.user_id, class_id=world.classes["east-3-1"]
    )
    after = (await client.get(GAPS, headers=county)).json()
    assert [v["code"] for v in after["villages"]] == [w.NAN, w.XI]
    assert len(after["classes"]) == 2
    missing = {c["name"]: c["lines_missing"] for c in after["children"]["items"]}
    # 张小明 (东村一组, class 东3-1) and 李小红 (东村) are covered by 东村's lead; 王小刚 (南村)
    # only by his class's head teacher; 赵小丽 by nobody.
    assert missing == {
        "李小红": ["school"],
        "王小刚": ["government"],
        "赵小丽": ["government", "school"],
    }
    assert after["counts"]["children_without_government"] == 2
    assert after["counts"]["children_without_school"] == 2

    east = (await client.get(GAPS, params={"area": w.EAST}, headers=county)).json()
    assert [v["code"] for v in east["villages"]] == [w.NAN]
    assert {s["name"] for s in east["schools"]} == {"东镇中心小学"}
    assert {c["name"] for c in east["children"]["items"]} == {"李小红", "王小刚"}
    paged = (await client.get(GAPS, params={"limit": 1, "offset": 1}, headers=county)).json()
    assert paged["children"]["total"] == 3
    assert len(paged["children"]["items"]) == 1
    past = (await client.get(GAPS, params={"offset": 10}, headers=county)).json()
    assert past["children"]["items"] == []
    assert past["children"]["total"] == 3
    assert past["counts"]["children_without_school"] == 2
    bad = await client.get(GAPS, params={"area": "东镇"}, headers=county)
    assert bad.status_code == 422

    # A village cadre sees the gaps of their own village only.
    cadre = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.NAN)
    own = (await client.get(GAPS, headers=cadre)).json()
    assert [v["code"] for v in own["villages"]] == [w.NAN]
    assert {c["name"] for c in own["children"]["items"]} == {"王小刚"}


async def test_a_child_at_school_outside_the_county_has_no_school_line_gap_here(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    child = await session.get(Child, world.children["xi_a"])
    assert child is not None
    child.schooling_status = SchoolingStatus.ENROLLED_OUTSIDE_COUNTY
    session.add(child)
    await session.commit()
    report = (await client.get(GAPS, params={"area": w.WEST}, headers=county)).json()
    assert report["children"]["items"] == [
        {"id": str(child.id), "name": "赵小丽", "area_code": w.XI, "lines_missing": ["government"]}
    ]
    assert report["counts"]["children_without_school"] == 0
