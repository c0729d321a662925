"""The statistics tables as XLSX (控辍保学统计表), opened back with openpyxl, on the
hand-counted population of tests/statistics/test_statistics.py."""

import io
from datetime import datetime
from typing import Any

import httpx
import openpyxl
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models.vocabulary import UserRole
from tests import world as w
from tests.statistics.test_statistics import COUNTY_FIGURES, EAST_FIGURES, population

__all__ = ["population"]  # the fixture, used by name

TABLES = "/api/v1/exports/statistics.xlsx"


async def _sheet(
    client: httpx.AsyncClient, headers: dict[str, str], **query: str
) -> list[list[Any]]:
    response = await client.get(TABLES, params=query, headers=headers)
    assert response.status_code == 200, response.text
    assert "filename*=UTF-8''" in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    sheet = book.active
    assert sheet is not None
    assert sheet.freeze_panes == "B4"
    assert isinstance(sheet["B2"].value, datetime)  # the date, as a date
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    # Rates as numbers shown as percentages, not as text.
    for row in sheet.iter_rows(min_row=4):
        for cell, heading in zip(row, rows[2], strict=True):
            if heading and str(heading).endswith("率"):
                assert cell.number_format == "0.0%", heading
    return rows


async def test_the_table_by_area_has_a_row_a_township_and_the_total(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World
) -> None:
    headers = await population.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    rows = await _sheet(client, headers, area=w.COUNTY, by="area")
    assert rows[0][0] == "测试县控辍保学统计表（按地区）"
    heading = rows[2]
    assert heading[:4] == ["地区", "适龄儿童", "在校（含县外、送教、特教）", "入学率"]
    assert "入户覆盖率" in heading
    assert "不过周按时率" in heading
    table = {row[0]: dict(zip(heading, row, strict=True)) for row in rows[3:]}
    assert list(table) == ["东镇", "西镇", "合计"]
    assert table["东镇"]["适龄儿童"] == EAST_FIGURES["children_school_age"] == 9
    assert table["东镇"]["入学率"] == 6 / 9
    assert table["西镇"]["适龄儿童"] == 3
    # The total is the county's overview, counted by hand in tests/statistics/test_statistics.py.
    assert table["合计"]["适龄儿童"] == COUNTY_FIGURES["children_school_age"] == 12
    assert table["合计"]["入学率"] == COUNTY_FIGURES["enrolment_rate"]
    assert table["合计"]["辍学在册"] == COUNTY_FIGURES["dropouts_open"]
    assert table["合计"]["辍学率"] == COUNTY_FIGURES["dropout_rate"] == 2 / 6
    assert table["合计"]["应排查户数"] == 7
    assert table["合计"]["入户覆盖率"] == 2 / 7
    assert table["合计"]["巩固率（国家口径）"] is None  # no roster history: left blank


async def test_tables_carry_only_their_breakdowns_figures(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World
) -> None:
    headers = await population.headers(client, session, UserRole.COUNTY_ADMIN, area_code=w.COUNTY)
    reasons = await _sheet(client, headers, by="reason")
    assert reasons[0][0] == "测试县控辍保学统计表（按辍学原因）"
    assert reasons[2][0] == "辍学原因"
    assert "适龄儿童" not in reasons[2]
    assert "应排查户数" not in reasons[2]
    total = dict(zip(reasons[2], reasons[-1], strict=True))
    assert total["辍学原因"] == "合计"
    assert total["辍学在册"] == COUNTY_FIGURES["dropouts_open"]
    assert total["疑似辍学"] == COUNTY_FIGURES["suspected"]
    flags = await _sheet(client, headers, by="flag")
    # The groups overlap: no total row.
    assert [row[0] for row in flags[3:]] == ["留守儿童", "脱贫户（建档立卡）", "残疾儿童"]


async def test_a_township_officer_gets_their_township_and_bad_input_is_named(
    client: httpx.AsyncClient, session: AsyncSession, population: w.World
) -> None:
    headers = await population.headers(client, session, UserRole.TOWNSHIP_OFFICER, area_code=w.EAST)
    rows = await _sheet(client, headers, by="area")
    assert rows[0][0] == "东镇控辍保学统计表（按地区）"
    assert [row[0] for row in rows[3:]] == ["东村", "南村", "合计"]
    response = await client.get(TABLES, params={"area": w.WEST}, headers=headers)
    assert response.status_code == 404
    for query, field in (({"by": "village"}, "by"), ({"area": "51"}, "area")):
        response = await client.get(TABLES, params=query, headers=headers)
        assert response.status_code == 422
        assert response.headers["content-type"].startswith("application/problem+json")
        assert response.json()["errors"][0]["loc"] == ["query", field]
