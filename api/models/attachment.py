import uuid
from datetime import datetime

from sqlmodel import Field

from api.models.base import UTCDateTime, UUIDKeyed, utcnow


class Attachment(UUIDKeyed, table=True):
    """A photo or PDF (a certificate, a transfer letter) kept on disk under the data directory;
    the row says what it is, who brought it, and what it belongs to once linked."""

    file_name: str = Field(max_length=255)
    content_type: str = Field(max_length=100)
    size_bytes: int
    sha256: str = Field(max_length=64)
    storage_key: str = Field(max_length=200)  # a path relative to the attachment folder
    uploaded_by_id: uuid.UUID = Field(foreign_key="user.id", index=True)
    uploaded_at: datetime = Field(default_factory=utcnow, sa_type=UTCDateTime)
    owner_type: str | None = Field(default=None, max_length=40)  # an AttachmentOwner
    owner_id: uuid.UUID | None = Field(default=None, index=True)
