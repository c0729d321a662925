"""Spreadsheet imports over HTTP: the all-or-nothing choice (query or form), the file read
with one byte to spare, the import run once under an Idempotency-Key, a file that is no
spreadsheet answered 415, and the report of refused rows as a download."""

import hashlib
import re
import uuid
from collections.abc import Awaitable, Callable
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Path, Query, Response, UploadFile
from pydantic import BaseModel

from api import responses
from api.deps import ActorDep, SessionDep
from api.problems import Problem
from api.schemas.imports import Upload
from api.services.core import idempotency
from api.services.spreadsheets import import_records
from api.services.spreadsheets.import_rows import UnsupportedFile

_ALL_OR_NOTHING = "any bad row stores none of the rows"


async def _all_or_nothing(
    query: Annotated[bool, Query(alias="all_or_nothing", description=_ALL_OR_NOTHING)] = False,
    form: Annotated[bool, Form(alias="all_or_nothing", description=_ALL_OR_NOTHING)] = False,
) -> bool:
    return query or form


AllOrNothingDep = Annotated[bool, Depends(_all_or_nothing)]


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
