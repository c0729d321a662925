"""Each role's view of the children: by residence, by school, by class; masking; audited reads."""

import re

import httpx
import pytest
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import AuditEvent
from api.models.vocabulary import AuditAction, UserRole
from api.services.access import scoping
from tests import world as w

MASKED_ID = re.compile(r"^\d{6}\*{8}[\dX]{4}$")
MASKED_PHONE = re.compile(r"^\d{3}\*{4}\d{4}$")


async def names_listed(
    client: httpx.AsyncClient, headers: dict[str, str], **params: str
) -> set[str]:
    response = await client.get("/api/v1/children", headers=headers, params=params)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == len(body["items"])
    return {item["name"] for item in body["items"]}


async def test_a_village_cadre_sees_only_their_village(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    headers = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    assert await names_listed(client, headers) == {"张小明", "李小红"}
    own = await client.get(f"/api/v1/children/{world.children['dong_a']}", headers=headers)
    assert own.status_code == 200
    other = await client.get(f"/api/v1/children/{world.children['xi_a']}", headers=headers)
    assert other.status_code == 404
    assert other.headers["content-type"] == "application/problem+json"
    neighbour = await client.get(f"/api/v1/children/{world.children['nan_a']}", headers=headers)
    assert neighbour.status_code == 404
    households = await client.get("/api/v1/households", headers=headers)
    assert {h["id"] for h in households.json()["items"]} == {
        str(world.households["dong_a"]),
        str(world.households["dong_b"]),
    }


async def test_a_township_officer_sees_the_township(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    headers = await world.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    assert await names_listed(client, headers) == {"张小明", "李小红", "王小刚"}
    assert await names_listed(client, headers, area=w.NAN) == {"王小刚"}
    # Filtering by an area outside one's own narrows to nothing; it never widens.
    assert await names_listed(client, headers, area=w.XI) == set()


async def test_a_teacher_sees_only_their_class(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    headers = await world.headers(client, session, UserRole.TEACHER, klass="east-3-1")
    assert await names_listed(client, headers) == {"张小明", "王小刚"}
    same_school = await client.get(f"/api/v1/children/{world.children['dong_b']}", headers=headers)
    assert same_school.status_code == 404
    school = await client.get(f"/api/v1/schools/{world.schools['east']}", headers=headers)
    assert [c["id"] for c in school.json()["classes"]] == [str(world.classes["east-3-1"])]
    # The pupil's household is reachable; a household of another class's pupil is not.
    home = await client.get(f"/api/v1/households/{world.households['dong_a']}", headers=headers)
    assert home.status_code == 200
    assert [c["name"] for c in home.json()["children"]] == ["张小明"]
    other = await client.get(f"/api/v1/households/{world.households['dong_b']}", headers=headers)
    assert other.status_code == 404


async def test_a_principal_sees_the_school_and_only_it(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    headers = await world.headers(client, session, UserRole.PRINCIPAL, school="east")
    assert await names_listed(client, headers) == {"张小明", "李小红", "王小刚"}
    schools = await client.get("/api/v1/schools", headers=headers)
    assert [s["name"] for s in schools.json()["items"]] == ["东镇中心小学"]
    west = await client.get(f"/api/v1/schools/{world.schools['west']}", headers=headers)
    assert west.status_code == 404


async def test_lists_mask_identifiers_and_details_show_them_to_those_who_need_them(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    headers = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    listed = (await client.get("/api/v1/children", headers=headers, params={"q": "zxm"})).json()
    [item] = listed["items"]
    assert MASKED_ID.match(item["id_number"]), item["id_number"]
    number = world.id_numbers["dong_a"]
    assert item["id_number"] == number[:6] + "********" + number[-4:]
    homes = (await client.get("/api/v1/households", headers=headers)).json()["items"]
    assert all(MASKED_PHONE.match(h["phone"]) for h in homes)

    detail = (await client.get(f"/api/v1/children/{item['id']}", headers=headers)).json()
    assert detail["masked"] is False
    assert detail["id_number"] == number
    assert detail["guardians"][0]["phone"] == world.phones["dong_a"]
    assert detail["enrolments"][0]["class_name"] == "三年级1班"
    reads = (
        await session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == AuditAction.READ_PERSONAL)
        )
    ).all()
    assert [(r.object_type, r.object_id) for r in reads] == [("child", item["id"])]
    assert reads[0].actor_username
    assert reads[0].actor_username.startswith("village_cadre")


async def test_a_supervisor_reads_masked_and_cannot_write(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    headers = await world.headers(client, session, UserRole.SUPERVISOR, area_code=w.COUNTY)
    assert len(await names_listed(client, headers)) == 4
    detail = (
        await client.get(f"/api/v1/children/{world.children['xi_a']}", headers=headers)
    ).json()
    assert detail["masked"] is True
    assert MASKED_ID.match(detail["id_number"])
    assert MASKED_ID.match(detail["enrolments"][0]["student_number"][1:])  # G + the ID number
    assert MASKED_PHONE.match(detail["household"]["phone"])
    household = (
        await client.get(f"/api/v1/households/{world.households['xi_a']}", headers=headers)
    ).json()
    assert household["masked"] is True
    assert MASKED_PHONE.match(household["guardians"][0]["phone"])
    # A masked read is not a read of personal data, so it is not recorded as one.
    reads = (
        await session.exec(
            select(AuditEvent).where(col(AuditEvent.action) == AuditAction.READ_PERSONAL)
        )
    ).all()
    assert reads == []
    create = await client.post(
        "/api/v1/users",
        headers=headers,
        json={
            "username": "new.cadre",
            "display_name": "新干部",
            "role": "village_cadre",
            "areas": [w.XI],
        },
    )
    assert create.status_code == 403
    assert create.json()["action"] == "write"


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("zxm", {"张小明"}),
        ("z", {"张小明", "赵小丽"}),  # the prefix's range ends after "z", at "{"
        ("zz", set()),
        ("ZhangXiao", {"张小明"}),
        ("zhangxiaoming", {"张小明"}),
        ("zhangxiaomingx", set()),
        ("小", {"张小明", "李小红", "王小刚", "赵小丽"}),
        ("小红", {"李小红"}),
        ("%", set()),
        ("_", set()),
    ],
)
async def test_search_by_initials_pinyin_and_characters(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    q: str,
    expected: set[str],
) -> None:
    headers = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    assert await names_listed(client, headers, q=q) == expected


async def test_search_by_id_number_whole_or_in_part(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    headers = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    number = world.id_numbers["nan_a"]
    assert await names_listed(client, headers, q=number) == {"王小刚"}
    assert await names_listed(client, headers, q=number[-6:]) == {"王小刚"}


async def test_filters_by_school_and_status_and_bad_filters_are_named(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    headers = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    west = str(world.schools["west"])
    assert await names_listed(client, headers, school=west) == {"赵小丽"}
    assert await names_listed(client, headers, status="dropped_out") == set()
    for params, field in (
        ({"status": "gone"}, "status"),
        ({"area": "51990"}, "area"),
        ({"school": "not-a-uuid"}, "school"),
        ({"limit": "500"}, "limit"),
    ):
        response = await client.get("/api/v1/children", headers=headers, params=params)
        assert response.status_code == 422, params
        assert response.json()["errors"][0]["loc"][:2] == ["query", field]


async def test_pages_are_bounded_and_stable(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    headers = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    seen = []
    for offset in range(0, 4, 3):
        page = (
            await client.get(
                "/api/v1/children", headers=headers, params={"limit": 3, "offset": offset}
            )
        ).json()
        assert page["total"] == 4
        assert page["limit"] == 3
        seen += [item["id"] for item in page["items"]]
    assert sorted(seen) == sorted(str(i) for k, i in world.children.items() if k != "lin_a")
    for offset in (4, 10):  # past the end: no children, and still the true count
        params = {"limit": 3, "offset": offset}
        page = (await client.get("/api/v1/children", headers=headers, params=params)).json()
        assert (page["items"], page["total"]) == ([], 4)
    short = {"limit": "3", "q": "小红"}  # a short first page counts itself
    found = (await client.get("/api/v1/children", headers=headers, params=short)).json()
    assert found["total"] == 1


async def test_an_account_with_no_coverage_sees_nothing(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    headers = await world.headers(client, session, UserRole.COUNTY_ADMIN)
    assert await names_listed(client, headers) == set()


async def test_an_area_filter_never_widens_the_scope(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    headers = await world.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    east = {"张小明", "李小红", "王小刚"}
    assert await names_listed(client, headers, area=w.COUNTY) == east
    assert await names_listed(client, headers, area=w.EAST) == east
    assert await names_listed(client, headers, area=w.DONG) == {"张小明", "李小红"}
    assert await names_listed(client, headers, area=w.WEST) == set()
    assert await names_listed(client, headers, area=w.NEIGHBOUR) == set()


@pytest.mark.parametrize(
    ("codes", "within", "expected"),
    [
        (("519901",), None, ("519901",)),
        (("519901",), "519901001", ("519901001",)),
        (("519901001", "519901002"), "519901", ("519901001", "519901002")),
        (("519901001", "519901002"), "519901002001", ("519901002001",)),
        (("519901001",), "519901002", ()),
        ((), "519901", ()),
    ],
)
def test_a_scope_cut_to_an_area_is_the_overlap_of_subtrees(
    codes: tuple[str, ...], within: str | None, expected: tuple[str, ...]
) -> None:
    assert scoping.narrowed(codes, within) == expected
