import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from api.models.vocabulary import ImportStatus
from api.schemas.common import Page


class ImportRowError(BaseModel):
    row: int = Field(description="the row number as the spreadsheet shows it (the header is 1)")
    field: str = Field(description="the column's heading as written in the file")
    message: str = Field(description="in Chinese, then English in brackets")


class ImportOut(BaseModel):
    """What every spreadsheet import answers: its file, its fate, and its faults."""

    id: uuid.UUID
    file_name: str
    sha256: str
    status: ImportStatus = Field(
        description="stored: the good rows are stored; refused: all_or_nothing was asked and "
        "a row was bad, so nothing was stored"
    )
    all_or_nothing: bool
    created_at: datetime
    created_by: str
    rows: int = Field(description="data rows in the file, blank rows left out")
    rejected: int = Field(description="rows refused; the report lists them with their faults")
    ignored_columns: list[str] = Field(description="headings this import does not read")
    errors: Page[ImportRowError]


class Upload(BaseModel):
    """What identifies an upload, for Idempotency-Key: the file's content and the choice."""

    sha256: str
    file_name: str
    all_or_nothing: bool
