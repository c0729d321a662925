import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Request, Response, UploadFile
from fastapi.responses import FileResponse

from api import responses
from api.deps import ActorDep, SessionDep, SettingsDep
from api.schemas.attachments import AttachmentOut
from api.services.core import attachments
from api.services.core.idempotency import Answer

router = APIRouter(prefix="/attachments", tags=["attachments"])


@router.post(
    "",
    status_code=201,
    summary="Upload a photo or PDF (a certificate, a letter); link it by id where it is needed",
    description=(
        "A phone working offline names the attachment itself (`id`, a UUID it made) and links"
        " it by that id before the upload is done (a visit's `attachment_ids`). Sent again"
        " with the same file, the upload answers the attachment stored the first time (201,"
        " marked `Idempotent-Replayed: true`) and stores nothing more; the id taken by another"
        " user, or by another file, is a 409 naming `id`."
    ),
    responses={401: {}, 403: {}, 409: {}, 413: {}, 422: {}},
)
async def upload(
    file: Annotated[UploadFile, File(description="JPEG, PNG, WEBP or PDF")],
    request: Request,
    response: Response,
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
    phone_id: Annotated[
        uuid.UUID | None, Form(alias="id", description="made by the phone, for offline work")
    ] = None,
) -> AttachmentOut:
    data = await file.read(settings.attachment_max_bytes + 1)
    stored = await attachments.store(
        session=session,
        actor=actor,
        settings=settings,
        file_name=file.filename or "attachment",
        data=data,
        attachment_id=phone_id,
    )
    out = AttachmentOut.model_validate(stored.attachment, from_attributes=True)
    answer = Answer(201, out.model_dump(mode="json"), replayed=stored.replayed)
    responses.created(response, answer, location=f"{request.url.path}/{out.id}")
    return out


@router.get(
    "/{attachment_id}",
    summary="Download an attachment (its uploader, or whoever may see what it proves)",
    responses={401: {}, 403: {}, 404: {}},
    response_class=FileResponse,
)
async def download(
    attachment_id: uuid.UUID, actor: ActorDep, session: SessionDep, settings: SettingsDep
) -> FileResponse:
    found = await attachments.open_for(
        session=session, actor=actor, settings=settings, attachment_id=attachment_id
    )
    return FileResponse(
        found.path,
        media_type=found.attachment.content_type,
        filename=found.attachment.file_name,
        headers={"Cache-Control": "no-store"},
    )
