"""Importing households and children from a county's spreadsheet (XLSX or CSV), set-based.

The file is read and each row checked in memory (import_rows, import_plan); what it may match
is loaded for the whole file in a few queries; the new rows go in by bulk.insert_rows (COPY on
PostgreSQL, an executemany on SQLite), never a statement a row;
the import itself is kept (HouseholdImport) with its counts and the refused rows, and audited
once, all in one transaction. Importing the same file again adds nothing.
"""

import asyncio
import gc
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Area, Child, Guardian, Household, HouseholdImport, metadata
from api.models.base import utcnow
from api.models.vocabulary import ImportStatus
from api.schemas.household_import import HouseholdImportOut
from api.services.access import permissions
from api.services.access.permissions import Action, Resource
from api.services.core import audit, bulk, school_age
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, Fault
from api.services.registry import households, import_plan
from api.services.registry.import_plan import Known, Parsed, Plan
from api.services.spreadsheets import import_records, import_rows
from api.services.spreadsheets.import_rows import Sheet
from api.settings import Settings

MAX_ROWS = 100_000
# Bound parameters in one IN (...): SQLite builds before 3.32 allow 999 in a statement.
_IN_CHUNK = 900

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
    import_records.check_size(data)
    today = today or school_age.local_today(settings)
    with _cycle_collection_paused():
        sheet, rows = await asyncio.to_thread(read, data, filename, today)
        known = await load_known(session=session, actor=actor, rows=rows)
        plan = await asyncio.to_thread(import_plan.decide, sheet, rows, known, now=utcnow())
        batch = _batch(actor, data, filename, all_or_nothing, sheet, plan)
        try:
            if batch.status is ImportStatus.STORED:
                await insert_plan(session, plan)
            session.add(batch)
            audit.created(
                session=session, actor=actor, new=batch, exclude=import_records.NOT_AUDITED
            )
            await session.commit()
        except IntegrityError as exc:  # the same ID number registered by someone else meanwhile
            await session.rollback()
            raise Conflict(
                "其中有儿童刚被他人登记，请重新导入 (some of these children were registered by "
                "someone else just now: import the file again)"
            ) from exc
    return _out(batch, limit=import_records.FIRST_ERRORS, offset=0)


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


def read(data: bytes, filename: str | None, today: date) -> tuple[Sheet, list[Parsed]]:
    """The file's rows, each checked alone. Seconds of CPU for a county's file, so the
    service runs it in a worker thread, leaving the event loop to other requests."""
    sheet = import_rows.read(
        data, filename=filename, max_rows=MAX_ROWS, layout=import_rows.HOUSEHOLDS
    )
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
    plan: Plan,
) -> HouseholdImport:
    batch = HouseholdImport(
        **import_records.fields(
            actor=actor,
            data=data,
            filename=filename,
            all_or_nothing=all_or_nothing,
            sheet=sheet,
            errors=plan.errors,
            rejected=[(row.row, row.cells) for row in plan.rejected],
        )
    )
    if batch.status is ImportStatus.STORED:
        batch.households_created = len(plan.households)
        batch.households_matched = plan.households_matched
        batch.children_created = len(plan.children)
        batch.children_unchanged = plan.children_unchanged
        batch.guardians_created = len(plan.guardians)
    return batch


# Reading an import back ---------------------------------------------------------------------


def _out(batch: HouseholdImport, *, limit: int, offset: int) -> HouseholdImportOut:
    return HouseholdImportOut.model_validate(
        import_records.summary(batch, import_rows.HOUSEHOLDS, limit=limit, offset=offset)
    )


async def _visible(*, session: AsyncSession, actor: Actor, import_id: uuid.UUID) -> HouseholdImport:
    return await import_records.visible(
        session=session, actor=actor, model=HouseholdImport, import_id=import_id
    )


async def get(
    *, session: AsyncSession, actor: Actor, import_id: uuid.UUID, limit: int, offset: int
) -> HouseholdImportOut:
    permissions.require(actor, Resource.HOUSEHOLD, Action.READ)
    batch = await _visible(session=session, actor=actor, import_id=import_id)
    return _out(batch, limit=limit, offset=offset)


async def report(*, session: AsyncSession, actor: Actor, import_id: uuid.UUID) -> tuple[str, bytes]:
    """The refused rows with their faults (import_records.report), identifiers in full."""
    permissions.require(actor, Resource.HOUSEHOLD, Action.READ_PERSONAL)
    permissions.require(actor, Resource.CHILD, Action.READ_PERSONAL)
    batch = await _visible(session=session, actor=actor, import_id=import_id)
    return await import_records.report(session=session, actor=actor, batch=batch)
