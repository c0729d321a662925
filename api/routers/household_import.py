import uuid
from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from api import responses, uploads
from api.deps import ActorDep, SessionDep, SettingsDep
from api.schemas.common import Limit, Offset
from api.schemas.household_import import HouseholdImportOut
from api.services.registry import household_import
from api.services.spreadsheets import import_records

# Included before the households router, so that /households/import is never taken for a
# household's id.
router = APIRouter(prefix="/households", tags=["households"])

_MEGABYTES = import_records.MAX_UPLOAD_BYTES // (1024 * 1024)


@router.post(
    "/import",
    status_code=201,
    summary="Import households and children from a county's XLSX or CSV spreadsheet",
    description=(
        "One sheet, one row per child, the household's columns repeated on each of its rows."
        " Headings in Chinese (区划代码, 家庭住址, 户主姓名, 联系电话, 是否建档立卡户, 是否低保户,"
        " 儿童姓名, 性别, 出生日期, 身份证号码, 户籍地址, 留守情况, 残疾类别, 残疾等级, 安置方式,"
        " 孤儿, 事实无人抚养, 困境儿童, 随迁子女, 监护人姓名, 与儿童关系, 监护人电话) or the API's"
        " field names (`area_code`, ..., `name`, `sex`, `birth_date`, `id_number`, ... and"
        " `guardian_name`, `guardian_relation`, `guardian_phone`); flags as 是/否, Y/N or 1/0;"
        " dates as Excel dates or 2017-03-01, 2017/3/1, 20170301. CSV in UTF-8 (with or"
        " without BOM) or GB18030. Each row is checked with"
        " the rules of registering one child; good rows are stored, bad ones reported by row"
        " number and heading (`errors`), and downloadable with their faults from"
        " `GET /households/imports/{id}/report.xlsx`. A household is matched by area code,"
        " address and head's name, a child by ID number (or household, name and birth date):"
        " importing the same file again adds nothing. A bad row is refused alone: the good"
        " rows of its household are kept. A household is created only when one of its rows"
        f" adds a child; a registered one is left as it is. At most {_MEGABYTES} MB and"
        f" {household_import.MAX_ROWS} rows a file."
    ),
    responses={401: {}, 403: {}, 409: {}, 413: {}, 415: {}, 422: {}},
)
async def import_households(
    once: responses.OnceDep,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description=f"a .xlsx workbook or a CSV, ≤ {_MEGABYTES} MB")],
    all_or_nothing: uploads.AllOrNothingDep,
) -> HouseholdImportOut:
    data, upload = await uploads.read(file, all_or_nothing=all_or_nothing)
    body = await uploads.import_once(
        once,
        upload=upload,
        write=lambda: household_import.import_file(
            session=session,
            actor=actor,
            settings=settings,
            data=data,
            filename=file.filename,
            all_or_nothing=all_or_nothing,
        ),
    )
    return HouseholdImportOut.model_validate(body)


@router.get(
    "/imports/{import_id}",
    summary="An import's counts, and the faults of its refused rows, a page at a time",
    responses={401: {}, 403: {}, 404: {}},
)
async def get_household_import(
    import_id: uuid.UUID,
    actor: ActorDep,
    session: SessionDep,
    limit: Limit = 100,
    offset: Offset = 0,
) -> HouseholdImportOut:
    return await household_import.get(
        session=session, actor=actor, import_id=import_id, limit=limit, offset=offset
    )


uploads.add_report(
    router,
    "/imports/{import_id}/report.xlsx",
    name="get_household_import_report",
    report=household_import.report,
    ascii_name="import-errors.xlsx",
    summary="The refused rows as in the file, with 错误说明; fix them there and import it again",
)
