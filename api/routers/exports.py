import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from api import uploads
from api.deps import ActorDep, SessionDep, SettingsDep
from api.routers.cases import CaseFilterDep
from api.schemas.common import AreaQuery
from api.schemas.monthly_report import MonthQuery
from api.schemas.statistics import BreakdownBy
from api.services.reports import children_ledger, dropout_ledger, monthly_report
from api.services.statistics import statistics_tables

router = APIRouter(prefix="/exports", tags=["cases"])


@router.get(
    "/dropout-ledger.xlsx",
    summary="The dropout ledger as XLSX (辍学学生台账), in its columns, scoped to the caller",
    description=(
        "The filters of `GET /cases`. `ledger=suspected` gives 疑似辍学学生台账 (reported, not"
        " yet verified), `ledger=confirmed` 辍学学生台账 (verified and not yet closed). A row a"
        " case: the child, school and grade, month of dropout, guardian and phone, home and"
        " registered address, reason, whereabouts, support given, source, reporter, the person"
        " answering on each line, status and deadlines, and every persuasion attempt. ID"
        " numbers and phones are whole only for a role that reads them, and that read is"
        " audited."
    ),
    response_class=Response,
    responses={**uploads.REPORT_RESPONSES, 422: {}},
)
async def export_dropout_ledger(
    actor: ActorDep, session: SessionDep, settings: SettingsDep, filters: CaseFilterDep
) -> Response:
    name, content = await dropout_ledger.export(
        session=session, actor=actor, settings=settings, filters=filters
    )
    return uploads.xlsx(name, content, ascii_name="dropout-ledger.xlsx")


@router.get(
    "/children-ledger.xlsx",
    summary="The school-age children ledger as XLSX (适龄儿童台账), scoped to the caller",
    description=(
        "A row for each child of compulsory-school age this school year (not removed, neither"
        " deceased nor emigrated) the caller sees: living within `area` (a county, township,"
        " village or group) and/or registered this term at `school`, else the caller's whole"
        " scope. Name, sex, ID number, birth date, township, village and group, home and"
        " registered address, guardian and phone, schooling status, this term's school, grade"
        " and class, left-behind, poverty-registered, disability and placement, remarks. ID"
        " numbers and phones are whole only for a role that reads them, and that read is"
        " audited. An area or school out of the caller's reach is 404."
    ),
    response_class=Response,
    responses={**uploads.REPORT_RESPONSES, 422: {}},
)
async def export_children_ledger(
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    area: AreaQuery = None,
    school: Annotated[uuid.UUID | None, Query(description="a school's registered pupils")] = None,
) -> Response:
    name, content = await children_ledger.export(
        session=session, actor=actor, settings=settings, area=area, school_id=school
    )
    return uploads.xlsx(name, content, ascii_name="children-ledger.xlsx")


@router.get(
    "/monthly-report.xlsx",
    summary="The school's monthly report to the county as XLSX (学校控辍保学月报)",
    description=(
        "`GET /stats/monthly-report` as the workbook a school sends: the table by grade with"
        " its total, the month's cases, and lines for the signatures."
    ),
    response_class=Response,
    responses={**uploads.REPORT_RESPONSES, 422: {}},
)
async def export_monthly_report(
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    school: Annotated[uuid.UUID, Query(description="the school reporting")],
    month: MonthQuery = None,
) -> Response:
    name, content = await monthly_report.export(
        session=session, actor=actor, settings=settings, school_id=school, month=month
    )
    return uploads.xlsx(name, content, ascii_name="monthly-report.xlsx")


@router.get(
    "/statistics.xlsx",
    summary="The statistics tables as XLSX (控辍保学统计表), by area, school, grade, reason,"
    " group or week",
    description=(
        "`GET /stats/breakdown` as the table clerks hand upward: a row a group, the figures the"
        " breakdown carries in Chinese columns (counts as numbers, rates as percentages), and"
        " a total row (none by group: left-behind, poverty and disabled children overlap)."
    ),
    response_class=Response,
    responses={**uploads.REPORT_RESPONSES, 422: {}},
)
async def export_statistics(
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    area: AreaQuery = None,
    by: Annotated[BreakdownBy, Query(description="what a row is")] = "area",
    weeks: Annotated[int, Query(ge=1, le=53, description="for `by=week`: how many weeks")] = 12,
) -> Response:
    name, content = await statistics_tables.export(
        session=session, actor=actor, settings=settings, area=area, by=by, weeks=weeks
    )
    return uploads.xlsx(name, content, ascii_name=f"statistics-{by}.xlsx")
