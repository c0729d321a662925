import uuid
from typing import Annotated

from fastapi import APIRouter, File, UploadFile
from fastapi.responses import FileResponse

from api.deps import ActorDep, SessionDep, SettingsDep
from api.schemas.status_applications import AttachmentOut
from api.services import attachments

router = APIRouter(prefix="/attachments", tags=["attachments"])


@router.post(
    "",
    status_code=201,
    summary="Upload a photo or PDF (a certificate, a letter); link it by id where it is needed",
    responses={401: {}, 413: {}, 422: {}},
)
async def upload(
    file: Annotated[UploadFile, File(description="JPEG, PNG, WEBP or PDF")],
    actor: ActorDep,
    session: SessionDep,
    settings: SettingsDep,
) -> AttachmentOut:
    data = await file.read(settings.attachment_max_bytes + 1)
    stored = await attachments.store(
        session=session,
        actor=actor,
        settings=settings,
        file_name=file.filename or "attachment",
        data=data,
    )
    return AttachmentOut.model_validate(stored, from_attributes=True)


@router.get(
    "/{attachment_id}",
    summary="Download an attachment (its uploader, or whoever may see what it proves)",
    responses={401: {}, 404: {}},
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
