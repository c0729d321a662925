"""Areas: read by everyone as lists, trees and breadcrumbs; the code list imported from CSV."""

import csv
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func
from sqlmodel import select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Area, AuditEvent
from api.models.vocabulary import AreaLevel, AuditAction, UserRole
from api.services.registry import areas
from tests import world as w
from tests.factories import bearer, make_user

AREAS = "/api/v1/areas"
IMPORT = f"{AREAS}/import"
ENGLISH = ["code", "name", "level", "parent"]
CHINESE = ["代码", "名称", "级别", "上级代码"]
NEW_TOWN, NEW_VILLAGE, NEW_GROUP = "519901003", "519901003001", "519901003001001"


@pytest.fixture
async def cadre(client: httpx.AsyncClient, session: AsyncSession, world: w.World) -> dict[str, str]:
    return await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)


def write_csv(
    path: Path, rows: list[list[str]], *, header: list[str] = ENGLISH, encoding: str = "utf-8"
) -> Path:
    with path.open("w", encoding=encoding, newline="") as file:
        csv.writer(file).writerows([header, *rows])
    return path


def attached(path: Path) -> dict[str, tuple[str, bytes, str]]:
    """The real file on disk, as a browser would send it."""
    return {"file": (path.name, path.read_bytes(), "text/csv")}


async def upload(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    path: Path,
    *,
    params: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> httpx.Response:
    return await client.post(
        IMPORT,
        files=attached(path),
        data=form,
        params=params,
        headers=headers,
    )


async def count(session: AsyncSession) -> int:
    return (await session.exec(select(func.count()).select_from(Area))).one()


async def audited_imports(session: AsyncSession) -> list[AuditEvent]:
    found = await session.exec(select(AuditEvent).where(AuditEvent.object_type == "area_import"))
    return list(found.all())


async def stored(session: AsyncSession) -> dict[str, Area]:
    fresh = select(Area).execution_options(populate_existing=True)
    return {a.code: a for a in (await session.exec(fresh)).all()}


async def names(session: AsyncSession) -> dict[str, str]:
    return {code: area.name for code, area in (await stored(session)).items()}


def brief(items: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(item["code"], item["children_count"]) for item in items]


# Reading ----------------------------------------------------------------------------------


async def test_without_a_parent_the_list_is_the_top_of_the_tree(
    client: httpx.AsyncClient, cadre: dict[str, str]
) -> None:
    response = await client.get(AREAS, headers=cadre)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == 2
    assert brief(body["items"]) == [(w.COUNTY, 2), (w.NEIGHBOUR, 1)]
    assert body["items"][0] == {
        "code": w.COUNTY,
        "name": "测试县",
        "level": "county",
        "parent_code": None,
        "children_count": 2,
        "children": None,
    }


async def test_a_parent_lists_its_direct_children_a_page_at_a_time(
    client: httpx.AsyncClient, cadre: dict[str, str]
) -> None:
    first = (await client.get(AREAS, params={"parent": w.EAST, "limit": 1}, headers=cadre)).json()
    assert (first["total"], first["limit"], first["offset"]) == (2, 1, 0)
    assert brief(first["items"]) == [(w.DONG, 1)]
    assert first["items"][0]["parent_code"] == w.EAST
    second = await client.get(AREAS, params={"parent": w.EAST, "offset": 1}, headers=cadre)
    assert brief(second.json()["items"]) == [(w.NAN, 0)]
    leaf = await client.get(AREAS, params={"parent": w.DONG_GROUP}, headers=cadre)
    assert leaf.json()["total"] == 0


async def test_an_unknown_or_malformed_parent_is_refused(
    client: httpx.AsyncClient, cadre: dict[str, str]
) -> None:
    unknown = await client.get(AREAS, params={"parent": "519909"}, headers=cadre)
    assert unknown.status_code == 404
    assert unknown.headers["content-type"] == "application/problem+json"
    malformed = await client.get(AREAS, params={"parent": "51990"}, headers=cadre)
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["loc"] == ["query", "parent"]


async def test_a_tree_nests_children_down_to_the_depth_asked(
    client: httpx.AsyncClient, cadre: dict[str, str]
) -> None:
    response = await client.get(AREAS, params={"root": w.COUNTY, "depth": 2}, headers=cadre)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["total"] == 1
    [county] = body["items"]
    assert (county["code"], county["children_count"]) == (w.COUNTY, 2)
    east, west = county["children"]
    assert brief(east["children"]) == [(w.DONG, 1), (w.NAN, 0)]
    assert brief(west["children"]) == [(w.XI, 0)]
    assert east["children"][0]["children"] is None  # below the depth: counted, not expanded
    deepest = await client.get(AREAS, params={"root": w.COUNTY, "depth": 4}, headers=cadre)
    [dong] = deepest.json()["items"][0]["children"][0]["children"][:1]
    assert dong["children"][0]["code"] == w.DONG_GROUP
    assert dong["children"][0]["children"] == []
    default = await client.get(AREAS, params={"root": w.DONG}, headers=cadre)
    assert brief(default.json()["items"][0]["children"]) == [(w.DONG_GROUP, 0)]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"root": w.COUNTY, "depth": "5"}, "depth"),
        ({"root": w.COUNTY, "depth": "0"}, "depth"),
        ({"depth": "2"}, "depth"),
        ({"root": w.COUNTY, "parent": w.EAST}, "root"),
        ({"root": "5199"}, "root"),
    ],
)
async def test_bad_tree_questions_are_422s_naming_the_parameter(
    client: httpx.AsyncClient, cadre: dict[str, str], params: dict[str, str], field: str
) -> None:
    response = await client.get(AREAS, params=params, headers=cadre)
    assert response.status_code == 422, response.text
    assert response.json()["errors"][0]["loc"] == ["query", field]


