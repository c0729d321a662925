"""What every spreadsheet import keeps and gives back: its record (who, which file, what came
of it, the refused rows with their faults), who may read it later, and the report of the
refused rows that the clerk fixes and imports again."""

import asyncio
import hashlib
import io
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any, TypeVar

from openpyxl import Workbook
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models.household_import import ImportRecord
from api.models.vocabulary import ImportStatus
from api.schemas.common import Page
from api.schemas.imports import ImportRowError
from api.services.access import scoping
from api.services.core import audit
from api.services.core.actors import Actor
from api.services.core.errors import Fault, NotFound, PayloadTooLarge
from api.services.spreadsheets import import_rows, sheets
from api.services.spreadsheets.import_rows import Cell, Layout, Sheet

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
FIRST_ERRORS = 100  # in the answer to the upload; the rest are paged by GET
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

R = TypeVar("R", bound=ImportRecord)


def check_size(data: bytes) -> None:
    if len(data) > MAX_UPLOAD_BYTES:
        megabytes = MAX_UPLOAD_BYTES // (1024 * 1024)
        raise PayloadTooLarge(
            f"文件不能超过{megabytes}MB，请分成几个文件 (at most {megabytes} MB a file: split it)",
            max_bytes=MAX_UPLOAD_BYTES,
        )


def fields(
    *,
    actor: Actor,
    data: bytes,
    filename: str | None,
    all_or_nothing: bool,
    sheet: Sheet,
    errors: list[dict[str, Any]],
    rejected: list[tuple[int, list[Cell]]],
) -> dict[str, Any]:
    """The fields every import record has; refused when all or nothing was asked and a row
    was bad."""
    refused = all_or_nothing and bool(rejected)
    return {
        "created_by_id": actor.user_id,
        "created_by_username": actor.username,
        "area_codes": list(actor.area_codes),
        "file_name": (filename or "upload")[:255],
        "sha256": hashlib.sha256(data).hexdigest(),
        "all_or_nothing": all_or_nothing,
        "status": ImportStatus.REFUSED if refused else ImportStatus.STORED,
        "rows": len(sheet.rows),
        "rejected": len(rejected),
        "columns": sheet.header,
        "errors": errors,
        "rejected_rows": [
            {"row": row, "cells": [import_rows.text(cell) for cell in cells]}
            for row, cells in rejected
        ],
    }


def row_errors(
    sheet: Sheet, layout: Layout, rejected: Iterable[tuple[int, Sequence[Fault]]]
) -> list[dict[str, Any]]:
    """Each fault of the refused rows (row number, faults), once, under the column's heading
    as the file wrote it, or the layout's own for a column the file lacks."""

    def heading(key: str) -> str:
        return sheet.heading(key) if key in sheet.columns else layout.heading(key)

    return [
        {"row": row, "field": heading(key), "message": message}
        for row, faults in rejected
        for key, message in dict.fromkeys(faults)
    ]


# The faults and refused rows are in the import itself; the audit keeps what it did.
NOT_AUDITED = {"errors", "rejected_rows", "columns", "area_codes", "created_by_id"}


def summary(batch: ImportRecord, layout: Layout, *, limit: int, offset: int) -> dict[str, Any]:
    """The fields every import's answer has, with a page of its faults."""
    return {
        **batch.model_dump(exclude={*NOT_AUDITED, "created_by_username"}),
        "created_by": batch.created_by_username,
        "ignored_columns": layout.ignored(batch.columns),
        "errors": Page(
            items=[ImportRowError(**e) for e in batch.errors[offset : offset + limit]],
            total=len(batch.errors),
            limit=limit,
            offset=offset,
        ),
    }


async def visible(
    *, session: AsyncSession, actor: Actor, model: type[R], import_id: uuid.UUID
) -> R:
    """Its uploader sees an import, and so does whoever covers all that the uploader did."""
    batch = await session.get(model, import_id)
    if batch is None or not (
        batch.created_by_id == actor.user_id
        or (batch.area_codes and not scoping.outside_areas(actor, batch.area_codes))
    ):
        raise NotFound(f"No {str(model.__tablename__).replace('_', ' ')} {import_id} here.")
    return batch


async def report(*, session: AsyncSession, actor: Actor, batch: ImportRecord) -> tuple[str, bytes]:
    """The refused rows as the file had them, with 错误说明: the clerk fixes them there and
    imports the report itself again. Their identifiers in full, so the read is audited."""
    content = await asyncio.to_thread(report_xlsx, batch)
    await audit.read_in_full(
        session=session,
        actor=actor,
        object_type=str(batch.__tablename__),
        object_id=batch.id,
        detail="error report downloaded",
    )
    stem = batch.file_name.rsplit(".", 1)[0] if "." in batch.file_name else batch.file_name
    return f"{stem}_错误行.xlsx", content


def report_xlsx(batch: ImportRecord) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("错误行")
    width = max([len(batch.columns), *(len(r["cells"]) for r in batch.rejected_rows)])
    sheet.freeze_panes = "A2"
    messages: dict[int, list[str]] = defaultdict(list)
    for error in batch.errors:
        messages[error["row"]].append(f"{error['field']}：{error['message']}")
    header = [*batch.columns, *[""] * (width - len(batch.columns)), *import_rows.REPORT_COLUMNS]
    sheet.append([sheets.cell(sheet, h) for h in header])
    for rejected in batch.rejected_rows:
        cells = [*rejected["cells"], *[""] * (width - len(rejected["cells"]))]
        explained = "；".join(messages[rejected["row"]])
        sheet.append(
            [
                *(sheets.cell(sheet, c) for c in cells),
                sheets.cell(sheet, explained),
                rejected["row"],
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
