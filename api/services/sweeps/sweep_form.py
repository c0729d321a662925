"""The sweep registration form (排查登记表) of a village, as the seed asks ("要如实填写排查登记
表"): a row for each school-age child of each household in the campaign's scope (a household
with none has one row saying so), with what the campaign's latest visit found, and lines for
the signatures. Printed on A4 landscape, its header repeated on every page; before the sweep
it is the blank form to carry, after it the record to sign.
"""

import asyncio
import io
import uuid
from dataclasses import dataclass
from datetime import date

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Area, Campaign, Child, Household, School, User, Visit, VisitObservation
from api.models.vocabulary import AreaLevel, ObservedSchooling
from api.services.access import masking, permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.core import audit, labels, school_age
from api.services.core.actors import Actor
from api.services.core.errors import InvalidInput, NotFound
from api.services.spreadsheets import sheets
from api.services.sweeps import coverage
from api.settings import Settings

COLUMNS = (
    ("序号", 6),
    ("村民小组", 12),
    ("户主姓名", 10),
    ("家庭住址", 22),
    ("联系电话", 14),
    ("儿童姓名", 10),
    ("性别", 5),
    ("出生日期", 11),
    ("身份证号码", 20),
    ("应读年级", 8),
    ("就读情况", 9),
    ("就读学校", 20),
    ("年级", 5),
    ("未在校原因", 12),
    ("去向", 16),
    ("走访日期", 11),
    ("走访结果", 14),
    ("走访人", 10),
)
NONE_OF_AGE = "无适龄儿童"
_THIN = Side(style="thin")
_BOX = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_WRAP = Alignment(vertical="center", wrap_text=True)


@dataclass(frozen=True)
class _Seen:
    """A household's latest visit of the campaign."""

    visited_on: date
    outcome: str
    visitor: str


async def form(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    campaign_id: uuid.UUID,
    area: str,
) -> tuple[str, bytes]:
    """The form of ``area`` (a village, or one of its groups) for the campaign: its file name
    and the workbook."""
    permissions.require(actor, Resource.CAMPAIGN, Action.READ)
    permissions.require(actor, Resource.HOUSEHOLD, Action.READ)
    campaign = await coverage.visible_campaign(session, actor, campaign_id)
    place = await session.get(Area, area)
    if place is None or place.level not in {AreaLevel.VILLAGE, AreaLevel.GROUP}:
        raise InvalidInput(
            "area", "请选择一个村或村民小组 (a village or a group)", location="query"
        )
    codes = await coverage.area_codes(session, campaign)
    if not any(area.startswith(code) for code in codes):
        raise InvalidInput(
            "area",
            f"{place.name}不在本次排查范围内 (not in the campaign's areas)",
            location="query",
        )
    full = permissions.allowed(actor, Resource.CHILD, Action.READ_PERSONAL) and (
        permissions.allowed(actor, Resource.HOUSEHOLD, Action.READ_PERSONAL)
    )
    rows, households = await _rows(
        session=session,
        actor=actor,
        settings=settings,
        campaign=campaign,
        codes=codes,
        area=area,
        shown=masking.Disclosure(full=full),
    )
    if not rows and not scoping.narrowed(actor.area_codes, area) and actor.area_codes:
        raise NotFound(f"没有这个区划或不在您的范围内 (area {area} not found)", area=area)
    village = place if place.level is AreaLevel.VILLAGE else await session.get(Area, area[:12])
    title = f"{village.name if village else ''}{'' if village is place else place.name}"
    content = await asyncio.to_thread(
        _workbook,
        campaign=campaign,
        title=title,
        rows=rows,
        households=households,
        masked=not full,
    )
    if full:
        await audit.read_in_full(
            session=session,
            actor=actor,
            object_type="campaign",
            object_id=campaign.id,
            detail=f"排查登记表 {area}",
        )
    return f"{campaign.name}_{title}_排查登记表.xlsx", content