async def test_one_area_with_its_breadcrumbs_and_children(
    client: httpx.AsyncClient, cadre: dict[str, str]
) -> None:
    group = await client.get(f"{AREAS}/{w.DONG_GROUP}", headers=cadre)
    assert group.status_code == 200, group.text
    body = group.json()
    assert (body["name"], body["level"], body["parent_code"]) == ("东村一组", "group", w.DONG)
    assert [(a["code"], a["name"], a["level"]) for a in body["ancestors"]] == [
        (w.COUNTY, "测试县", "county"),
        (w.EAST, "东镇", "township"),
        (w.DONG, "东村", "village"),
    ]
    assert (body["children"], body["children_count"]) == ([], 0)
    county = (await client.get(f"{AREAS}/{w.COUNTY}", headers=cadre)).json()
    assert county["ancestors"] == []
    assert brief(county["children"]) == [(w.EAST, 2), (w.WEST, 1)]
    assert county["children_count"] == 2


async def test_areas_are_public_to_every_user_but_unknown_codes_are_404(
    client: httpx.AsyncClient, cadre: dict[str, str]
) -> None:
    # Administrative divisions are published data, unlike the people living in them.
    neighbour = await client.get(f"{AREAS}/{w.NEIGHBOUR_VILLAGE}", headers=cadre)
    assert neighbour.status_code == 200
    assert [a["code"] for a in neighbour.json()["ancestors"]] == [w.NEIGHBOUR, w.NEIGHBOUR_TOWN]
    unknown = await client.get(f"{AREAS}/519901009", headers=cadre)
    assert unknown.status_code == 404
    assert unknown.json()["type"] == "urn:baoxue:problem:not-found"
    assert (await client.get(f"{AREAS}/51990x", headers=cadre)).status_code == 422
    assert (await client.get(AREAS)).status_code == 401


async def test_integration_clients_need_the_areas_read_scope(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, tmp_path: Path
) -> None:
    async def client_headers(scopes: str) -> dict[str, str]:
        machine = await make_user(
            session, role=UserRole.INTEGRATION_CLIENT, api_scopes=scopes, area_code=w.COUNTY
        )
        form = {"grant_type": "client_credentials", "client_id": machine.username,
                "client_secret": machine.password}  # fmt: skip
        issued = await client.post("/api/v1/auth/token", data=form)
        return bearer(issued.json()["access_token"])

    reader = await client_headers("areas:read")
    assert (await client.get(AREAS, headers=reader)).status_code == 200
    assert (await client.get(f"{AREAS}/{w.DONG}", headers=reader)).status_code == 200
    other = await client_headers("children:read")
    assert (await client.get(AREAS, headers=other)).status_code == 403
    path = write_csv(tmp_path / "areas.csv", [[NEW_TOWN, "新镇", "township", w.COUNTY]])
    assert (await upload(client, reader, path)).status_code == 403


# Importing ----------------------------------------------------------------------------------


GOOD_ROWS = [
    [w.COUNTY, "测试县", "county", ""],  # unchanged
    [w.EAST, "东城镇", "township", w.COUNTY],  # renamed
    [w.WEST, "西镇", "", w.COUNTY],  # unchanged, level from the code
    [NEW_TOWN, "新镇", "township", w.COUNTY],
    [NEW_VILLAGE, "新村", "", NEW_TOWN],  # parent earlier in the file
    [NEW_GROUP, "新村一组", "group", NEW_VILLAGE],
]


