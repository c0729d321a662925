"""Attachments: photos, PDFs and voice recordings kept on disk under the data directory,
never in the database.

The type is read from the file's first bytes, not from what the phone claims, and the size is
bounded; the name on disk is made here (the attachment's id, or a fresh one when the phone made
the id), so no uploaded name ever reaches a path and no upload overwrites another's file.

A phone working offline makes the id itself and may send the upload again (it cannot know
whether the first reached us): the same file under the same id from the same user is answered
with what was stored, and nothing more is stored.
"""

import hashlib
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from sqlalchemy.exc import IntegrityError
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Attachment
from api.services.core import audit
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge
from api.settings import Settings

_SIGNATURES: tuple[tuple[bytes, int, str], ...] = (
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"%PDF-", 0, "application/pdf"),
    (b"WEBP", 8, "image/webp"),
    # A persuasion attempt's recording, as phones make them.
    (b"ftypM4A", 4, "audio/mp4"),
    (b"#!AMR", 0, "audio/amr"),
    (b"OggS", 0, "audio/ogg"),
    (b"\x1a\x45\xdf\xa3", 0, "audio/webm"),
    (b"ID3", 0, "audio/mpeg"),
    (b"WAVE", 8, "audio/wav"),
)


@dataclass(frozen=True)
class StoredFile:
    attachment: Attachment
    path: Path


@dataclass(frozen=True)
class Upload:
    attachment: Attachment
    replayed: bool  # the same upload sent again: the attachment stored the first time


def folder(settings: Settings) -> Path:
    return settings.data_dir / "attachments"


def sniff(data: bytes) -> str | None:
    for magic, offset, content_type in _SIGNATURES:
        if data[offset : offset + len(magic)] == magic:
            return content_type
    return None


async def store(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    file_name: str,
    data: bytes,
    attachment_id: uuid.UUID | None = None,
) -> Upload:
    """Keep an uploaded file; under an id the phone made, once (a resend answers the first)."""
    if len(data) > settings.attachment_max_bytes:
        limit = settings.attachment_max_bytes // 2**20
        why = f"文件超过{limit}MB (the file is larger than {limit} MB)"
        raise PayloadTooLarge(why, errors=[{"loc": ["body", "file"], "msg": why}])
    if not data:
        raise InvalidInput("file", "文件是空的 (the file is empty)")
    content_type = sniff(data)
    if content_type is None:
        raise InvalidInput(
            "file", "只接受照片(JPEG、PNG、WEBP)、PDF或录音(M4A、AMR、OGG、WEBM、MP3、WAV)"
        )
    sha256 = hashlib.sha256(data).hexdigest()
    if attachment_id is not None:
        earlier = await session.get(Attachment, attachment_id)
        if earlier is not None:
            return _sent_again(earlier, actor=actor, sha256=sha256)
    attachment = Attachment(
        file_name=Path(file_name).name[:255] or "attachment",
        content_type=content_type,
        size_bytes=len(data),
        sha256=sha256,
        storage_key="",
        uploaded_by_id=actor.user_id,
    )
    # A phone's id may be sent by two uploads at once: each writes a file of its own.
    on_disk = attachment.id if attachment_id is None else uuid.uuid4()
    if attachment_id is not None:
        attachment.id = attachment_id
    attachment.storage_key = f"{on_disk.hex[:2]}/{on_disk.hex}"
    path = folder(settings) / attachment.storage_key
    path.parent.mkdir(parents=True, exist_ok=True)
    # Written before the row commits: a crash leaves an orphan file, never a row without one.
    path.write_bytes(data)
    session.add(attachment)
    audit.created(session=session, actor=actor, new=attachment, exclude={"storage_key"})
    try:
        await session.commit()
    except IntegrityError:  # the same id stored meanwhile by a concurrent upload
        await session.rollback()
        path.unlink(missing_ok=True)
        earlier = await session.get(Attachment, attachment_id) if attachment_id else None
        if earlier is None:
            raise
        return _sent_again(earlier, actor=actor, sha256=sha256)
    return Upload(attachment, replayed=False)


def _sent_again(earlier: Attachment, *, actor: Actor, sha256: str) -> Upload:
    """An upload under an id already stored: the same file from the same user again, or a
    conflict naming the id."""
    if earlier.uploaded_by_id != actor.user_id:
        why = "这个编号已被他人使用 (this id is taken)"
    elif earlier.sha256 != sha256:
        why = "这个编号已用于另一个文件 (this id holds another file)"
    else:
        return Upload(earlier, replayed=True)
    raise Conflict(why, errors=[{"loc": ["body", "id"], "msg": why}])


class VisibilityCheck(Protocol):
    """Raises unless the actor may see an attachment of this owner's."""

    async def __call__(
        self, *, session: AsyncSession, actor: Actor, settings: Settings, attachment: Attachment
    ) -> None: ...


_OWNERS: dict[str, VisibilityCheck] = {}


def owner(owner_type: str) -> Callable[[VisibilityCheck], VisibilityCheck]:
    """Registers who may see the attachments of ``owner_type``: each owner of attachments (a
    visit, an application, an attempt) declares it beside its own rules, so this module needs
    none of theirs and sits below them all."""

    def register(check: VisibilityCheck) -> VisibilityCheck:
        if _OWNERS.setdefault(owner_type, check) is not check:
            raise ValueError(f"attachments of {owner_type!r} already have a check")
        return check

    return register


def owner_types() -> frozenset[str]:
    return frozenset(_OWNERS)


async def open_for(
    *, session: AsyncSession, actor: Actor, settings: Settings, attachment_id: uuid.UUID
) -> StoredFile:
    """The file, for its uploader, or for whoever may see what it belongs to."""
    attachment = await session.get(Attachment, attachment_id)
    if attachment is None:
        raise NotFound(f"No attachment {attachment_id} here.")
    if attachment.uploaded_by_id != actor.user_id:
        check = _OWNERS.get(attachment.owner_type or "")
        if check is None:
            raise NotFound(f"No attachment {attachment_id} here.")
        await check(session=session, actor=actor, settings=settings, attachment=attachment)
    # A certificate is personal data: every read of it is recorded.
    await audit.read_in_full(
        session=session, actor=actor, object_type="attachment", object_id=attachment.id
    )
    return StoredFile(attachment, folder(settings) / attachment.storage_key)


async def claim(
    *,
    session: AsyncSession,
    actor: Actor,
    attachment_id: uuid.UUID,
    owner_type: str,
    owner_id: uuid.UUID,
    field: str,
) -> Attachment:
    """Link an uploaded attachment to what it proves; only its uploader may, and only once."""
    attachment = await session.get(Attachment, attachment_id)
    if (
        attachment is None
        or attachment.uploaded_by_id != actor.user_id
        or attachment.owner_id is not None
    ):
        raise InvalidInput(field, "请先上传证明文件 (upload the certificate first)")
    attachment.owner_type, attachment.owner_id = owner_type, owner_id
    session.add(attachment)
    return attachment