async def _rows(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    campaign: Campaign,
    codes: list[str],
    area: str,
    shown: masking.Disclosure,
) -> tuple[list[list[object]], int]:
    """The form's rows, and the households they are of (``codes``: the campaign's areas)."""
    scope = coverage.in_scope(campaign, codes)
    households = list(
        (
            await session.exec(
                select(Household)
                .join(scope, scope.c.household_id == col(Household.id))
                .where(
                    scoping.in_area(Household.area_code, area),
                    scoping.households(actor, settings=settings),
                )
                .order_by(col(Household.area_code), col(Household.address), col(Household.id))
            )
        ).all()
    )
    held = [h.id for h in households]
    oldest, youngest = coverage.births_in_scope(campaign, settings)
    children: dict[uuid.UUID, list[Child]] = {}
    for child in (
        await session.exec(
            select(Child)
            .where(
                col(Child.household_id).in_(held),
                col(Child.removed_at).is_(None),
                col(Child.birth_date).between(oldest, youngest),
                scoping.children(actor, settings=settings),
            )
            .order_by(col(Child.birth_date))
        )
    ).all():
        children.setdefault(child.household_id, []).append(child)
    visits = await _latest_visits(session, settings, campaign, held)
    observed = await _latest_observations(
        session, campaign, [c.id for kids in children.values() for c in kids]
    )
    groups = dict(
        (
            await session.exec(
                select(Area.code, Area.name).where(
                    col(Area.code).in_({h.area_code for h in households})
                )
            )
        ).all()
    )
    year = school_age.school_year_of(campaign.starts_on, settings)
    rows: list[list[object]] = []
    for household in households:
        seen = visits.get(household.id)
        family: list[object] = [
            groups.get(household.area_code, household.area_code),
            household.head_name,
            household.address,
            shown.phone(household.phone),
        ]
        visit: list[object] = [seen.visited_on, seen.outcome, seen.visitor] if seen else [""] * 3
        if household.id not in children:
            rows.append([len(rows) + 1, *family, NONE_OF_AGE, *[""] * 9, *visit])
        for child in children.get(household.id, []):
            grade = school_age.expected_grade(child.birth_date, year, settings)
            rows.append(
                [
                    len(rows) + 1,
                    *family,
                    child.name,
                    labels.SEX[child.sex],
                    child.birth_date,
                    shown.id_number(child.id_number) or "",
                    labels.grade(grade),
                    *observed.get(child.id, [""] * 5),
                    *visit,
                ]
            )
    return rows, len(households)


async def _latest_visits(
    session: AsyncSession, settings: Settings, campaign: Campaign, households: list[uuid.UUID]
) -> dict[uuid.UUID, _Seen]:
    found = await session.exec(
        select(Visit, User.display_name)
        .join(User, col(User.id) == col(Visit.visitor_id))
        .where(col(Visit.campaign_id) == campaign.id, col(Visit.household_id).in_(households))
        .order_by(col(Visit.visited_at), col(Visit.id).desc())
    )
    latest: dict[uuid.UUID, _Seen] = {}
    for visit, visitor in found.all():  # the latest last
        on = school_age.local_date(visit.visited_at, settings)
        latest[visit.household_id] = _Seen(on, labels.VISIT_OUTCOME[visit.outcome], visitor)
    return latest


async def _latest_observations(
    session: AsyncSession, campaign: Campaign, children: list[uuid.UUID]
) -> dict[uuid.UUID, list[object]]:
    """Per child, what the campaign's latest visit found: 就读情况, 学校, 年级, 原因, 去向."""
    found = await session.exec(
        select(VisitObservation, col(School.name))
        .join(Visit, col(Visit.id) == col(VisitObservation.visit_id))
        .outerjoin(School, col(School.id) == col(VisitObservation.school_id))
        .where(col(Visit.campaign_id) == campaign.id, col(VisitObservation.child_id).in_(children))
        .order_by(col(VisitObservation.observed_at), col(VisitObservation.visit_id).desc())
    )
    latest: dict[uuid.UUID, list[object]] = {}
    for seen, school in found.all():
        out = seen.schooling is ObservedSchooling.NOT_IN_SCHOOL
        latest[seen.child_id] = [
            labels.OBSERVED_SCHOOLING[seen.schooling],
            school or seen.school_name or "",
            labels.grade(seen.grade) if seen.grade else "",
            labels.DROPOUT_REASON[seen.reason] if out and seen.reason else "",
            seen.whereabouts or "",
        ]
    return latest


def _workbook(
    *, campaign: Campaign, title: str, rows: list[list[object]], households: int, masked: bool
) -> bytes:
    book = Workbook()
    sheet: Worksheet = book.active
    sheet.title = "排查登记表"
    width = len(COLUMNS)
    last = get_column_letter(width)
    sheet.append([f"{title}控辍保学排查登记表"])
    sheet.merge_cells(f"A1:{last}1")
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    period = f"{campaign.starts_on:%Y年%m月%d日}至{campaign.ends_on:%Y年%m月%d日}"
    sheet.append([f"排查活动：{campaign.name}（{period}）"])
    sheet.merge_cells(f"A2:{last}2")
    sheet.append([name for name, _ in COLUMNS])
    for index, (_, chars) in enumerate(COLUMNS, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = chars + 2
        header = sheet.cell(row=3, column=index)
        header.font = Font(bold=True)
        header.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        header.border = _BOX
    for row in rows:
        sheet.append([sheets.cell(sheet, value) for value in row])
    for line in sheet.iter_rows(min_row=4, max_row=3 + len(rows), max_col=width):
        for cell in line:
            cell.border = _BOX
            cell.alignment = _WRAP
    children = sum(1 for r in rows if r[5] != NONE_OF_AGE)
    sheet.append([])
    sheet.append([f"合计：{households} 户，适龄儿童 {children} 人"])
    if masked:
        sheet.append(["身份证号码、电话已按规定隐去部分数字"])
    sheet.append([])
    sheet.append(["排查人（签字）：", "", "", "", "村（居）委会负责人（签字）：", "", "", "", "",
                  "包村干部（签字）：", "", "", "", "", "填表日期：    年  月  日"])  # fmt: skip
    sheet.freeze_panes = "A4"
    sheet.print_title_rows = "3:3"
    sheet.page_setup.orientation = "landscape"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    sheet.page_setup.fitToHeight = 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()
