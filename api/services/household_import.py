"""Importing households and children from a county's spreadsheet (XLSX or CSV), set-based.

The file is read and each row checked in memory (import_rows, import_plan); what it may match
is loaded for the whole file in a few queries; the new rows go in by bulk.insert_rows (COPY on
PostgreSQL, an executemany on SQLite), never a statement a row;
the import itself is kept (HouseholdImport) with its counts and the refused rows, and audited
once, all in one transaction. Importing the same file again adds nothing.
"""

import asyncio
import gc
import hashlib
import io
import uuid
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Area, Child, Guardian, Household, HouseholdImport, metadata
from api.models.base import utcnow
from api.models.household_import import ImportStatus
from api.schemas.common import Page
from api.schemas.household_import import HouseholdImportOut, ImportRowError
from api.services import (
    audit,
    bulk,
    households,
    import_plan,
    import_rows,
    permissions,
    school_age,
    scoping,
)
from api.services.actors import Actor
from api.services.errors import Conflict, NotFound, PayloadTooLarge
from api.services.import_plan import Known, Parsed, Plan
from api.services.import_rows import Fault, Sheet
from api.services.permissions import Action, Resource
from api.settings import Settings

MAX_UPLOAD_BYTES = 20 * 1024 * 1024
MAX_ROWS = 100_000
FIRST_ERRORS = 100  # in the answer to the upload; the rest are paged by GET
# Bound parameters in one IN (...): SQLite builds before 3.32 allow 999 in a statement.
_IN_CHUNK = 900
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

# Importing ---------------------------------------------------------------------------------


async def import_file(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    data: bytes,
    filename: str | None,
    all_or_nothing: bool,
    today: date | None = None,
) -> HouseholdImportOut:
    """Store the good rows (or none of them, when ``all_or_nothing`` and a row is bad), and
    the import with its counts and the faults of each refused row."""
    permissions.require(actor, Resource.HOUSEHOLD, Action.WRITE)
    permissions.require(actor, Resource.CHILD, Action.WRITE)
    if len(data) > MAX_UPLOAD_BYTES:
        megabytes = MAX_UPLOAD_BYTES // (1024 * 1024)
        raise PayloadTooLarge(
            f"文件不能超过{megabytes}MB，请分成几个文件 (at most {megabytes} MB a file: split it)",
            max_bytes=MAX_UPLOAD_BYTES,
        )
    today = today or school_age.local_today(settings)
    with _cycle_collection_paused():
        sheet, rows = await asyncio.to_thread(read, data, filename, today)
        known = await load_known(session=session, actor=actor, rows=rows)
        plan = await asyncio.to_thread(import_plan.decide, sheet, rows, known, now=utcnow())
        refused = all_or_nothing and bool(plan.rejected)
        batch = _batch(actor, data, filename, all_or_nothing, sheet, rows, plan, refused=refused)
        try:
            if not refused:
                await insert_plan(session, plan)
            session.add(batch)
            audit.created(session=session, actor=actor, new=batch, exclude=_NOT_AUDITED)
            await session.commit()
        except IntegrityError as exc:  # the same ID number registered by someone else meanwhile
            await session.rollback()
            raise Conflict(
                "其中有儿童刚被他人登记，请重新导入 (some of these children were registered by "
                "someone else just now: import the file again)"
            ) from exc
    return _out(batch, limit=FIRST_ERRORS, offset=0)


_paused = 0  # imports under way with the cycle collector paused


@contextmanager
def _cycle_collection_paused() -> Iterator[None]:
    """A county's file is a few million small objects, all alive until the import ends: each
    full pass of the cycle collector walks them all, again and again as they are made, for a
    third of the import's time. Reference counting frees what they leave; the collector
    resumes when the last import under way ends."""
    global _paused
    if _paused == 0 and not gc.isenabled():  # paused by someone else: theirs to resume
        yield
        return
    _paused += 1
    gc.disable()
    try:
        yield
    finally:
        _paused -= 1
        if _paused == 0:
            gc.enable()


# The faults and refused rows are in the import itself; the audit keeps what it did.
_NOT_AUDITED = {"errors", "rejected_rows", "columns", "area_codes", "created_by_id"}


def read(data: bytes, filename: str | None, today: date) -> tuple[Sheet, list[Parsed]]:
    """The file's rows, each checked alone. Seconds of CPU for a county's file, so the
    service runs it in a worker thread, leaving the event loop to other requests."""
    sheet = import_rows.read(data, filename=filename, max_rows=MAX_ROWS)
    return sheet, import_plan.parse(sheet, today=today)


