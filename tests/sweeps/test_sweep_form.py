"""The sweep registration form (排查登记表) of a village: every household in scope, every
school-age child, what the campaign's visits found."""

import io
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import update
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import AuditEvent, Child, Household
from api.models.vocabulary import (
    AuditAction,
    DropoutReason,
    ObservedSchooling,
    SchoolingStatus,
    Sex,
    UserRole,
    VisitOutcome,
)
from api.services.core import labels
from api.services.sweeps import sweep_form
from api.settings import Settings
from tests import world as w
from tests.sweeps.test_visits import out_of_school, visit

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
async def world(session: AsyncSession, settings: Settings) -> w.World:
    built = await w.build(session, settings)
    # Registered a while ago: the visits of the tests come after.
    await session.exec(
        update(Child).values(status_changed_at=datetime.now(UTC) - timedelta(days=10))
    )
    await session.commit()
    return built


async def campaign(client: httpx.AsyncClient, headers: dict[str, str], area: str = w.EAST) -> str:
    today = date.today()
    made = await client.post("/api/v1/campaigns", json={
        "name": "秋季控辍月", "kind": "control_month", "areas": [area],
        "starts_on": (today - timedelta(days=3)).isoformat(),
        "ends_on": (today + timedelta(days=27)).isoformat()}, headers=headers)  # fmt: skip
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


def sheet_of(answer: httpx.Response) -> list[list[Any]]:
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == XLSX
    book = load_workbook(io.BytesIO(answer.content))
    return [list(row) for row in book["排查登记表"].iter_rows(values_only=True)]


async def test_a_villages_form_lists_every_household_and_child_with_what_was_found(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    sweep = await campaign(client, county)
    # Registered after the start: in scope all the same; its address typed as a formula.
    empty = await w.empty_household(session, w.DONG)
    await session.exec(update(Household).where(col(Household.id) == empty).values(address="=1+1"))
    await session.commit()
    cadre = await world.headers(client, session, UserRole.VILLAGE_CADRE, area_code=w.DONG)
    sent = await client.post("/api/v1/visits/batch", json={"visits": [
        visit(world.households["dong_a"], out_of_school(world.children["dong_a"]),
              campaign_id=sweep),
        visit(world.households["dong_b"], campaign_id=sweep),
    ]}, headers=cadre)  # fmt: skip
    assert [v["result"] for v in sent.json()["visits"]] == ["created"] * 2, sent.text
    url = f"/api/v1/campaigns/{sweep}/registration-form.xlsx"
    answer = await client.get(url, params={"area": w.DONG}, headers=cadre)
    rows = sheet_of(answer)
    assert "filename*=UTF-8''" in answer.headers["content-disposition"]
    assert rows[0][0] == "东村控辍保学排查登记表"
    assert rows[1][0].startswith("排查活动：秋季控辍月")
    assert tuple(rows[2]) == tuple(name for name, _ in sweep_form.COLUMNS)
    body = {row[2]: row for row in rows[3:6]}  # by the head of household's name
    zhang, li, nobody = body["张大山"], body["李大山"], body["无名"]
    assert zhang[1] == "东村一组"
    assert zhang[5] == "张小明"
    assert zhang[8] == world.id_numbers["dong_a"]  # a cadre reads them whole: audited
    assert zhang[10:15] == ["未在校", None, None, "厌学", "在家帮忙"]
    assert zhang[16] == "见到家人"
    assert zhang[17] == "测试用户"
    assert li[5] == "李小红"
    assert li[10] is None
    assert li[16] == "无人在家, 待复访"
    assert nobody[3] == "=1+1"
    assert nobody[5] == sweep_form.NONE_OF_AGE
    assert nobody[16] is None
    assert rows[7][0] == "合计：3 户，适龄儿童 2 人"
    book = load_workbook(io.BytesIO(answer.content))
    address = next(c for c in book["排查登记表"]["D"] if c.value == "=1+1")
    assert address.data_type == "s"  # typed in the field: text, not a formula
    audited = await session.exec(
        select(AuditEvent.detail).where(
            col(AuditEvent.action) == AuditAction.READ_PERSONAL,
            col(AuditEvent.object_id) == sweep,
        )
    )
    assert audited.all() == [f"排查登记表 {w.DONG}"]
    # One group of the village; and a supervisor's copy, identifiers masked.
    group = sheet_of(await client.get(url, params={"area": w.DONG_GROUP}, headers=cadre))
    assert group[0][0] == "东村东村一组控辍保学排查登记表"
    assert [row[5] for row in group[3:4]] == ["张小明"]
    assert group[5][0].startswith("合计：1 户")
    supervisor = await world.headers(client, session, UserRole.SUPERVISOR, area_code=w.COUNTY)
    masked = sheet_of(await client.get(url, params={"area": w.DONG}, headers=supervisor))
    masked_zhang = next(row for row in masked if row[2] == "张大山")
    assert "*" in masked_zhang[8]
    assert "*" in masked_zhang[4]
    assert any(row[0] == "身份证号码、电话已按规定隐去部分数字" for row in masked)


async def test_bad_asks_for_a_form_are_refused_by_name(
    client: httpx.AsyncClient, session: AsyncSession, world: w.World
) -> None:
    county = await world.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    sweep = await campaign(client, county)
    url = f"/api/v1/campaigns/{sweep}/registration-form.xlsx"
    for area, why in ((w.XI, "not in the campaign"), ("519901001099", "no such village"),
                      (w.EAST, "a township"), (None, "missing")):  # fmt: skip
        params = {"area": area} if area else {}
        bad = await client.get(url, params=params, headers=county)
        assert bad.status_code == 422, (why, bad.text)
        assert bad.json()["errors"][0]["loc"] == ["query", "area"], why
    stranger = await world.headers(
        client, session, UserRole.VILLAGE_CADRE, area_code=w.NEIGHBOUR_VILLAGE
    )
    elsewhere = await client.get(url, params={"area": w.DONG}, headers=stranger)
    assert elsewhere.status_code == 404
    nowhere = f"/api/v1/campaigns/{uuid.uuid4()}/registration-form.xlsx"
    assert (await client.get(nowhere, params={"area": w.DONG}, headers=county)).status_code == 404


@pytest.mark.parametrize(
    ("vocabulary", "named"),
    [
        (Sex, labels.SEX),
        (SchoolingStatus, labels.SCHOOLING_STATUS),
        (ObservedSchooling, labels.OBSERVED_SCHOOLING),
        (VisitOutcome, labels.VISIT_OUTCOME),
        (DropoutReason, labels.DROPOUT_REASON),
    ],
)
def test_every_word_of_the_vocabulary_has_its_chinese_name(
    vocabulary: Any, named: dict[Any, str]
) -> None:
    assert set(named) == set(vocabulary)
    assert all(named.values())
