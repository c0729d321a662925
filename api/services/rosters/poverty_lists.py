"""Poverty household lists (脱贫户/监测户/低保户名单) the county imports from the
rural-revitalisation office: uploaded for a county or a township, kept by version, the newest
for an area the one in force; reconciliation compares their school-age members with the
children it knows ("辍学比脱贫户").

An upload is read and checked in memory (poverty_rows); its good rows go in by
bulk.insert_rows, never a statement a row. The list it replaces is marked in the same
transaction, under a lock on the area's row on PostgreSQL (SQLite has one writer at a time),
so that two uploads for an area at once still leave one list in force: the later replaces the
earlier. A refused upload stores nothing: a list is stored only with rows to keep.
"""

import asyncio
import re
import uuid
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, func, or_, update
from sqlalchemy import select as sa_select
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Area, PovertyList, PovertyMember, metadata
from api.models.base import utcnow
from api.models.vocabulary import AreaLevel, AuditAction
from api.schemas.poverty_lists import (
    PovertyListItem,
    PovertyListOut,
    PovertyMemberOut,
    PovertyMemberPage,
)
from api.services.access import masking, permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.core import audit, bulk, school_age, text_search
from api.services.core.actors import Actor
from api.services.core.errors import InvalidInput
from api.services.registry import area_rules
from api.services.rosters import poverty_rows
from api.services.rosters.poverty_rows import LAYOUT, Row
from api.services.spreadsheets import import_records, import_rows
from api.services.spreadsheets.import_rows import Sheet
from api.settings import Settings

MAX_ROWS = 100_000  # a county's listed members, several times over
_LEVELS = (AreaLevel.COUNTY, AreaLevel.TOWNSHIP)
_ID_NUMBER_LIKE = re.compile(r"\d{3,17}[\dXx]?")
_LATIN = re.compile(r"[A-Za-z]+")

# Uploading ----------------------------------------------------------------------------------


async def upload(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    data: bytes,
    filename: str | None,
    area_code: str,
    all_or_nothing: bool,
    today: date | None = None,
) -> PovertyListOut:
    """Store the list for ``area_code`` with its good rows, in place of the area's current
    one; refused (422, nothing stored) when no row is good, or when ``all_or_nothing`` and a
    row is bad."""
    permissions.require(actor, Resource.POVERTY_LIST, Action.WRITE)
    import_records.check_size(data)
    faults = await area_rules.placement_faults(
        session=session,
        actor=actor,
        code=area_code,
        levels=_LEVELS,
        wrong_level="名单应覆盖一个县或乡镇 (a list covers a county or a township)",
    )
    if faults:
        raise InvalidInput.of(faults)
    today = today or school_age.local_today(settings)
    sheet, rows = await asyncio.to_thread(_read, data, filename, area_code, today)
    rejected = [row for row in rows if row.faults]
    errors = import_records.row_errors(
        sheet, LAYOUT, ((row.number, row.faults) for row in rejected)
    )
    if rejected and (all_or_nothing or len(rejected) == len(rows)):
        raise _refusal(errors, rejected=len(rejected), rows=len(rows))
    kept = [row for row in rows if not row.faults]
    made = PovertyList(
        **import_records.fields(
            actor=actor,
            data=data,
            filename=filename,
            all_or_nothing=all_or_nothing,
            sheet=sheet,
            errors=errors,
            rejected=[(row.number, row.cells) for row in rejected],
        ),
        area_code=area_code,
        households=len({row.household_number for row in kept}),
        members=len(kept),
    )
    members = await asyncio.to_thread(_members, kept, made.id)  # names spelled: CPU-bound
    await _store(session, actor, made, members)
    return _out(made, limit=import_records.FIRST_ERRORS, offset=0)


def _read(
    data: bytes, filename: str | None, area_code: str, today: date
) -> tuple[Sheet, list[Row]]:
    """The file's rows, each checked. Seconds of CPU for a county's file: run in a thread."""
    sheet = import_rows.read(data, filename=filename, max_rows=MAX_ROWS, layout=LAYOUT)
    return sheet, poverty_rows.parse(sheet, area_code=area_code, today=today)


