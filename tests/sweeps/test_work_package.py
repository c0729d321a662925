"""A cadre's work package: what the groups they cover hold, whole once, then only what changed."""

import gzip
import json
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Assignment, AuditEvent, Child, Enrolment, Guardian, Household
from api.models.vocabulary import AssignmentKind, AuditAction, UserRole
from api.services.sweeps import work_package
from api.settings import Settings
from tests import world as w
from tests.factories import Login, bearer, token_for

URL = "/api/v1/work-package"


@pytest.fixture
async def world(session: AsyncSession, settings: Settings) -> w.World:
    built = await w.build(session, settings)
    await age(session, 3 * 24 * 60)
    return built


async def cadre(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, *groups: str
) -> tuple[Login, dict[str, str]]:
    """A village cadre of 东镇 covering ``groups`` (包组)."""
    login = await world.login(session, UserRole.VILLAGE_CADRE, area_code=w.EAST)
    for code in groups:
        session.add(Assignment(kind=AssignmentKind.GROUP, user_id=login.user_id, area_code=code,
                               valid_from=date.today() - timedelta(days=30)))  # fmt: skip
    await session.commit()
    return login, bearer((await token_for(client, login))["access_token"])


def ids(package: dict[str, Any]) -> set[str]:
    return {h["id"] for h in package["households"]}


async def age(session: AsyncSession, minutes: int) -> None:
    """Everything recorded so far happened ``minutes`` earlier: versions are times."""
    earlier = datetime.now(UTC) - timedelta(minutes=minutes)
    for model in (Household, Child, Guardian, Enrolment):
        await session.exec(update(model).values(updated_at=earlier))
    await session.commit()


