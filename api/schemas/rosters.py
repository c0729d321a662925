import uuid
from datetime import date, datetime
from typing import Annotated

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
)

from api.models.vocabulary import EnrolmentStatus, IdDocumentType, ImportStatus, Sex
from api.schemas.common import Page
from api.schemas.enrolments import Term
from api.schemas.imports import ImportOut, Upload


def _scalar(value: object) -> str | int | float | bool | None:
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise ValueError("须为文字、数字、true/false 或 null (a string, number, boolean or null)")


# A JSON row's values, as a spreadsheet's cells: each is checked by the roster's row rules, so
# that a bad value refuses its row, not the upload.
JsonCell = Annotated[str | int | float | bool | None, PlainValidator(_scalar)]


class RosterRowIn(BaseModel):
    """One pupil of a roster sent as JSON, with the columns of a student-status export."""

    student_number: str = Field(
        description="学籍号: G + ID number, L temporary, J without a usable ID number",
        examples=["G510821201703010011"],
    )
    name: str = Field(examples=["张小明"])
    sex: str = Field(description="男 or 女 (male, female)", examples=["男"])
    birth_date: date
    id_document_type: str | None = Field(
        default=None,
        description="身份证件类型: 居民身份证 (the default), 港澳居民来往内地通行证, "
        "台湾居民来往大陆通行证, 外国人永久居留身份证, 护照, 其他, or the English values; "
        "another document's number is kept as given, not checked or matched as an ID number",
        examples=["居民身份证"],
    )
    id_number: str | None = Field(
        default=None,
        description="居民身份证号码 (read from a G student number when absent), or the number "
        "of the document `id_document_type` names",
    )
    grade: int | str = Field(description="1 to 9, or 一年级 ... 九年级, 初一 ...", examples=[3])
    class_name: str | None = Field(default=None, examples=["三年级1班"])
    entry_date: date | None = Field(default=None, description="入学日期 (or 2021-09)")
    status: str | None = Field(
        default=None,
        description="学籍状态: 在籍 (the default), 休学, 转出, 毕业, 注销, or the English values",
        examples=["在籍"],
    )
    guardian_name: str | None = None


class RosterUploadDoc(BaseModel):
    """A roster sent as JSON: the pupils in `rows`, each checked alone by the roster's row
    rules (a bad one is reported by its index, the others kept)."""

    term: Term | None = Field(default=None, description="defaults to the ?term= or the current")
    all_or_nothing: bool = Field(default=False, description="any bad row stores none of them")
    confirm_shrink: bool = Field(
        default=False,
        description="store it even when it drops more than the allowed share of the school's "
        "registrations of the term (otherwise a 409 with the counts)",
    )
    rows: list[RosterRowIn] = Field(min_length=1)


class RosterUpload(BaseModel):
    """A roster as it arrives as JSON: each row is checked alone by the row rules, a bad one
    reported by its index while the others are kept."""

    model_config = ConfigDict(extra="forbid")

    term: Term | None = None
    all_or_nothing: bool = False
    confirm_shrink: bool = False
    rows: list[dict[str, JsonCell]] = Field(min_length=1)


class RosterUploadKey(Upload):
    """What identifies a roster upload, for Idempotency-Key: the content, the choice, the
    term asked for."""

    term: str | None
    confirm_shrink: bool = False


class RosterOut(ImportOut):
    """A roster upload: what it kept, what it refused and why, and whether it is the school's
    roster of the term now."""

    school_id: uuid.UUID
    term: str
    version: int = Field(description="1 for the term's first upload, then one more each time")
    current: bool = Field(description="the school's registrations of the term are this one's")
    replaced_at: datetime | None = Field(description="when a newer upload replaced it")
    entries: int = Field(description="rows kept, each now a registration (学籍) of the term")
    matched: int = Field(description="of the registrations, those linked to a known child")


class RosterBrief(BaseModel):
    id: uuid.UUID
    school_id: uuid.UUID
    term: str
    version: int
    current: bool
    status: ImportStatus
    replaced_at: datetime | None
    created_at: datetime
    created_by: str
    file_name: str
    rows: int
    entries: int
    rejected: int
    matched: int


class RosterEntryOut(BaseModel):
    """A row of an upload as the school sent it."""

    row: int = Field(description="its row in the file (the index in `rows` for JSON)")
    student_number: str
    name: str
    sex: Sex
    birth_date: date
    id_number: str | None = Field(description="a 居民身份证 number only")
    id_document_type: IdDocumentType | None = Field(
        description="another document than a 居民身份证, when the roster names one"
    )
    id_document_number: str | None = Field(description="that document's number, as given")
    grade: int
    class_name: str | None
    entry_date: date | None
    status: EnrolmentStatus
    guardian_name: str | None


class RosterEntryPage(Page[RosterEntryOut]):
    masked: bool = Field(description="ID numbers (and the G student numbers holding them) masked")