def _members(kept: list[Row], list_id: uuid.UUID) -> list[dict[str, Any]]:
    return [row.member(list_id) for row in kept]


def _refusal(errors: list[dict[str, Any]], *, rejected: int, rows: int) -> InvalidInput:
    """Nothing kept: a 422 naming the file, then each refused row's faults (the first few)."""
    first = (
        "file",
        f"共{rows}行，其中{rejected}行有错，未保存任何一行；请改正后重新上传 "
        f"({rejected} of {rows} rows are refused, so nothing was stored: fix them and upload "
        "again)",
    )
    per_row = [
        (f"file.{e['row']}.{e['field'].replace('.', '．')}", e["message"])
        for e in errors[: import_records.FIRST_ERRORS]
    ]
    refusal = InvalidInput(*first, others=per_row)
    refusal.detail = f"{rejected} of {rows} rows of the file are refused; nothing was stored."
    return refusal


async def _store(
    session: AsyncSession, actor: Actor, made: PovertyList, members: list[dict[str, Any]]
) -> None:
    """The list, its members and the replacement of the area's current list, in one
    transaction with their audit entries."""
    await _lock_area(session, made.area_code)
    now = utcnow()
    connection = await session.connection()
    # Whatever is current now, not what was read before: under the lock, nobody else
    # replaces it meanwhile.
    replaced = (
        await connection.execute(
            update(PovertyList)
            .where(
                col(PovertyList.area_code) == made.area_code,
                col(PovertyList.replaced_at).is_(None),
            )
            .values(replaced_at=now)
            .returning(col(PovertyList.id))
        )
    ).scalars()
    for replaced_id in replaced.all():
        audit.record(
            session=session,
            action=AuditAction.UPDATE,
            actor=actor,
            object_type=str(PovertyList.__tablename__),
            object_id=replaced_id,
            changes=audit.diff({"replaced_at": None}, {"replaced_at": now}),
            detail=f"replaced by poverty list {made.id}",
        )
    made.created_at = now  # in force from now: the order of the lists is that of the lock
    session.add(made)
    await session.flush()  # the list before its members
    await bulk.insert_rows(
        connection=connection, table=metadata.tables["poverty_member"], rows=members
    )
    audit.created(session=session, actor=actor, new=made, exclude=import_records.NOT_AUDITED)
    await session.commit()


async def _lock_area(session: AsyncSession, area_code: str) -> None:
    """Uploads for one area one at a time (PostgreSQL; SQLite has but one writer anyway). FOR
    NO KEY UPDATE leaves the rows referring to the area free to be written meanwhile."""
    if (await session.connection()).dialect.name == "postgresql":
        await session.exec(
            select(Area.code).where(col(Area.code) == area_code).with_for_update(key_share=True)
        )


# Reading ------------------------------------------------------------------------------------


async def _one(session: AsyncSession, actor: Actor, list_id: uuid.UUID) -> PovertyList:
    return await scoping.one(
        session=session, model=PovertyList, object_id=list_id, visible=scoping.poverty_lists(actor)
    )


def _out(poverty_list: PovertyList, *, limit: int, offset: int) -> PovertyListOut:
    summary = import_records.summary(poverty_list, LAYOUT, limit=limit, offset=offset)
    return PovertyListOut.model_validate({**summary, "current": poverty_list.replaced_at is None})


_ITEM_COLUMNS = (
    PovertyList.id,
    PovertyList.area_code,
    PovertyList.replaced_at,
    PovertyList.households,
    PovertyList.members,
    PovertyList.file_name,
    PovertyList.status,
    PovertyList.created_at,
    PovertyList.created_by_username,
    PovertyList.rows,
    PovertyList.rejected,
)