async def test_an_import_creates_renames_and_is_audited_once(
    client: httpx.AsyncClient, session: AsyncSession, admin: dict[str, str], tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "areas.csv", GOOD_ROWS)
    response = await upload(client, admin, path)
    assert response.status_code == 200, response.text
    assert response.json() == {
        "created": 3,
        "renamed": 1,
        "unchanged": 2,
        "rejected": 0,
        "errors": [],
    }
    held = await stored(session)
    assert held[w.EAST].name == "东城镇"
    assert (held[NEW_TOWN].level, held[NEW_TOWN].parent_code) == ("township", w.COUNTY)
    assert (held[NEW_VILLAGE].level, held[NEW_VILLAGE].parent_code) == ("village", NEW_TOWN)
    assert (held[NEW_GROUP].level, held[NEW_GROUP].parent_code) == ("group", NEW_VILLAGE)
    [entry] = await audited_imports(session)
    assert (entry.action, entry.object_type) == (AuditAction.CREATE, "area_import")
    assert entry.changes == {
        "counts": {"created": 3, "renamed": 1, "unchanged": 2, "rejected": 0},
        "created": {
            NEW_TOWN: {"before": None, "after": "新镇"},
            NEW_VILLAGE: {"before": None, "after": "新村"},
            NEW_GROUP: {"before": None, "after": "新村一组"},
        },
        "renamed": {w.EAST: {"before": "东镇", "after": "东城镇"}},
    }
    detail = (await client.get(f"{AREAS}/{NEW_GROUP}", headers=admin)).json()
    assert [a["name"] for a in detail["ancestors"]] == ["测试县", "新镇", "新村"]


async def test_importing_the_same_file_again_adds_nothing(
    client: httpx.AsyncClient, session: AsyncSession, admin: dict[str, str], tmp_path: Path
) -> None:
    path = write_csv(tmp_path / "areas.csv", GOOD_ROWS)
    assert (await upload(client, admin, path)).status_code == 200
    before = await names(session)
    again = await upload(client, admin, path)
    assert again.status_code == 200
    assert again.json() == {
        "created": 0,
        "renamed": 0,
        "unchanged": 6,
        "rejected": 0,
        "errors": [],
    }
    assert await names(session) == before
    assert len(await audited_imports(session)) == 2  # one per import, whatever it changed


@pytest.mark.parametrize(
    ("encoding", "header", "levels"),
    [
        ("gb18030", CHINESE, ["乡镇", "村", "组"]),
        ("utf-8-sig", CHINESE, ["乡镇", "", "村民小组"]),
        ("utf-8", ENGLISH, ["township", "village", ""]),
    ],
    ids=["gb18030", "utf-8-bom", "utf-8"],
)
async def test_excel_files_in_chinese_and_gb18030_are_read(
    client: httpx.AsyncClient,
    session: AsyncSession,
    admin: dict[str, str],
    tmp_path: Path,
    encoding: str,
    header: list[str],
    levels: list[str],
) -> None:
    rows = [
        [NEW_TOWN, "新镇", levels[0], w.COUNTY],
        [NEW_VILLAGE, "新村", levels[1], NEW_TOWN],
        [NEW_GROUP, "新村一组", levels[2], NEW_VILLAGE],
    ]
    path = write_csv(tmp_path / "区划.csv", rows, header=header, encoding=encoding)
    response = await upload(client, admin, path)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 3
    assert (await names(session))[NEW_GROUP] == "新村一组"


