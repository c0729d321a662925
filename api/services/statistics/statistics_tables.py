"""The statistics tables as clerks hand them upward (控辍保学统计表): a breakdown of
api/services/statistics/statistics.py as a worksheet, a row a township (school, grade, reason, flag,
week), the figures it carries in Chinese columns, counts as numbers and rates as percentages,
and a total row made of the rows' counts (none for flags, whose rows overlap).
"""

import asyncio
import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Area
from api.schemas.statistics import BreakdownBy, StatisticsBreakdown
from api.services.core.actors import Actor
from api.services.statistics import statistics
from api.settings import Settings

RATE = "0.0%"
# (field, heading, width); rates carry RATE as their number format.
COLUMNS: tuple[tuple[str, str, int], ...] = (
    ("children_school_age", "适龄儿童", 9),
    ("children_enrolled", "在校（含县外、送教、特教）", 12),
    ("enrolment_rate", "入学率", 8),
    ("enrolled_at_year_start", "学年初在籍", 10),
    ("dropped_out_this_year", "本学年辍学", 10),
    ("dropout_rate", "辍学率", 8),
    ("retention_rate_operational", "巩固率（本学年）", 10),
    ("cohort_intake", "八年前一年级入学", 10),
    ("cohort_grade_9", "本年九年级在籍", 10),
    ("retention_rate_national", "巩固率（国家口径）", 10),
    ("dropouts_open", "辍学在册", 8),
    ("suspected", "疑似辍学", 8),
    ("cases_verified", "确认辍学", 8),
    ("returned", "已劝返", 8),
    ("return_rate", "劝返率", 8),
    ("stable_returns", "稳定返校", 8),
    ("stable_return_rate", "稳定返校率", 10),
    ("school_deadline_due", "应上报（不过夜）", 10),
    ("school_deadline_met", "按时上报（不过夜）", 10),
    ("school_deadline_compliance", "不过夜按时率", 10),
    ("county_deadline_due", "应上报（不过周）", 10),
    ("county_deadline_met", "按时上报（不过周）", 10),
    ("county_deadline_compliance", "不过周按时率", 10),
    ("households", "应排查户数", 10),
    ("households_visited", "已走访户数", 10),
    ("household_coverage", "入户覆盖率", 10),
    ("sweep_children", "应排查儿童", 10),
    ("sweep_children_observed", "已核实儿童", 10),
    ("child_coverage", "儿童覆盖率", 10),
)
RATES = frozenset(name for name, *_ in COLUMNS if name not in statistics.COUNTS)
# The count each rate rests on: a breakdown carries the rate when it carries that count, even
# where every row's rate is blank (a zero base).
BASE = {
    "enrolment_rate": "children_school_age",
    "dropout_rate": "enrolled_at_year_start",
    "retention_rate_operational": "enrolled_at_year_start",
    "retention_rate_national": "cohort_intake",
    "return_rate": "cases_verified",
    "stable_return_rate": "returned",
    "school_deadline_compliance": "school_deadline_due",
    "county_deadline_compliance": "county_deadline_due",
    "household_coverage": "households",
    "child_coverage": "sweep_children",
}
FIRST = {
    "area": "地区",
    "school": "学校",
    "grade": "年级",
    "reason": "辍学原因",
    "flag": "群体",
    "week": "周",
}
BY = {
    "area": "按地区",
    "school": "按学校",
    "grade": "按年级",
    "reason": "按辍学原因",
    "flag": "按重点群体",
    "week": "按周",
}


async def export(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    area: str | None,
    by: BreakdownBy,
    weeks: int = 12,
) -> tuple[str, bytes]:
    """The breakdown ``by`` of ``area`` (the caller's scope without one) as a workbook:
    its file name and bytes."""
    table = await statistics.breakdown(
        session=session, actor=actor, settings=settings, area=area, by=by, weeks=weeks
    )
    place = area or (actor.area_codes[0] if len(actor.area_codes) == 1 else None)
    found = await session.get(Area, place) if place else None
    title = f"{found.name if found else ''}控辍保学统计表（{BY[by]}）"
    content = await asyncio.to_thread(_workbook, title, table)
    return f"{title}_{table.as_of:%Y%m%d}.xlsx", content


def _total(table: StatisticsBreakdown) -> dict[str, Any] | None:
    """The rows' counts added up, with the rates made of them; None where rows overlap."""
    if table.by == "flag":
        return None
    counts: statistics.Counts = {}
    for name in statistics.COUNTS:
        values = [getattr(row, name) for row in table.items]
        carried = [value for value in values if value is not None]
        counts[name] = sum(carried) if carried or not values else None
    return statistics.figures(counts)


def _workbook(title: str, table: StatisticsBreakdown) -> bytes:
    carried = [
        column
        for column in COLUMNS
        if not table.items
        or any(getattr(row, BASE.get(column[0], column[0])) is not None for row in table.items)
    ]
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "统计表"
    width = len(carried) + 1
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    sheet["A1"].font = Font(bold=True, size=14)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append([f"学年：{table.school_year}—{table.school_year + 1}　统计日期：", table.as_of])
    sheet["B2"].number_format = "yyyy-mm-dd"
    sheet.append([FIRST[table.by], *(heading for _, heading, _ in carried)])
    for cell in sheet[3]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    sheet.column_dimensions["A"].width = 24
    for index, (_, _, columns) in enumerate(carried, start=2):
        sheet.column_dimensions[get_column_letter(index)].width = columns + 2
    sheet.freeze_panes = "B4"
    body = [(row.name or row.code or "（未登记）", row.model_dump()) for row in table.items]
    total = _total(table)
    if total is not None:
        body.append(("合计", total))
    for name, values in body:
        sheet.append([name, *(values[field] for field, _, _ in carried)])
        for cell, (field, _, _) in zip(sheet[sheet.max_row][1:], carried, strict=True):
            if field in RATES:
                cell.number_format = RATE
    if total is not None:
        for cell in sheet[sheet.max_row]:
            cell.font = Font(bold=True)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


__all__ = ["COLUMNS", "export"]