async def search(
    *,
    session: AsyncSession,
    actor: Actor,
    area: str | None,
    current: bool | None,
    limit: int,
    offset: int,
) -> tuple[list[PovertyListItem], int]:
    """The lists the actor may read, newest first; of the area's subtree, current or
    replaced, when asked."""
    permissions.require(actor, Resource.POVERTY_LIST, Action.READ)
    where = [scoping.poverty_lists(actor)]
    if area:
        where.append(scoping.in_area(PovertyList.area_code, area))
    if current is not None:
        replaced_at = col(PovertyList.replaced_at)
        where.append(replaced_at.is_(None) if current else replaced_at.is_not(None))
    total = (await session.exec(select(func.count()).select_from(PovertyList).where(*where))).one()
    # Only the columns listed: a list's faults and refused rows may be megabytes.
    found = await (await session.connection()).execute(
        sa_select(*map(col, _ITEM_COLUMNS))
        .where(*where)
        .order_by(col(PovertyList.created_at).desc(), col(PovertyList.id))
        .limit(limit)
        .offset(offset)
    )
    items = [
        PovertyListItem.model_validate(
            {
                **found_row,
                "created_by": found_row["created_by_username"],
                "current": found_row["replaced_at"] is None,
            }
        )
        for found_row in found.mappings()
    ]
    return items, total


async def get(
    *, session: AsyncSession, actor: Actor, list_id: uuid.UUID, limit: int, offset: int
) -> PovertyListOut:
    """A list's counts, and the faults of its refused rows a page at a time."""
    permissions.require(actor, Resource.POVERTY_LIST, Action.READ)
    return _out(await _one(session, actor, list_id), limit=limit, offset=offset)


def _matching(q: str) -> ColumnElement[bool]:
    """A search box: an ID number (whole or some of its digits) or a household number, a
    name's pinyin ("zhangsan"), or part of a member's or head's name in characters."""
    q = q.strip()
    if _ID_NUMBER_LIKE.fullmatch(q):
        return or_(
            col(PovertyMember.household_number) == q,
            text_search.contains(PovertyMember.id_number, q.upper()),
        )
    if _LATIN.fullmatch(q):
        return text_search.starts_with(PovertyMember.name_pinyin, q.lower())
    return or_(
        text_search.contains(PovertyMember.name, q),
        text_search.contains(PovertyMember.head_name, q),
    )


async def members(
    *,
    session: AsyncSession,
    actor: Actor,
    list_id: uuid.UUID,
    q: str | None,
    limit: int,
    offset: int,
) -> PovertyMemberPage:
    """A page of a list's members in the file's order; ID numbers in full only for whoever
    may read them so, and that read audited."""
    permissions.require(actor, Resource.POVERTY_LIST, Action.READ)
    poverty_list = await _one(session, actor, list_id)
    where = [col(PovertyMember.list_id) == poverty_list.id]
    if q and q.strip():
        where.append(_matching(q))
    total = (
        await session.exec(select(func.count()).select_from(PovertyMember).where(*where))
    ).one()
    found = await session.exec(
        select(PovertyMember)
        .where(*where)
        .order_by(col(PovertyMember.row))
        .limit(limit)
        .offset(offset)
    )
    full = permissions.allowed(actor, Resource.POVERTY_LIST, Action.READ_PERSONAL)
    shown = masking.Disclosure(full=full)
    items = [
        PovertyMemberOut.model_validate(
            {**member.model_dump(), "id_number": shown.id_number(member.id_number)}
        )
        for member in found.all()
    ]
    if full and items:
        await audit.read_in_full(
            session=session,
            actor=actor,
            object_type=str(PovertyList.__tablename__),
            object_id=poverty_list.id,
            detail=f"members read in full: rows {items[0].row} to {items[-1].row}",
        )
    return PovertyMemberPage(items=items, total=total, limit=limit, offset=offset, masked=not full)


async def report(*, session: AsyncSession, actor: Actor, list_id: uuid.UUID) -> tuple[str, bytes]:
    """The refused rows with their faults (import_records.report): ID numbers in full, so for
    whoever may read them so, and audited."""
    permissions.require(actor, Resource.POVERTY_LIST, Action.READ_PERSONAL)
    poverty_list = await _one(session, actor, list_id)
    return await import_records.report(session=session, actor=actor, batch=poverty_list)