BAD_ROWS: list[tuple[list[str], str, str]] = [
    (["51990100A", "甲镇", "township", w.COUNTY], "code", "(the code must be digits)"),
    (["5199010031", "甲镇", "township", w.COUNTY], "code", "(a township has 9 digits)"),
    (["5199010031", "甲镇", "", w.COUNTY], "code", "(a code has 6, 9, 12 or 15 digits)"),
    (["519901003001", "甲村", "township", w.COUNTY], "code", "(a township has 9 digits)"),
    ([NEW_TOWN, "甲镇", "city", w.COUNTY], "level", "(county, township, village or group)"),
    ([NEW_TOWN, "", "township", w.COUNTY], "name", "(the name must be 1 to 60 characters)"),
    ([NEW_TOWN, "镇" * 61, "township", w.COUNTY], "name", "(the name must be 1 to 60 char"),
    ([NEW_TOWN, "甲\n镇", "township", w.COUNTY], "name", "(the name must be one line"),
    ([NEW_TOWN, "甲镇", "township", ""], "parent", f"(the parent code {w.COUNTY} is required)"),
    ([NEW_TOWN, "甲镇", "township", w.NEIGHBOUR], "parent", "(the parent must be the code's"),
    (["519901001004", "甲村", "village", w.COUNTY], "parent", "(the parent must be the code's"),
    (["519901001001002", "二组", "group", w.EAST], "parent", "(the parent must be the code's"),
    (["519901009001", "甲村", "village", "519901009"], "parent", "上级代码不存在 (the parent"),
    ([w.COUNTY, "测试县", "county", "510000"], "parent", "(a county has no parent code"),
    (["519902002", "邻二镇", "township", w.NEIGHBOUR], "code", "(outside the areas you cover)"),
    (["519903", "别县", "county", ""], "code", "(outside the areas you cover)"),
]


@pytest.mark.parametrize(
    ("row", "field", "message"), BAD_ROWS, ids=[f"{f}-{i}" for i, (_, f, _) in enumerate(BAD_ROWS)]
)
async def test_each_rule_rejects_its_row_naming_line_and_column_and_keeps_the_good_ones(
    client: httpx.AsyncClient,
    session: AsyncSession,
    admin: dict[str, str],
    tmp_path: Path,
    row: list[str],
    field: str,
    message: str,
) -> None:
    good = ["519901001003", "北" * 60, "village", w.EAST]  # the longest name allowed
    path = write_csv(tmp_path / "areas.csv", [good, row])
    before = await count(session)
    response = await upload(client, admin, path)
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["created"], body["rejected"]) == (1, 1)
    [error] = body["errors"]
    assert (error["row"], error["field"]) == (3, field)
    assert message in error["message"]
    assert error["message"][0] > "\u2e80"  # Chinese first, English in brackets
    assert await count(session) == before + 1


async def test_a_code_held_at_another_level_is_not_relabelled(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World, tmp_path: Path
) -> None:
    session.add(Area(code="519900", name="示范市", level=AreaLevel.PREFECTURE))
    await session.commit()
    headers = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code="519900")
    path = write_csv(tmp_path / "areas.csv", [["519900", "示范市", "", ""]])
    body = (await upload(client, headers, path)).json()
    assert body["errors"] == [
        {
            "row": 2,
            "field": "level",
            "message": "该代码已存在，级别不同 (the code exists as a prefecture)",
        }
    ]


