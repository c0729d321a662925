import email.message
import hashlib
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated

from fastapi import APIRouter, Depends, File, Query, Request, Response, UploadFile
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, ValidationError

from api import responses, uploads
from api.deps import ActorDep, SessionDep, SettingsDep
from api.problems import Problem
from api.schemas.common import Limit, Offset, Page
from api.schemas.enrolments import Term
from api.schemas.rosters import (
    RosterBrief,
    RosterEntryPage,
    RosterOut,
    RosterUpload,
    RosterUploadKey,
)
from api.services.rosters import roster_import, roster_rows
from api.services.spreadsheets import import_records

router = APIRouter(tags=["rosters"])

UPLOAD_SCHEMA = "RosterUpload"  # the JSON body's shape, documented by app.py
_HEADINGS = "、".join(column.headings[0] for column in roster_rows.LAYOUT.columns)
_FIELDS = ", ".join(f"`{key}`" for key in roster_rows.KEYS)
TermQuery = Annotated[Term | None, Query(description="defaults to the current term")]
_CONFIRM_SHRINK = (
    "store the roster even when it drops more than the allowed share of the school's "
    "registrations of the term"
)


ConfirmShrinkDep = Annotated[
    bool, Depends(uploads.query_or_form_flag("confirm_shrink", _CONFIRM_SHRINK))
]


@router.post(
    "/schools/{school_id}/roster",
    status_code=201,
    summary="Upload a school's roster (学籍名单) for a term: XLSX, CSV or JSON; it replaces the "
    "term's",
    description=(
        "The columns of a student-status export, headed in Chinese"
        f" ({_HEADINGS}; also 全国学籍号, 学生姓名, 身份证号码, 班级名称, 入学年月, 家长姓名)"
        f" or by the API's names ({_FIELDS}): a multipart `file` (.xlsx, or CSV in UTF-8 or"
        " GB18030/GBK as Chinese Excel saves it), or `application/json` with `rows` (see"
        f" {UPLOAD_SCHEMA}). 年级 is 1 to 9 or 一年级, 初一...; 学籍状态 在籍 (the default),"
        " 休学, 转出, 毕业 or 注销. 身份证件类型 is 居民身份证 (the default),"
        " 港澳居民来往内地通行证, 台湾居民来往大陆通行证, 外国人永久居留身份证, 护照 or 其他:"
        " another document's number is kept as given (`id_document_number`), not checked or"
        " matched as an ID number. Each row is checked with the rules of registering a pupil:"
        " the student number (G + ID number, L, J), the ID number and the birth date and sex"
        " in it, a grade the school teaches, no date in the future, no student or ID number"
        " twice in the file (the later rows refused). Good rows are kept, bad ones reported"
        " by row and heading in `errors` (for JSON, `row` is the index in `rows` and `field`"
        " the key) and downloadable from `GET /rosters/{id}/report.xlsx`. The upload replaces"
        " the school's roster of the term at once: the previous version is kept, readable and"
        " marked `replaced_at`; the school's registrations (学籍) of the term become the kept"
        " rows, in their classes (opened when the school has none of that name), and are"
        " linked to the children the population side knows (`matched`). No good row: a 422,"
        " nothing changed. `all_or_nothing`: any bad row stores none (the upload is kept,"
        " `refused`, with its report). An upload that would drop more than"
        " `BAOXUE_ROSTER_SHRINK_LIMIT` (20% by default) of the school's registrations of the"
        " term (those whose student number it no longer has) is a 409 naming `confirm_shrink`,"
        " with `current`, `kept`, `removed` and `limit`, and stores nothing; sent again with"
        " `confirm_shrink=true` (query, form or JSON body) it goes through. The term's first"
        " roster is never asked about. Two uploads for the same school and term at once: the"
        f" second is a 409, to be tried again. At most {uploads.MEGABYTES} MB and"
        f" {roster_import.MAX_ROWS} rows."
    ),
    openapi_extra={
        "requestBody": {
            "content": {
                "application/json": {"schema": {"$ref": f"#/components/schemas/{UPLOAD_SCHEMA}"}}
            },
        }
    },
    responses={400: {}, 401: {}, 403: {}, 404: {}, 409: {}, 413: {}, 415: {}, 422: {}},
)
async def upload_roster(
    school_id: uuid.UUID,
    request: Request,
    response: Response,
    once: responses.OnceDep,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    all_or_nothing: uploads.AllOrNothingDep,
    confirm_shrink: ConfirmShrinkDep,
    term: TermQuery = None,
    file: Annotated[
        UploadFile | None, File(description=f"a .xlsx workbook or a CSV, ≤ {uploads.MEGABYTES} MB")
    ] = None,
) -> RosterOut:
    write: Callable[[], Awaitable[BaseModel]]
    if _is_json(request):
        data, upload = await _json_body(request)
        key = RosterUploadKey(
            sha256=hashlib.sha256(data).hexdigest(),
            file_name="",
            all_or_nothing=upload.all_or_nothing,
            term=term,
            confirm_shrink=upload.confirm_shrink or confirm_shrink,
        )
        write = lambda: roster_import.import_json(  # noqa: E731
            session=session,
            actor=actor,
            settings=settings,
            school_id=school_id,
            term=term,
            upload=upload,
            data=data,
            confirm_shrink=upload.confirm_shrink or confirm_shrink,
        )
    elif file is not None:
        data, sent = await uploads.read(file, all_or_nothing=all_or_nothing)
        key = RosterUploadKey(**sent.model_dump(), term=term, confirm_shrink=confirm_shrink)
        write = lambda: roster_import.import_file(  # noqa: E731
            session=session,
            actor=actor,
            settings=settings,
            school_id=school_id,
            term=term,
            data=data,
            filename=file.filename,
            all_or_nothing=all_or_nothing,
            confirm_shrink=confirm_shrink,
        )
    else:
        raise _no_roster(request)
    body = await uploads.import_once(
        once,
        upload=key,
        write=write,
        located=lambda made: request.url_for("get_roster", roster_id=made).path,
    )
    if "etag" in response.headers:  # the term's upload number, not a version of this one
        del response.headers["etag"]
    return RosterOut.model_validate(body)


