"""考核: a score per township or per school, and the ranking the county bureau publishes (for
its 表彰 and 通报批评, the seeds' 监督考核).

Nothing is counted here: the figures are statistics.py's (its breakdown by area
or by school, or its overview of one township). Four components, each a score of 0 to 100:

- coverage (排查覆盖, 不漏一户、不漏一人): household_coverage and child_coverage of the sweep;
- deadlines (按时上报, 不过夜 / 不过周): school_deadline_compliance, county_deadline_compliance;
- returns (劝返复学): return_rate;
- stable returns (稳定复学, 留得住): stable_return_rate.

A component's score is the mean of its parts' rates that have a base, × 100, rounded half up
(四舍五入) to 0.01. A component with no base at all (no cases, no sweep yet; coverage for a
school, since households are swept by area, not by school) is left out and its weight shared
among the others in proportion: a unit is scored on what was measured. Full marks instead
would pay a township that swept little and so found no case. The total is Σ weight × score ÷
Σ weight over the components scored, from the scores as shown, rounded likewise; without
one, a unit has no total and no rank. Equal totals share a rank (1, 1, 3), listed by name.

A unit is ranked only for whoever answers for the whole of it: a township for those covering
it (the county, its officers), a school for those covering its area or the school itself.
"""

import asyncio
import io
import uuid
from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Area, School
from api.schemas.assessment import (
    Assessment,
    AssessmentComponent,
    AssessmentLevel,
    AssessmentPart,
    AssessmentRow,
    ComponentKey,
)
from api.services.access import permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.core import school_age
from api.services.core.actors import Actor
from api.services.core.errors import InvalidInput
from api.services.registry import names
from api.services.spreadsheets import sheets
from api.services.statistics import statistics
from api.settings import Settings

# Each component: its name on the ranking, and its parts (rate, numerator, denominator).
COMPONENTS: dict[ComponentKey, tuple[str, tuple[tuple[str, str, str], ...]]] = {
    "coverage": (
        "排查覆盖",
        (
            ("household_coverage", "households_visited", "households"),
            ("child_coverage", "sweep_children_observed", "sweep_children"),
        ),
    ),
    "deadlines": (
        "按时上报",
        (
            ("school_deadline_compliance", "school_deadline_met", "school_deadline_due"),
            ("county_deadline_compliance", "county_deadline_met", "county_deadline_due"),
        ),
    ),
    "returns": ("劝返复学", (("return_rate", "returned", "cases_verified"),)),
    "stable_returns": ("稳定复学", (("stable_return_rate", "stable_returns", "returned"),)),
}
LEVELS: dict[AssessmentLevel, str] = {"township": "乡镇", "school": "学校"}
COLUMNS = (("排名", 6), ("单位", 24), *((name, 10) for name, _ in COMPONENTS.values()), ("总分", 9))
NONE = "—"
CENT = Decimal("0.01")
Unit = tuple[str, str | None, dict[str, Any]]  # code, name, the statistics' figures


async def assess(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    level: AssessmentLevel,
    area: str | None,
) -> Assessment:
    """The scores and ranking of the townships (of the county, or one township) or of the
    schools (within ``area``) the actor answers for."""
    permissions.require(actor, Resource.STATISTICS, Action.READ)
    if level == "township":
        units, campaign_id = await _townships(session, actor, settings, area)
    else:
        units, campaign_id = await _schools(session, actor, settings, area)
    weights = _weights(settings)
    today = school_age.local_today(settings)
    return Assessment(
        level=level,
        area=area,
        school_year=school_age.school_year_of(today, settings),
        as_of=today,
        campaign_id=campaign_id,
        weights={key: float(share) for key, share in weights.items()},
        note=_note(weights, level),
        items=_ranked([_row(unit, weights) for unit in units]),
    )