async def load_known(*, session: AsyncSession, actor: Actor, rows: list[Parsed]) -> Known:
    """Everything registered that the file's rows may match, in a few queries a file."""
    known = Known()
    codes = sorted({row.area_code for row in rows if row.area_code})
    known.area_faults = await _area_faults(session, actor, codes)
    keys = {key for row in rows if (key := row.household_key) is not None}
    ours = [code for code in codes if not known.area_faults[code]]
    for chunk in bulk.chunks(ours, _IN_CHUNK):
        found = await session.exec(
            select(Household.id, Household.area_code, Household.address, Household.head_name)
            .where(col(Household.area_code).in_(chunk), col(Household.removed_at).is_(None))
            .order_by(col(Household.created_at))
        )
        for household_id, area_code, address, head_name in found.all():
            if (key := (area_code, address, head_name)) in keys:
                known.households.setdefault(key, household_id)
    numbers = sorted({row.id_number for row in rows if row.id_number})
    for number_chunk in bulk.chunks(numbers, _IN_CHUNK):
        held = await session.exec(
            select(
                col(Child.id_number), col(Child.name), col(Child.birth_date), col(Child.removed_at)
            ).where(col(Child.id_number).in_(number_chunk))
        )
        for number, name, born, removed_at in held.all():
            if number is not None:
                known.by_number[number] = import_plan.KnownChild(name, born, removed_at is not None)
    matched = sorted(set(known.households.values()))
    for id_chunk in bulk.chunks(matched, _IN_CHUNK):
        members = await session.exec(
            select(
                col(Child.household_id),
                col(Child.name),
                col(Child.birth_date),
                col(Child.id_number),
            ).where(col(Child.household_id).in_(id_chunk), col(Child.removed_at).is_(None))
        )
        for household_id, name, born, number in members.all():
            known.in_households[household_id, name, born] = number
        carers = await session.exec(
            select(Guardian.id, Guardian.household_id, Guardian.name)
            .where(col(Guardian.household_id).in_(id_chunk), col(Guardian.removed_at).is_(None))
            .order_by(col(Guardian.created_at))
        )
        for guardian_id, of_household, name in carers.all():
            if of_household is not None:
                known.guardians.setdefault((of_household, name), guardian_id)
    return known


async def _area_faults(
    session: AsyncSession, actor: Actor, codes: list[str]
) -> dict[str, list[Fault]]:
    """The household rules on each area code of the file (exists, a village or group, within
    the actor's areas), by households' own function, for a few queries in all."""
    # Loaded together, the areas sit in the session's identity map, where the rule's own
    # session.get finds them without a query; holding them keeps the weak map from losing them.
    loaded: list[Area] = []
    for chunk in bulk.chunks(codes, _IN_CHUNK):
        loaded += (await session.exec(select(Area).where(col(Area.code).in_(chunk)))).all()
    found = {area.code for area in loaded}
    faults: dict[str, list[Fault]] = {}
    unknown: list[Fault] | None = None  # the same for every code that does not exist
    for code in codes:
        if code in found:
            faults[code] = await households.area_faults(session=session, actor=actor, code=code)
        else:
            if unknown is None:
                unknown = await households.area_faults(session=session, actor=actor, code=code)
            faults[code] = unknown
    return faults


async def insert_plan(session: AsyncSession, plan: Plan) -> None:
    """The new rows, table by table, in the session's transaction."""
    connection = await session.connection()
    async with bulk.large_cache(connection):
        # The names are spelled in a worker thread while the database takes the households
        # and guardians: the two overlap, the database's work being mostly outside Python's
        # lock.
        spelling = asyncio.ensure_future(asyncio.to_thread(import_plan.spell, plan.children))
        try:
            await _insert(connection, "household", plan.households)
            await _insert(connection, "guardian", plan.guardians)
        finally:
            await spelling
        await _insert(connection, "child", plan.children)
        await _insert(connection, "guardianship", plan.guardianships)


async def _insert(connection: AsyncConnection, name: str, rows: list[dict[str, Any]]) -> None:
    await bulk.insert_rows(connection=connection, table=metadata.tables[name], rows=rows)