def _is_json(request: Request) -> bool:
    message = email.message.Message()
    message["content-type"] = request.headers.get("content-type", "")
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


async def _json_body(request: Request) -> tuple[bytes, RosterUpload]:
    """The body (as much of it as tells that it is too large), read as a RosterUpload."""
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > import_records.MAX_UPLOAD_BYTES:
            break
    import_records.check_size(bytes(data))
    try:
        return bytes(data), RosterUpload.model_validate_json(bytes(data))
    except ValidationError as exc:
        raise RequestValidationError(
            [{**error, "loc": ("body", *error["loc"])} for error in exc.errors()]
        ) from exc


def _no_roster(request: Request) -> Exception:
    if request.headers.get("content-type", "").startswith("multipart/form-data"):
        message = "请上传学籍名单文件 (send the roster as the file field)"
        return RequestValidationError(
            [{"type": "missing", "loc": ("body", "file"), "msg": message}]
        )
    message = (
        "请以 multipart/form-data 上传文件，或以 application/json 发送 rows "
        "(send a multipart file or a JSON body of rows)"
    )
    return Problem(
        415,
        message,
        slug="unsupported-media-type",
        errors=[{"loc": ["body"], "msg": message}],
    )


@router.get(
    "/schools/{school_id}/rosters",
    summary="A school's roster uploads, of a term or all, the newest first",
    responses={401: {}, 403: {}, 404: {}},
)
async def list_rosters(
    school_id: uuid.UUID,
    actor: ActorDep,
    session: SessionDep,
    term: Annotated[Term | None, Query(description="one term's uploads")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> Page[RosterBrief]:
    items, total = await roster_import.history(
        session=session, actor=actor, school_id=school_id, term=term, limit=limit, offset=offset
    )
    return Page(items=items, total=total, limit=limit, offset=offset)


@router.get(
    "/rosters/{roster_id}",
    summary="A roster upload's counts, and the faults of its refused rows, a page at a time",
    responses={401: {}, 403: {}, 404: {}},
)
async def get_roster(
    roster_id: uuid.UUID,
    actor: ActorDep,
    session: SessionDep,
    limit: Limit = 100,
    offset: Offset = 0,
) -> RosterOut:
    return await roster_import.get(
        session=session, actor=actor, roster_id=roster_id, limit=limit, offset=offset
    )


@router.get(
    "/rosters/{roster_id}/entries",
    summary="A roster's kept rows as uploaded; ID numbers in full for who may read them so",
    responses={401: {}, 403: {}, 404: {}},
)
async def list_roster_entries(
    roster_id: uuid.UUID,
    actor: ActorDep,
    session: SessionDep,
    limit: Limit = 100,
    offset: Offset = 0,
) -> RosterEntryPage:
    return await roster_import.entries(
        session=session, actor=actor, roster_id=roster_id, limit=limit, offset=offset
    )


uploads.add_report(
    router,
    "/rosters/{roster_id}/report.xlsx",
    name="get_roster_report",
    report=roster_import.report,
    ascii_name="roster-errors.xlsx",
    summary="The refused rows as uploaded, with 错误说明 and 原行号: fix them in the school's "
    "file and upload the whole roster again (an upload replaces the term's roster)",
)