async def test_lines_are_counted_in_the_file_and_parents_must_come_first(
    client: httpx.AsyncClient, session: AsyncSession, admin: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "areas.csv"
    path.write_text(
        "code,name,level,parent\n"
        "\n"  # a blank line 2
        f'{NEW_TOWN},"新\n镇",township,{w.COUNTY}\n'  # lines 3-4, one record, a bad name
        f"{NEW_VILLAGE},新村,village,{NEW_TOWN}\n"  # line 5: its parent was refused
        f"519901004001,后村,village,519901004\n"  # line 6: its parent comes later
        f"519901004,后镇,township,{w.COUNTY}\n"  # line 7
        f"519901004,后镇,township,{w.COUNTY}\n",  # line 8: a repeat
        encoding="utf-8",
    )
    body = (await upload(client, admin, path)).json()
    assert [(e["row"], e["field"]) for e in body["errors"]] == [
        (3, "name"),
        (5, "parent"),
        (6, "parent"),
        (8, "code"),
    ]
    assert "(the code repeats line 7)" in body["errors"][3]["message"]
    assert (body["created"], body["rejected"]) == (1, 4)
    assert "519901004" in await names(session)


async def test_all_or_nothing_stores_nothing_when_any_row_is_bad(
    client: httpx.AsyncClient, session: AsyncSession, admin: dict[str, str], tmp_path: Path
) -> None:
    path = write_csv(
        tmp_path / "areas.csv",
        [[NEW_TOWN, "新镇", "township", w.COUNTY], ["519901009001", "甲村", "", "519901009"]],
    )
    before = (await names(session), len(await audited_imports(session)))
    for how in ({"params": {"all_or_nothing": "true"}}, {"form": {"all_or_nothing": "true"}}):
        refused = await upload(client, admin, path, **how)
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"] == "application/problem+json"
        body = refused.json()
        assert body["errors"] == [
            {
                "loc": ["body", "file", 3, "parent"],
                "msg": "上级代码不存在 (the parent code does not exist)",
            }
        ]
        assert "nothing was stored" in body["detail"]
        assert (await names(session), len(await audited_imports(session))) == before
    good = write_csv(tmp_path / "good.csv", [[NEW_TOWN, "新镇", "township", w.COUNTY]])
    stored = await upload(client, admin, good, params={"all_or_nothing": "true"})
    assert stored.json()["created"] == 1


@pytest.mark.parametrize(
    ("role", "area"),
    [
        (UserRole.SUPERVISOR, w.COUNTY),
        (UserRole.TOWNSHIP_OFFICER, w.EAST),
        (UserRole.VILLAGE_CADRE, w.DONG),
    ],
)
async def test_only_county_administrators_import(
    client: httpx.AsyncClient,
    session: AsyncSession,
    world: w.World,
    tmp_path: Path,
    role: UserRole,
    area: str,
) -> None:
    headers = await world.headers(client, session, role, area_code=area)
    path = write_csv(tmp_path / "areas.csv", [[w.EAST, "东城镇", "township", w.COUNTY]])
    before = (await names(session), len(await audited_imports(session)))
    response = await upload(client, headers, path)
    assert response.status_code == 403
    assert response.json()["type"] == "urn:baoxue:problem:forbidden"
    assert (await names(session), len(await audited_imports(session))) == before


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        (b"", "(the file is empty)"),
        (b"\n\n", "(the file is empty)"),
        ("代码,名称\n".encode(), "(the file has no rows below the header)"),
        (b"id,title\n519901,x\n", "missing: code, name"),
        (b"code,name,code\n519901,x,519901\n", "(the column code appears twice)"),
        (b"code,name\n519901,\xff\xfe\xff\n", "(the file is neither UTF-8 nor GB18030 text)"),
    ],
)
async def test_a_file_that_is_no_code_list_is_a_422_naming_the_file(
    client: httpx.AsyncClient,
    session: AsyncSession,
    admin: dict[str, str],
    tmp_path: Path,
    content: bytes,
    fragment: str,
) -> None:
    path = tmp_path / "areas.csv"
    path.write_bytes(content)
    response = await upload(client, admin, path)
    assert response.status_code == 422, response.text
    [error] = response.json()["errors"]
    assert error["loc"] == ["body", "file"]
    assert fragment in error["msg"]
    assert await audited_imports(session) == []


async def test_a_file_over_the_limit_is_a_413(
    client: httpx.AsyncClient, session: AsyncSession, admin: dict[str, str], tmp_path: Path
) -> None:
    path = tmp_path / "huge.csv"
    filler = "519901,测试县,county,\n".encode()
    with path.open("wb") as file:
        file.write(b"code,name,level,parent\n")
        file.write(filler * (areas.MAX_UPLOAD_BYTES // len(filler) + 1))
    response = await upload(client, admin, path)
    assert response.status_code == 413
    assert response.json()["type"] == "urn:baoxue:problem:payload-too-large"
    assert await audited_imports(session) == []


async def test_a_whole_county_imports_in_a_few_statements_and_trees_stay_bounded(
    client: httpx.AsyncClient,
    session: AsyncSession,
    admin: dict[str, str],
    tmp_path: Path,
    statements: list[str],
) -> None:
    villages = [f"519901001{v:03d}" for v in range(3, 9)]
    rows = [[v, f"村{v[-3:]}", "", w.EAST] for v in villages]
    rows += [[f"{v}{g:03d}", f"{g}组", "", v] for v in villages for g in range(1, 851)]
    path = write_csv(tmp_path / "county.csv", rows)
    response = await upload(client, admin, path)
    assert response.status_code == 200, response.text
    assert response.json()["created"] == 6 + 6 * 850
    writes = [s for s in statements if s.lstrip().upper().startswith(("INSERT", "UPDATE"))]
    assert 0 < len(statements) < 20, statements  # set-based, never a statement per row
    assert len(writes) < 10, writes
    assert await count(session) == 10 + 6 + 6 * 850

    too_big = await client.get(AREAS, params={"root": w.COUNTY, "depth": 4}, headers=admin)
    assert too_big.status_code == 422
    assert too_big.json()["errors"][0]["loc"] == ["query", "root"]
    village = await client.get(AREAS, params={"root": villages[0]}, headers=admin)
    assert village.json()["items"][0]["children_count"] == 850
    page = await client.get(AREAS, params={"parent": villages[0], "limit": 200}, headers=admin)
    assert (page.json()["total"], len(page.json()["items"])) == (850, 200)