async def _townships(
    session: AsyncSession, actor: Actor, settings: Settings, area: str | None
) -> tuple[list[Unit], uuid.UUID | None]:
    if area is not None and len(area) not in (6, 9):
        raise InvalidInput(
            "area", "乡镇考核请选择县或一个乡镇 (a county or a township)", location="query"
        )
    highest = min((len(code) for code in actor.area_codes), default=6)
    if area is None and highest > 6:
        codes: list[str] | None = [code for code in actor.area_codes if len(code) == 9]
    else:
        codes = [area] if area is not None and len(area) == 9 else None
    units: list[Unit]
    if codes is None:
        found = await statistics.breakdown(
            session=session, actor=actor, settings=settings, area=area, by="area"
        )
        units = [(row.code, row.name, row.model_dump()) for row in found.items]
        campaign_id = found.campaign_id
    else:
        # A township officer's own township: breakdown would go a level below it.
        overviews = [
            await statistics.overview(session=session, actor=actor, settings=settings, area=code)
            for code in codes
        ]
        found_names = await session.exec(
            select(Area.code, Area.name).where(col(Area.code).in_(codes))
        )
        titled = dict(found_names.all())
        units = [
            (code, titled.get(code), overview.model_dump())
            for code, overview in zip(codes, overviews, strict=True)
        ]
        campaign_id = overviews[0].campaign_id if overviews else None
    # Rows of records kept at the county itself, and townships the actor sees only in part
    # (a school's pupils living there), are no township's score.
    whole = [u for u in units if len(u[0]) == 9 and not scoping.outside_areas(actor, [u[0]])]
    return whole, campaign_id


async def _schools(
    session: AsyncSession, actor: Actor, settings: Settings, area: str | None
) -> tuple[list[Unit], uuid.UUID | None]:
    found = await statistics.breakdown(
        session=session, actor=actor, settings=settings, area=area, by="school"
    )
    # The row "" holds the cases that record no school: no school's score.
    rows = [row for row in found.items if row.code]
    ids = [uuid.UUID(row.code) for row in rows]
    answered = await session.exec(
        select(School.id).where(col(School.id).in_(ids), scoping.schools(actor))
    )
    held = {str(school_id) for school_id in answered.all()}
    units = [(row.code, row.name, row.model_dump()) for row in rows if row.code in held]
    return units, found.campaign_id


def _weights(settings: Settings) -> dict[ComponentKey, Decimal]:
    # repr: a weight of 0.1 is taken as written, not as its binary expansion.
    given = {key: Decimal(repr(value)) for key, value in settings.assessment_weights().items()}
    whole = sum(given.values())
    return {key: given[key] / whole for key in COMPONENTS}


def _cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def _row(unit: Unit, weights: dict[ComponentKey, Decimal]) -> AssessmentRow:
    code, name, figures = unit
    parts = {
        key: [
            AssessmentPart(
                figure=rate, met=figures.get(met), base=figures.get(base), rate=figures.get(rate)
            )
            for rate, met, base in made_of
        ]
        for key, (_, made_of) in COMPONENTS.items()
    }
    scored = {key: score for key in COMPONENTS if (score := _score(parts[key])) is not None}
    used = sum((weights[key] for key in scored), Decimal(0))
    total = sum((weights[key] * score for key, score in scored.items()), Decimal(0))
    return AssessmentRow(
        code=code,
        name=name,
        rank=None,
        total=float(_cents(total / used)) if used else None,
        components={
            key: AssessmentComponent(
                name=COMPONENTS[key][0],
                parts=parts[key],
                score=float(scored[key]) if key in scored else None,
                weight=float(weights[key]),
                weight_used=float(weights[key] / used) if key in scored and used else 0.0,
            )
            for key in COMPONENTS
        },
    )


def _score(parts: list[AssessmentPart]) -> Decimal | None:
    """The mean of the parts' rates that have a base, × 100, in cents; None without any."""
    rates = [Decimal(part.met or 0) / Decimal(part.base) for part in parts if part.base]
    return _cents(sum(rates, Decimal(0)) / len(rates) * 100) if rates else None


def _ranked(rows: list[AssessmentRow]) -> list[AssessmentRow]:
    def by_name(row: AssessmentRow) -> tuple[str, str, str]:
        return names.pinyin(row.name or ""), row.name or "", row.code

    scored = sorted(
        (row for row in rows if row.total is not None),
        key=lambda row: (-(row.total or 0), *by_name(row)),
    )
    rank, previous = 0, None
    for position, row in enumerate(scored, start=1):
        if row.total != previous:
            rank, previous = position, row.total
        row.rank = rank
    return scored + sorted((row for row in rows if row.total is None), key=by_name)


