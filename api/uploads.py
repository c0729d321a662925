"""Spreadsheet imports over HTTP: the all-or-nothing choice (query or form), the file read
with one byte to spare, the import run once under an Idempotency-Key, a file that is no
spreadsheet answered 415, and the report of refused rows as a download."""

import hashlib
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, File, Form, Path, Query, Response, UploadFile
from pydantic import BaseModel

from api import responses
from api.deps import ActorDep, SessionDep, SettingsDep
from api.problems import Problem
from api.schemas.common import Limit, Offset
from api.schemas.imports import Upload
from api.services.core import idempotency
from api.services.spreadsheets import import_records
from api.services.spreadsheets.import_rows import UnsupportedFile


def query_or_form_flag(name: str, description: str) -> Callable[..., Awaitable[bool]]:
    """A yes/no an upload may send in its query or in its form (a clerk's tool may do either):
    true when either says so."""

    async def either(
        query: Annotated[bool, Query(alias=name, description=description)] = False,
        form: Annotated[bool, Form(alias=name, description=description)] = False,
    ) -> bool:
        return query or form

    return either


AllOrNothingDep = Annotated[
    bool,
    Depends(query_or_form_flag("all_or_nothing", "any bad row stores none of the rows")),
]


async def read(file: UploadFile, *, all_or_nothing: bool) -> tuple[bytes, Upload]:
    """The file (or as much of it as tells that it is too large), and what identifies it."""
    data = await file.read(import_records.MAX_UPLOAD_BYTES + 1)
    upload = Upload(
        sha256=hashlib.sha256(data).hexdigest(),
        file_name=file.filename or "",
        all_or_nothing=all_or_nothing,
    )
    return data, upload


async def import_once(
    once: responses.Once,
    *,
    upload: Upload,
    write: Callable[[], Awaitable[BaseModel]],
    located: Callable[[str], str] | None = None,
) -> dict[str, Any]:
    """An import answered 201 at ``.../imports/{id}`` (or where ``located`` puts the new id:
    an upload that is a resource of its own); the same key again, the same answer."""
    try:
        result = await idempotency.once(
            session=once.session,
            actor=once.actor,
            key=once.key,
            fingerprint=idempotency.fingerprint("POST", once.request.url.path, upload),
            status_code=201,
            write=write,
        )
    except UnsupportedFile as exc:
        raise Problem(
            415,
            str(exc),
            slug="unsupported-media-type",
            errors=[{"loc": ["body", "file"], "msg": str(exc)}],
        ) from exc
    made = str(result.body["id"])
    location = (
        located(made)
        if located
        else once.request.url.path.removesuffix("/import") + f"/imports/{made}"
    )
    responses.created(once.response, result, location=location)
    return result.body


REPORT_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {import_records.XLSX_TYPE: {}}, "description": "the workbook"},
    401: {},
    403: {},
    404: {},
}


def xlsx(filename: str, content: bytes, *, ascii_name: str) -> Response:
    disposition = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"
    return Response(
        content, media_type=import_records.XLSX_TYPE, headers={"Content-Disposition": disposition}
    )


ReportOf = Callable[..., Awaitable[tuple[str, bytes]]]


def add_report(
    router: APIRouter,
    path: str,
    *,
    name: str,
    report: ReportOf,
    ascii_name: str,
    summary: str,
    description: str | None = None,
) -> None:
    """GET ``path``: an import's refused rows as in the file, with 错误说明, made by ``report``
    (a service taking the session, the actor and the import's id under the path's one
    parameter's name). Each kind of import has its path and its service; the endpoint is this
    one."""
    (id_name,) = re.findall(r"\{(\w+)\}", path)

    async def endpoint(
        record_id: Annotated[uuid.UUID, Path(alias=id_name)], actor: ActorDep, session: SessionDep
    ) -> Response:
        filename, content = await report(session=session, actor=actor, **{id_name: record_id})
        return xlsx(filename, content, ascii_name=ascii_name)

    router.add_api_route(
        path,
        endpoint,
        methods=["GET"],
        name=name,
        summary=summary,
        description=description,
        response_class=Response,
        responses=REPORT_RESPONSES,
    )


ImportOf = Callable[..., Awaitable[BaseModel]]
MEGABYTES = import_records.MAX_UPLOAD_BYTES // (1024 * 1024)
SpreadsheetFile = Annotated[
    UploadFile, File(description=f"a .xlsx workbook or a CSV, ≤ {MEGABYTES} MB")
]


def add_import(
    router: APIRouter,
    path: str,
    *,
    name: str,
    import_file: ImportOf,
    answer: type[BaseModel],
    summary: str,
    description: str,
) -> None:
    """POST ``path``: a county's spreadsheet imported by ``import_file`` (a service taking the
    session, the actor, the settings, the file's bytes and name, and ``all_or_nothing``),
    once under an Idempotency-Key, answered 201 at ``.../imports/{id}``."""

    async def endpoint(
        once: responses.OnceDep,
        actor: ActorDep,
        session: SessionDep,
        settings: SettingsDep,
        file: SpreadsheetFile,
        all_or_nothing: AllOrNothingDep,
    ) -> dict[str, Any]:
        data, upload = await read(file, all_or_nothing=all_or_nothing)
        return await import_once(
            once,
            upload=upload,
            write=lambda: import_file(
                session=session,
                actor=actor,
                settings=settings,
                data=data,
                filename=file.filename,
                all_or_nothing=all_or_nothing,
            ),
        )

    router.add_api_route(
        path,
        endpoint,
        methods=["POST"],
        name=name,
        status_code=201,
        response_model=answer,
        summary=summary,
        description=description,
        responses={401: {}, 403: {}, 409: {}, 413: {}, 415: {}, 422: {}},
    )


def add_import_page(
    router: APIRouter,
    path: str,
    *,
    name: str,
    get: ImportOf,
    answer: type[BaseModel],
    summary: str,
) -> None:
    """GET ``path``: an import's counts and the faults of its refused rows, a page at a time,
    from ``get`` (a service taking the session, the actor, ``import_id``, limit and offset)."""

    async def endpoint(
        import_id: uuid.UUID,
        actor: ActorDep,
        session: SessionDep,
        limit: Limit = 100,
        offset: Offset = 0,
    ) -> BaseModel:
        return await get(
            session=session, actor=actor, import_id=import_id, limit=limit, offset=offset
        )

    router.add_api_route(
        path,
        endpoint,
        methods=["GET"],
        name=name,
        response_model=answer,
        summary=summary,
        responses={401: {}, 403: {}, 404: {}},
    )
