import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Request

from api import responses, uploads
from api.deps import ActorDep, SessionDep, SettingsDep
from api.schemas.common import AreaQuery, Limit, Offset, Page, SearchQuery
from api.schemas.poverty_lists import (
    PovertyListItem,
    PovertyListOut,
    PovertyListUpload,
    PovertyMemberPage,
)
from api.services.rosters import poverty_lists

router = APIRouter(prefix="/poverty-lists", tags=["poverty lists"])


@router.post(
    "",
    status_code=201,
    summary="Upload the poverty household list (脱贫户/监测户/低保户) of a county or township",
    description=(
        "The list as the rural-revitalisation office exports it, XLSX or CSV (UTF-8 with or"
        " without BOM, or GB18030): one row a member, the household's columns repeated on each"
        " of its rows. Headings in Chinese (户编号, 户类型, 区划代码, 户主姓名, 成员姓名,"
        " 身份证号码, 与户主关系, 出生日期) or the API's field names (`household_number`,"
        " `kind`, `area_code`, `head_name`, `name`, `id_number`, `relation`, `birth_date`);"
        " `kind` is 脱贫户 (also 脱贫不稳定户, 建档立卡户: `lifted`), 监测户 (also 边缘易致贫户,"
        " 突发严重困难户: `monitored`) or 低保户 (`minimum_living`). The birth date is read from"
        " the ID number when left blank. Bad rows (an invalid ID number, an unknown type, a"
        " village outside the list's area, an ID number twice, a household told two ways) are"
        " reported by row number and heading and downloadable from"
        " `GET /poverty-lists/{id}/report.xlsx`; the good rows are kept. When no row can be"
        " kept, or `all_or_nothing` is asked and a row is bad, the answer is a 422 naming each"
        " row and nothing is stored. The list replaces the area's current one, which stays"
        f" readable. At most {uploads.MEGABYTES} MB and {poverty_lists.MAX_ROWS} rows a file."
    ),
    responses={401: {}, 403: {}, 409: {}, 413: {}, 415: {}, 422: {}},
)
async def upload_poverty_list(
    request: Request,
    once: responses.OnceDep,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    file: uploads.SpreadsheetFile,
    area_code: Annotated[
        str,
        Form(
            pattern=r"^\d{6}(\d{3}){0,3}$",
            description="the area the list covers: a county (6 digits) or a township (9)",
        ),
    ],
    all_or_nothing: uploads.AllOrNothingDep,
) -> PovertyListOut:
    data, upload = await uploads.read(file, all_or_nothing=all_or_nothing)
    body = await uploads.import_once(
        once,
        upload=PovertyListUpload(**upload.model_dump(), area_code=area_code),
        write=lambda: poverty_lists.upload(
            session=session,
            actor=actor,
            settings=settings,
            data=data,
            filename=file.filename,
            area_code=area_code,
            all_or_nothing=all_or_nothing,
        ),
        located=lambda made: f"{request.url.path}/{made}",  # a list is a resource of its own
    )
    return PovertyListOut.model_validate(body)


@router.get(
    "",
    summary="The poverty household lists of the caller's areas, newest first",
    responses={401: {}, 403: {}, 422: {}},
)
async def list_poverty_lists(
    actor: ActorDep,
    session: SessionDep,
    area: AreaQuery = None,
    current: bool | None = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[PovertyListItem]:
    items, total = await poverty_lists.search(
        session=session, actor=actor, area=area, current=current, limit=limit, offset=offset
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/{list_id}",
    summary="A list's counts, and the faults of its refused rows, a page at a time",
    responses={401: {}, 403: {}, 404: {}},
)
async def get_poverty_list(
    list_id: uuid.UUID,
    actor: ActorDep,
    session: SessionDep,
    limit: Limit = 100,
    offset: Offset = 0,
) -> PovertyListOut:
    return await poverty_lists.get(
        session=session, actor=actor, list_id=list_id, limit=limit, offset=offset
    )


@router.get(
    "/{list_id}/members",
    summary="A list's members in the file's order; ID numbers masked unless read in full",
    description=(
        "`q` finds a member by ID number (whole or some digits) or household number, pinyin"
        " (`zhangsan`), or part of the member's or head's name. Whoever may read poverty lists"
        " in full gets the ID numbers whole (`masked: false`), and the read is audited."
    ),
    responses={401: {}, 403: {}, 404: {}},
)
async def list_members(
    list_id: uuid.UUID,
    actor: ActorDep,
    session: SessionDep,
    q: SearchQuery = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> PovertyMemberPage:
    return await poverty_lists.members(
        session=session, actor=actor, list_id=list_id, q=q, limit=limit, offset=offset
    )


uploads.add_report(
    router,
    "/{list_id}/report.xlsx",
    name="get_poverty_list_report",
    report=poverty_lists.report,
    ascii_name="poverty-list-errors.xlsx",
    summary="The refused rows as in the file, with 错误说明",
    description=(
        "Fix the rows in the office's file and upload the whole list again: a list replaces"
        " the area's current one, so uploading the fixed rows alone would leave only them."
    ),
)
