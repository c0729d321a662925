import uuid
from typing import Annotated

from fastapi import APIRouter, File, UploadFile

from api import responses, uploads
from api.deps import ActorDep, SessionDep, SettingsDep
from api.schemas.assignments import AssignmentImportOut
from api.schemas.common import Limit, Offset
from api.services.responsibility import assignment_import
from api.services.spreadsheets import import_records

# Included before the assignments router, so that /assignments/import is never taken for an
# assignment's id.
router = APIRouter(prefix="/assignments", tags=["assignments"])

_MEGABYTES = import_records.MAX_UPLOAD_BYTES // (1024 * 1024)


@router.post(
    "/import",
    status_code=201,
    summary="Assign many at once from a county's XLSX or CSV table of assignments (分工表)",
    description=(
        "One row per assignment. Headings in Chinese or the API's names: 分工类型 (`kind`:"
        " 包村, 包组, 包校, 班主任, 包保学生 or village, group, school, class, child), the person"
        " by 负责人账号 (`username`) or 负责人手机 (`phone`, when one account has it) with"
        " 负责人姓名 (`display_name`, checked against the account), and what they answer for:"
        " 区划代码 (`area_code`) of a village or group; 学校标识码 (`school_code`) of a school;"
        " 学校标识码 with 班级 (`class_name`: 三年级2班, or 2 with 年级 `grade`) of this school"
        " year's class; 身份证号码 (`id_number`) of a child. 开始日期 (`valid_from`) is today"
        " when left empty. Each row is held to the rules of `POST /assignments`: the kind's"
        " roles, both your coverage and the person's, a start neither in the future nor before"
        " the current holder's, who is then ended. A row naming who is responsible already"
        " changes nothing (`unchanged`), so the same file again adds nothing; the same object"
        " twice in a file is refused at its second row. Good rows are stored, bad ones"
        " reported by row and heading, and downloadable with their faults from"
        " `GET /assignments/imports/{id}/report.xlsx`."
        f" At most {_MEGABYTES} MB and {assignment_import.MAX_ROWS} rows a file."
    ),
    responses={401: {}, 403: {}, 409: {}, 413: {}, 415: {}, 422: {}},
)
async def import_assignments(
    once: responses.OnceDep,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description=f"a .xlsx workbook or a CSV, ≤ {_MEGABYTES} MB")],
    all_or_nothing: uploads.AllOrNothingDep,
) -> AssignmentImportOut:
    data, upload = await uploads.read(file, all_or_nothing=all_or_nothing)
    body = await uploads.import_once(
        once,
        upload=upload,
        write=lambda: assignment_import.import_file(
            session=session,
            actor=actor,
            settings=settings,
            data=data,
            filename=file.filename,
            all_or_nothing=all_or_nothing,
        ),
    )
    return AssignmentImportOut.model_validate(body)


@router.get(
    "/imports/{import_id}",
    summary="An assignment import's counts, and the faults of its refused rows, a page at a time",
    responses={401: {}, 403: {}, 404: {}},
)
async def get_assignment_import(
    import_id: uuid.UUID,
    actor: ActorDep,
    session: SessionDep,
    limit: Limit = 100,
    offset: Offset = 0,
) -> AssignmentImportOut:
    return await assignment_import.get(
        session=session, actor=actor, import_id=import_id, limit=limit, offset=offset
    )


uploads.add_report(
    router,
    "/imports/{import_id}/report.xlsx",
    name="get_assignment_import_report",
    report=assignment_import.report,
    ascii_name="assignment-import-errors.xlsx",
    summary="The refused rows as in the file, with 错误说明; fix them there and import it again",
)