def _batch(
    actor: Actor,
    data: bytes,
    filename: str | None,
    all_or_nothing: bool,
    sheet: Sheet,
    rows: list[Parsed],
    plan: Plan,
    *,
    refused: bool,
) -> HouseholdImport:
    stored = not refused
    return HouseholdImport(
        created_by_id=actor.user_id,
        created_by_username=actor.username,
        area_codes=list(actor.area_codes),
        file_name=(filename or "upload")[:255],
        sha256=hashlib.sha256(data).hexdigest(),
        all_or_nothing=all_or_nothing,
        status=ImportStatus.REFUSED if refused else ImportStatus.STORED,
        rows=len(rows),
        households_created=len(plan.households) if stored else 0,
        households_matched=plan.households_matched if stored else 0,
        children_created=len(plan.children) if stored else 0,
        children_unchanged=plan.children_unchanged if stored else 0,
        guardians_created=len(plan.guardians) if stored else 0,
        rejected=len(plan.rejected),
        columns=sheet.header,
        errors=plan.errors,
        rejected_rows=[
            {"row": row.row, "cells": [import_rows.text(cell) for cell in row.cells]}
            for row in plan.rejected
        ],
    )


# Reading an import back ---------------------------------------------------------------------


def _out(batch: HouseholdImport, *, limit: int, offset: int) -> HouseholdImportOut:
    return HouseholdImportOut(
        id=batch.id,
        file_name=batch.file_name,
        sha256=batch.sha256,
        status=batch.status,
        all_or_nothing=batch.all_or_nothing,
        created_at=batch.created_at,
        created_by=batch.created_by_username,
        rows=batch.rows,
        households_created=batch.households_created,
        households_matched=batch.households_matched,
        children_created=batch.children_created,
        children_unchanged=batch.children_unchanged,
        guardians_created=batch.guardians_created,
        rejected=batch.rejected,
        ignored_columns=import_rows.ignored(batch.columns),
        errors=Page(
            items=[ImportRowError(**e) for e in batch.errors[offset : offset + limit]],
            total=len(batch.errors),
            limit=limit,
            offset=offset,
        ),
    )


async def _visible(*, session: AsyncSession, actor: Actor, import_id: uuid.UUID) -> HouseholdImport:
    """Its uploader sees an import, and so does whoever covers all that the uploader did."""
    batch = await session.get(HouseholdImport, import_id)
    if batch is None or not (
        batch.created_by_id == actor.user_id
        or (batch.area_codes and not scoping.outside_areas(actor, batch.area_codes))
    ):
        raise NotFound(f"No household import {import_id} here.")
    return batch


async def get(
    *, session: AsyncSession, actor: Actor, import_id: uuid.UUID, limit: int, offset: int
) -> HouseholdImportOut:
    permissions.require(actor, Resource.HOUSEHOLD, Action.READ)
    batch = await _visible(session=session, actor=actor, import_id=import_id)
    return _out(batch, limit=limit, offset=offset)


async def report(*, session: AsyncSession, actor: Actor, import_id: uuid.UUID) -> tuple[str, bytes]:
    """The refused rows as the file had them, with 错误说明: the clerk fixes them there and
    imports the report itself again. Their identifiers in full, so the read is audited."""
    permissions.require(actor, Resource.HOUSEHOLD, Action.READ_PERSONAL)
    permissions.require(actor, Resource.CHILD, Action.READ_PERSONAL)
    batch = await _visible(session=session, actor=actor, import_id=import_id)
    content = await asyncio.to_thread(report_xlsx, batch)
    await audit.read_in_full(
        session=session,
        actor=actor,
        object_type="household_import",
        object_id=batch.id,
        detail="error report downloaded",
    )
    stem = batch.file_name.rsplit(".", 1)[0] if "." in batch.file_name else batch.file_name
    return f"{stem}_错误行.xlsx", content


def _cell(sheet: Any, value: str) -> Any:
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    cell = WriteOnlyCell(sheet, value=value)
    if value.startswith("="):  # text from a stranger's file, never a formula to run
        cell.data_type = "s"
    return cell


def report_xlsx(batch: HouseholdImport) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("错误行")
    width = max([len(batch.columns), *(len(r["cells"]) for r in batch.rejected_rows)])
    sheet.freeze_panes = "A2"
    messages: dict[int, list[str]] = defaultdict(list)
    for error in batch.errors:
        messages[error["row"]].append(f"{error['field']}：{error['message']}")
    header = [*batch.columns, *[""] * (width - len(batch.columns)), *import_rows.REPORT_COLUMNS]
    sheet.append([_cell(sheet, h) for h in header])
    for rejected in batch.rejected_rows:
        cells = [*rejected["cells"], *[""] * (width - len(rejected["cells"]))]
        explained = "；".join(messages[rejected["row"]])
        sheet.append([*(_cell(sheet, c) for c in cells), _cell(sheet, explained), rejected["row"]])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