async def test_the_groups_a_cadre_covers_whole_with_each_childs_last_known_schooling(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    login, headers = await cadre(client, session, world, w.DONG_GROUP)
    answer = await client.get(URL, headers=headers)
    assert answer.status_code == 200, answer.text
    package = answer.json()
    assert package["full"] is True
    assert package["household_ids"] is None
    assert ids(package) == {str(world.households["dong_a"])}  # 东村一组 only, not all 东镇
    assert [a["code"] for a in package["areas"]] == [w.DONG_GROUP]
    (household,) = package["households"]
    assert household["phone"] == world.phones["dong_a"]
    assert [g["name"] for g in household["guardians"]] == ["张大山"]
    # Search keys, for finding a family on the phone by pinyin or initials with no signal.
    assert household["head_name"] == "张大山"
    assert (household["head_pinyin"], household["head_initials"]) == ("zhangdashan", "zds")
    (child,) = household["children"]
    assert child["name"] == "张小明"
    assert (child["name_pinyin"], child["name_initials"]) == ("zhangxiaoming", "zxm")
    assert child["schooling_status"] == "enrolled_in_county"
    assert (child["school_name"], child["grade"], child["expected_grade"]) == ("东镇中心小学", 3, 3)
    assert child["id_number"] == world.id_numbers["dong_a"]
    assert package["masked"] is False
    assert household["last_visit"] is None
    assert child["open_case"] is None
    # A full read of identifiers is written down, once per package sent.
    read = await session.exec(
        select(AuditEvent).where(
            col(AuditEvent.actor_id) == login.user_id,
            col(AuditEvent.action) == AuditAction.READ_PERSONAL,
            col(AuditEvent.object_type) == "work_package",
        )
    )
    assert [e.object_id for e in read.all()] == [package["version"]]
    # Asked again with its ETag: nothing changed, nothing sent.
    etag = answer.headers["ETag"]
    again = await client.get(URL, headers={**headers, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["ETag"] == etag
    # A village named: all of it the caller sees; beyond the caller's areas: not found.
    village = (await client.get(URL, params={"area": w.DONG}, headers=headers)).json()
    assert ids(village) == {str(world.households[k]) for k in ("dong_a", "dong_b")}
    outside = await client.get(URL, params={"area": w.XI}, headers=headers)
    assert outside.status_code == 404, outside.text
    assert outside.headers["content-type"] == "application/problem+json"


async def test_a_second_download_sends_only_what_changed(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, headers = await cadre(client, session, world)  # no groups: the whole of 东镇
    first = (await client.get(URL, headers=headers)).json()
    assert ids(first) == {str(world.households[k]) for k in ("dong_a", "dong_b", "nan_a")}
    await age(session, 10)
    first = (await client.get(URL, headers=headers)).json()
    since = {"since": first["version"]}
    unchanged = (await client.get(URL, params=since, headers=headers)).json()
    assert unchanged["full"] is False
    assert unchanged["households"] == []
    assert set(unchanged["household_ids"]) == ids(first)
    # A change stamped a minute before the version, but committed after it was read: sent.
    await session.exec(
        update(Guardian)
        .where(col(Guardian.household_id) == world.households["nan_a"])
        .values(updated_at=datetime.fromisoformat(first["generated_at"]) - timedelta(minutes=1))
    )
    await session.commit()
    late = (await client.get(URL, params=since, headers=headers)).json()
    assert ids(late) == {str(world.households["nan_a"])}
    monkeypatch.setattr(work_package, "MARGIN", timedelta(0))
    assert (await client.get(URL, params=since, headers=headers)).json()["households"] == []
    # A visit to one household, an edit of another's child, a third household removed.
    visit = {"id": str(uuid.uuid4()), "household_id": str(world.households["dong_a"]),
             "visited_at": datetime.now(UTC).isoformat(), "outcome": "nobody_home"}  # fmt: skip
    sent = await client.post("/api/v1/visits/batch", json={"visits": [visit]}, headers=headers)
    assert sent.json()["visits"][0]["result"] == "created", sent.text
    child = world.children["dong_b"]
    edited = await client.get(f"/api/v1/children/{child}", headers=headers)
    if_match = {**headers, "If-Match": edited.headers["ETag"]}
    patched = await client.patch(f"/api/v1/children/{child}", json={"left_behind": 2},
                                 headers=if_match)  # fmt: skip
    assert patched.status_code == 200, patched.text
    await session.exec(
        update(Household)
        .where(col(Household.id) == world.households["nan_a"])
        .values(removed_at=datetime.now(UTC), removed_reason="迁出")
    )
    await session.commit()
    delta = (await client.get(URL, params=since, headers=headers)).json()
    assert delta["full"] is False
    assert delta["version"] > first["version"]
    assert ids(delta) == {str(world.households[k]) for k in ("dong_a", "dong_b")}
    by_id = {h["id"]: h for h in delta["households"]}
    assert by_id[str(world.households["dong_a"])]["last_visit"]["outcome"] == "nobody_home"
    assert by_id[str(world.households["dong_b"])]["children"][0]["left_behind"] == 2
    # The phone drops the household no longer in the package.
    assert set(delta["household_ids"]) == {str(world.households[k]) for k in ("dong_a", "dong_b")}


async def test_a_reassignment_or_an_old_version_gets_the_whole_package(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    login, headers = await cadre(client, session, world, w.DONG_GROUP)
    first = (await client.get(URL, headers=headers)).json()
    session.add(Assignment(kind=AssignmentKind.GROUP, user_id=login.user_id, area_code=w.NAN,
                           valid_from=date.today()))  # fmt: skip
    await session.commit()
    # 南村 was given to this cadre: its households are not changed, but are new to the phone.
    after = (await client.get(URL, params={"since": first["version"]}, headers=headers)).json()
    assert after["full"] is True
    assert ids(after) == {str(world.households[k]) for k in ("dong_a", "nan_a")}
    _, ticks, fingerprint = after["version"].split(".")
    stale = f"v1.{int(ticks) - 40 * 86_400 * 10**6}.{fingerprint}"
    old = (await client.get(URL, params={"since": stale}, headers=headers)).json()
    assert old["full"] is True
    assert len(old["households"]) == 2


async def test_campaigns_under_way_come_with_todays_phase(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    today = date.today()
    for name, areas, starts in (("开学摸排", [w.EAST], -3), ("西镇摸排", [w.WEST], -3),
                                ("暑期家访", [w.EAST], 100)):  # fmt: skip
        made = await client.post("/api/v1/campaigns", json={
            "name": name, "kind": "semester_survey", "areas": areas,
            "starts_on": (today + timedelta(days=starts)).isoformat(),
            "ends_on": (today + timedelta(days=starts + 27)).isoformat(),
        }, headers=county)  # fmt: skip
        assert made.status_code == 201, made.text
    _, headers = await cadre(client, session, world, w.DONG_GROUP)
    package = (await client.get(URL, headers=headers)).json()
    assert [(c["name"], c["phase"]) for c in package["campaigns"]] == [("开学摸排", "publicity")]


async def test_who_gets_a_package_and_what_they_see_of_it(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    supervisor = await world.headers(client, session, UserRole.SUPERVISOR, area_code=w.COUNTY)
    refused = await client.get(URL, headers=supervisor)
    assert refused.status_code == 403
    # A teacher's home visits (家访): the households of the class's pupils, and no others.
    teacher = await world.headers(client, session, UserRole.TEACHER, klass="east-3-1")
    package = (await client.get(URL, headers=teacher)).json()
    assert ids(package) == {str(world.households[k]) for k in ("dong_a", "nan_a")}


async def test_bad_asks_are_refused_by_name(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _, headers = await cadre(client, session, world)
    for since in ("yesterday", "v1.12.zz", "v2.1.0123456789ab"):
        bad = await client.get(URL, params={"since": since}, headers=headers)
        assert bad.status_code == 422, bad.text
        assert bad.json()["errors"][0]["loc"] == ["query", "since"]
    future = f"v1.{10**19}.0123456789ab"
    bad = await client.get(URL, params={"since": future}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["query", "since"]
    monkeypatch.setattr(work_package, "MAX_HOUSEHOLDS", 2)
    too_many = await client.get(URL, headers=headers)
    assert too_many.status_code == 422
    assert too_many.json()["errors"][0]["loc"] == ["query", "area"]
    village = await client.get(URL, params={"area": w.DONG}, headers=headers)
    assert village.status_code == 200


async def test_the_package_travels_compressed(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    _, headers = await cadre(client, session, world)
    request = client.build_request("GET", URL, headers={**headers, "Accept-Encoding": "gzip"})
    answer = await client.send(request, stream=True)
    raw = b"".join([chunk async for chunk in answer.aiter_raw()])
    await answer.aclose()
    assert answer.headers["content-encoding"] == "gzip"
    package = json.loads(gzip.decompress(raw))
    assert len(package["households"]) == 3
    assert len(raw) < len(json.dumps(package)) / 2