def _percent(share: Decimal) -> str:
    return f"{_cents(share * 100).normalize():f}%"


def _note(weights: dict[ComponentKey, Decimal], level: AssessmentLevel) -> str:
    stated = "，".join(f"{COMPONENTS[key][0]} {_percent(w)}" for key, w in weights.items())
    school = "学校不计排查覆盖（入户排查按区划而非学校进行）；" if level == "school" else ""
    return (
        f"说明：权重为{stated}。各项得分 = 比率 × 100：排查覆盖取入户率与适龄儿童核查率的平均，"
        "按时上报取教师报告学校（不过夜）与学校上报县（不过周）两项按时率的平均，劝返复学为劝返率，"
        "稳定复学为复学满 90 天仍在校的比率；得分四舍五入保留两位小数。"
        f"无基数的项（如无个案、未开展排查）不计分，其权重按比例计入其余各项；{school}"
        "总分 = Σ（权重 × 得分）÷ 计分各项权重之和。同分同名次，按单位名称拼音排列。"
    )


async def export(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    level: AssessmentLevel,
    area: str | None,
) -> tuple[str, bytes]:
    """The ranking as the bureau publishes it (XX县控辍保学工作考核排名): file name, workbook."""
    found = await assess(session=session, actor=actor, settings=settings, level=level, area=area)
    title = f"{await _county(session, actor, area)}控辍保学工作考核排名"
    content = await asyncio.to_thread(_workbook, title, found)
    return f"{title}（{LEVELS[level]}）_{found.as_of:%Y%m%d}.xlsx", content


async def _county(session: AsyncSession, actor: Actor, area: str | None) -> str:
    """The name of the county the ranking is of: the area's, else the actor's."""
    code = area or next(iter(actor.area_codes), None)
    if code is None and actor.school_ids:
        school = await session.get(School, actor.school_ids[0])
        code = school.area_code if school else None
    county = await session.get(Area, code[:6]) if code else None
    return county.name if county else ""


def _workbook(title: str, found: Assessment) -> bytes:
    book = Workbook()
    sheet: Worksheet = book.active
    sheet.title = "考核排名"
    year = found.school_year
    _banner(sheet, 1, title, Font(size=16, bold=True), Alignment(horizontal="center"))
    _banner(
        sheet,
        2,
        f"考核对象：{LEVELS[found.level]}　学年：{year}—{year + 1}学年　"
        f"统计日期：{found.as_of:%Y年%m月%d日}",
    )
    sheet.append([name for name, _ in COLUMNS])
    for index, (_, chars) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = chars + 2
        header = sheet.cell(row=3, column=index)
        header.font = Font(bold=True)
        header.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for row in found.items:
        scores = [row.components[key].score for key in COMPONENTS]
        sheet.append(
            [
                sheets.cell(sheet, value)
                for value in _shown([row.rank, row.name or row.code, *scores, row.total])
            ]
        )
        for cell in sheet[sheet.max_row][2:]:
            cell.number_format = "0.00"
    below = 5 + len(found.items)  # a blank line under the table
    _banner(sheet, below, found.note, alignment=Alignment(wrap_text=True, vertical="top"))
    sheet.row_dimensions[below].height = 90
    sheet.freeze_panes = "C4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _shown(values: Iterable[object]) -> list[object]:
    return [NONE if value is None else value for value in values]


def _banner(
    sheet: Worksheet,
    row: int,
    text: str,
    font: Font | None = None,
    alignment: Alignment | None = None,
) -> None:
    """A line of text across every column of ``row``."""
    sheet.cell(row=row, column=1, value=text)
    sheet.merge_cells(start_row=row, start_column=1, end_row=row, end_column=len(COLUMNS))
    if font:
        sheet.cell(row=row, column=1).font = font
    if alignment:
        sheet.cell(row=row, column=1).alignment = alignment
