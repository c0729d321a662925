"""A school's roster (学籍名单) for a term, uploaded as XLSX, CSV or JSON, and its versions.

Each row is checked with the rules of registering one pupil (roster_rows); the good rows are
kept, the bad ones reported by row and heading and downloadable with their faults. A roster
with no good row stores nothing: an empty file must never wipe a school's registrations.

An upload replaces the school's roster of the term in one transaction: the previous one is
marked replaced (and stays readable, with its rows), the school's registrations of the term
are deleted and the new rows go in as registrations (Enrolment), in bulk, then linked to the
children the population side knows (roster_matching). Two uploads at once cannot both become
the current roster: the second's version clashes with the first's and is a conflict.
"""

import asyncio
import uuid
from collections import defaultdict
from typing import Any

from sqlalchemy import delete, func
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Enrolment, Roster, RosterEntry, School, SchoolClass, metadata
from api.models.base import utcnow
from api.models.vocabulary import ImportStatus, WebhookEventType
from api.schemas.rosters import (
    RosterBrief,
    RosterEntryOut,
    RosterEntryPage,
    RosterOut,
    RosterUpload,
)
from api.services.access import masking, permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.core import audit, bulk, labels, school_age
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, InvalidInput, NotFound, PayloadTooLarge
from api.services.integrations import webhooks
from api.services.registry import names
from api.services.responsibility import assignment_rows
from api.services.rosters import roster_matching, roster_rows
from api.services.rosters.roster_rows import LAYOUT, Row
from api.services.spreadsheets import import_records, import_rows
from api.services.spreadsheets.import_rows import Sheet
from api.settings import Settings

MAX_ROWS = 20_000  # the largest school's pupils, several times over
JSON_FILE_NAME = "roster.json"
_SHOWN_ERRORS = 20  # of a roster refused whole, in the 422's errors


# Uploading -----------------------------------------------------------------------------------


async def import_file(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    school_id: uuid.UUID,
    term: str | None,
    data: bytes,
    filename: str | None,
    all_or_nothing: bool,
    confirm_shrink: bool = False,
) -> RosterOut:
    """A roster from an XLSX workbook or a CSV file (UTF-8 or GB18030)."""
    school = await _writable_school(session, actor, school_id)
    import_records.check_size(data)
    sheet = await asyncio.to_thread(
        import_rows.read, data, filename=filename, max_rows=MAX_ROWS, layout=LAYOUT
    )
    return await _replace(
        session=session,
        actor=actor,
        settings=settings,
        school=school,
        term=term,
        sheet=sheet,
        source=(data, filename),
        all_or_nothing=all_or_nothing,
        confirm_shrink=confirm_shrink,
        field="file",
    )


async def import_json(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    school_id: uuid.UUID,
    term: str | None,
    upload: RosterUpload,
    data: bytes,
    confirm_shrink: bool = False,
) -> RosterOut:
    """A roster sent as JSON rows (``data`` the body as sent), checked as a file's rows are."""
    school = await _writable_school(session, actor, school_id)
    if upload.term is not None and term is not None and upload.term != term:
        raise InvalidInput(
            "term",
            f"与请求体中的学期 {upload.term} 不一致 (differs from the body's)",
            location="query",
        )
    if len(upload.rows) > MAX_ROWS:
        raise PayloadTooLarge(
            f"一次最多上传{MAX_ROWS}行 (at most {MAX_ROWS} rows an upload)", max_rows=MAX_ROWS
        )
    return await _replace(
        session=session,
        actor=actor,
        settings=settings,
        school=school,
        term=upload.term or term,
        sheet=roster_rows.sheet_of(upload.rows),
        source=(data, JSON_FILE_NAME),
        all_or_nothing=upload.all_or_nothing,
        confirm_shrink=confirm_shrink or upload.confirm_shrink,
        field="rows",
    )


async def _writable_school(session: AsyncSession, actor: Actor, school_id: uuid.UUID) -> School:
    permissions.require(actor, Resource.ROSTER, Action.WRITE)
    return await scoping.one(
        session=session, model=School, object_id=school_id, visible=scoping.schools(actor)
    )


async def _replace(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    school: School,
    term: str | None,
    sheet: Sheet,
    source: tuple[bytes, str | None],
    all_or_nothing: bool,
    confirm_shrink: bool,
    field: str,
) -> RosterOut:
    """Parse ``sheet``; store the roster, replacing the term's, with the good rows (none when
    ``all_or_nothing`` and a row is bad; none either when it would drop too many of the
    school's registrations, unless ``confirm_shrink``); ``field`` names the rows' place in the
    request."""
    today = school_age.local_today(settings)
    term = term or school_age.term_of(today, settings)
    rows = roster_rows.parse(sheet, grades=(school.grade_from, school.grade_to), today=today)
    kept = [row for row in rows if not row.faults]
    rejected = [row for row in rows if row.faults]
    errors = import_records.row_errors(sheet, LAYOUT, ((row.row, row.faults) for row in rejected))
    if not kept:
        raise _nothing_kept(errors, field=field)
    data, filename = source
    roster = Roster(
        **import_records.fields(
            actor=actor,
            data=data,
            filename=filename,
            all_or_nothing=all_or_nothing,
            sheet=sheet,
            errors=errors,
            rejected=[(row.row, row.cells) for row in rejected],
        ),
        school_id=school.id,
        term=term,
        version=await _next_version(session, school.id, term),
    )
    if roster.status is ImportStatus.STORED and not confirm_shrink:
        await _refuse_shrink(
            session,
            school_id=school.id,
            term=term,
            kept=kept,
            limit=settings.roster_shrink_limit,
            location="body" if field == "rows" else "query",
        )
    also: dict[str, Any] = {"version": roster.version}
    try:
        if roster.status is ImportStatus.STORED:
            also |= await _store(session, school, roster, kept)
        else:
            session.add(roster)
        audit.created(
            session=session, actor=actor, new=roster, exclude=import_records.NOT_AUDITED, also=also
        )
        if roster.status is ImportStatus.STORED:
            await webhooks.emit(
                session=session,
                type=WebhookEventType.ROSTER_IMPORTED,
                area_code=school.area_code,
                payload={
                    "roster_id": str(roster.id),
                    "school_id": str(school.id),
                    "term": term,
                    "version": roster.version,
                    **{k: v for k, v in also.items() if isinstance(v, int)},
                },
            )
        await session.commit()
    except IntegrityError as exc:  # another upload of this school's term won the race
        await session.rollback()
        raise Conflict(
            "本校本学期的学籍名单刚被他人上传，请重试 (another roster of this school and term "
            "was uploaded just now: try again)"
        ) from exc
    return _out(roster, limit=import_records.FIRST_ERRORS, offset=0)


def _nothing_kept(errors: list[dict[str, Any]], *, field: str) -> InvalidInput:
    """No good row: a 422 naming the rows' faults (the first few), and nothing stored."""
    summary = "没有一行可以保存，未做任何更改 (no row can be kept: nothing was changed)"
    shown = errors[:_SHOWN_ERRORS]
    if field == "rows":
        return InvalidInput(
            "rows",
            summary,
            others=[(f"rows.{e['row']}.{e['field']}", e["message"]) for e in shown],
        )
    return InvalidInput(
        "file",
        summary,
        others=[("file", f"第{e['row']}行 {e['field']}：{e['message']}") for e in shown],
    )


async def _refuse_shrink(
    session: AsyncSession,
    *,
    school_id: uuid.UUID,
    term: str,
    kept: list[Row],
    limit: float,
    location: str,
) -> None:
    """A 409 when the new rows keep too few of the school's registrations of the term: those
    whose student number they no longer hold are the ones it would drop. The term's first
    roster (no current one to replace) is never a shrink."""
    current = await session.exec(
        select(Roster.id).where(
            col(Roster.school_id) == school_id,
            col(Roster.term) == term,
            col(Roster.status) == ImportStatus.STORED,
            col(Roster.replaced_at).is_(None),
        )
    )
    if current.first() is None:
        return
    held = set(
        (
            await session.exec(
                select(Enrolment.student_number).where(
                    col(Enrolment.school_id) == school_id, col(Enrolment.term) == term
                )
            )
        ).all()
    )
    if not held:
        return
    still = len(held & {row.student_number for row in kept})
    removed = len(held) - still
    if removed <= limit * len(held):
        return
    message = (
        f"新名单将删除本校本学期{len(held)}条学籍中的{removed}条，超过{limit:.0%}；"
        "确认无误请以 confirm_shrink=true 重新上传 (the roster would remove "
        f"{removed} of the school's {len(held)} registrations of the term, more than "
        f"{limit:.0%}: send it again with confirm_shrink=true if that is right)"
    )
    raise Conflict(
        message,
        current=len(held),
        kept=still,
        removed=removed,
        limit=limit,
        errors=[{"loc": [location, "confirm_shrink"], "msg": message}],
    )


async def _next_version(session: AsyncSession, school_id: uuid.UUID, term: str) -> int:
    latest = await session.exec(
        select(func.max(Roster.version)).where(
            col(Roster.school_id) == school_id, col(Roster.term) == term
        )
    )
    return (latest.one() or 0) + 1


async def _store(
    session: AsyncSession, school: School, roster: Roster, kept: list[Row]
) -> dict[str, Any]:
    """The previous roster replaced, the term's registrations of the school replaced by the
    kept rows, and these linked to children; what changed besides the roster, for the audit."""
    previous = (
        await session.exec(
            select(Roster).where(
                col(Roster.school_id) == school.id,
                col(Roster.term) == roster.term,
                col(Roster.status) == ImportStatus.STORED,
                col(Roster.replaced_at).is_(None),
            )
        )
    ).first()
    if previous is not None:
        previous.replaced_at = utcnow()
        session.add(previous)
    roster.entries = len(kept)
    session.add(roster)
    await session.flush()  # the roster before the rows naming it; a clash of versions here
    connection = await session.connection()
    deleted = await connection.execute(
        delete(Enrolment).where(
            col(Enrolment.school_id) == school.id, col(Enrolment.term) == roster.term
        )
    )
    classes, new_classes = await _classes(session, school.id, int(roster.term[:4]), kept)
    await bulk.insert_rows(
        connection=connection, table=metadata.tables["school_class"], rows=new_classes
    )
    await bulk.insert_rows(
        connection=connection,
        table=metadata.tables["enrolment"],
        rows=[_enrolment(row, school.id, roster, classes) for row in kept],
    )
    await bulk.insert_rows(
        connection=connection,
        table=metadata.tables["roster_entry"],
        rows=[_entry(row, roster.id) for row in kept],
    )
    roster.matched = await roster_matching.match(
        session=session, term=roster.term, school_ids=[school.id]
    )
    session.add(roster)
    return {
        "replaced_roster_id": previous.id if previous is not None else None,
        "enrolments_replaced": int(deleted.rowcount or 0),
        "classes_created": len(new_classes),
    }


async def _classes(
    session: AsyncSession, school_id: uuid.UUID, school_year: int, rows: list[Row]
) -> tuple[dict[tuple[int, str], uuid.UUID], list[dict[str, Any]]]:
    """Each (grade, class name) of the rows to the school's class of that school year, by its
    name or its number; a class the school does not have is opened (the new ones returned)."""
    held = (
        await session.exec(
            select(SchoolClass).where(
                col(SchoolClass.school_id) == school_id,
                col(SchoolClass.school_year) == school_year,
            )
        )
    ).all()
    by_name = {(c.grade, c.name): c.id for c in held}
    by_number = {(c.grade, c.number): c.id for c in held}
    highest: dict[int, int] = defaultdict(int)
    for c in held:
        highest[c.grade] = max(highest[c.grade], c.number)
    found: dict[tuple[int, str], uuid.UUID] = {}
    new: list[dict[str, Any]] = []
    for row in rows:
        if row.class_name is None or row.grade is None or (row.grade, row.class_name) in found:
            continue
        grade, name = row.grade, row.class_name
        number = roster_rows.class_number(name)
        class_id = by_name.get((grade, name))
        if class_id is None and number is not None:
            class_id = by_number.get((grade, number))
        if class_id is None:
            number = number or highest[grade] + 1
            bare = assignment_rows.class_number(name) is not None  # 2, 2班, (2)班
            shown = f"{labels.grade(grade)}{number}班" if bare else name
            made = SchoolClass(
                school_id=school_id, school_year=school_year, grade=grade, number=number, name=shown
            )
            new.append(made.model_dump())
            class_id = by_number[grade, number] = by_name[grade, shown] = made.id
            highest[grade] = max(highest[grade], number)
        found[grade, name] = class_id
    return found, new


def _pupil(row: Row) -> dict[str, Any]:
    """A kept row's values, as a roster entry and a registration both hold them."""
    assert row.student_number is not None
    assert row.name is not None
    assert row.sex is not None
    assert row.birth_date is not None
    assert row.grade is not None
    return {
        "student_number": row.student_number,
        "name": row.name,
        "sex": row.sex,
        "birth_date": row.birth_date,
        "id_number": row.id_number,
        "id_document_type": row.id_document_type,
        "id_document_number": row.id_document_number,
        "grade": row.grade,
        "entry_date": row.entry_date,
        "status": row.status,
        "guardian_name": row.guardian_name,
    }


def _enrolment(
    row: Row, school_id: uuid.UUID, roster: Roster, classes: dict[tuple[int, str], uuid.UUID]
) -> dict[str, Any]:
    pupil = _pupil(row)
    class_id = classes.get((pupil["grade"], row.class_name)) if row.class_name else None
    return Enrolment(
        **pupil,
        school_id=school_id,
        class_id=class_id,
        term=roster.term,
        roster_id=roster.id,
        name_pinyin=names.pinyin(pupil["name"]),
    ).model_dump()


def _entry(row: Row, roster_id: uuid.UUID) -> dict[str, Any]:
    return RosterEntry(
        **_pupil(row), roster_id=roster_id, row=row.row, class_name=row.class_name
    ).model_dump()


# Reading rosters back ------------------------------------------------------------------------


def _current(status: ImportStatus, replaced_at: object) -> bool:
    """The school's roster of the term: stored, and not replaced since."""
    return status == ImportStatus.STORED and replaced_at is None


def _out(roster: Roster, *, limit: int, offset: int) -> RosterOut:
    return RosterOut.model_validate(
        {
            **import_records.summary(roster, LAYOUT, limit=limit, offset=offset),
            "current": _current(roster.status, roster.replaced_at),
        }
    )


async def _visible(session: AsyncSession, actor: Actor, roster_id: uuid.UUID) -> Roster:
    """A roster of a school the actor covers; any other is not found."""
    found = (
        await session.exec(
            select(Roster)
            .join(School, col(School.id) == col(Roster.school_id))
            .where(col(Roster.id) == roster_id, scoping.schools(actor))
        )
    ).first()
    if found is None:
        raise NotFound(f"No roster {roster_id} here.")
    return found


async def history(
    *,
    session: AsyncSession,
    actor: Actor,
    school_id: uuid.UUID,
    term: str | None,
    limit: int,
    offset: int,
) -> tuple[list[RosterBrief], int]:
    """A school's uploads (of one term, or all), the newest first."""
    permissions.require(actor, Resource.ROSTER, Action.READ)
    await scoping.one(
        session=session, model=School, object_id=school_id, visible=scoping.schools(actor)
    )
    where = [col(Roster.school_id) == school_id]
    if term is not None:
        where.append(col(Roster.term) == term)
    total = (await session.exec(select(func.count()).select_from(Roster).where(*where))).one()
    # The counts, not each upload's faults and refused rows.
    found = await (await session.connection()).execute(
        sa_select(*(getattr(Roster, name) for name in _BRIEF))
        .where(*where)
        .order_by(col(Roster.created_at).desc(), col(Roster.version).desc())
        .limit(limit)
        .offset(offset)
    )
    items = []
    for row in found.mappings():
        brief = dict(row)
        brief["created_by"] = brief.pop("created_by_username")
        brief["current"] = _current(brief["status"], brief["replaced_at"])
        items.append(RosterBrief.model_validate(brief))
    return items, total


_BRIEF = (
    "id",
    "school_id",
    "term",
    "version",
    "status",
    "replaced_at",
    "created_at",
    "created_by_username",
    "file_name",
    "rows",
    "entries",
    "rejected",
    "matched",
)


async def get(
    *, session: AsyncSession, actor: Actor, roster_id: uuid.UUID, limit: int, offset: int
) -> RosterOut:
    permissions.require(actor, Resource.ROSTER, Action.READ)
    return _out(await _visible(session, actor, roster_id), limit=limit, offset=offset)


async def entries(
    *, session: AsyncSession, actor: Actor, roster_id: uuid.UUID, limit: int, offset: int
) -> RosterEntryPage:
    """The kept rows as uploaded; identifiers in full (and the read audited) for whoever may
    read them so, masked for the others."""
    permissions.require(actor, Resource.ROSTER, Action.READ)
    roster = await _visible(session, actor, roster_id)
    full = permissions.allowed(actor, Resource.ROSTER, Action.READ_PERSONAL)
    shown = masking.Disclosure(full=full)
    found = await session.exec(
        select(RosterEntry)
        .where(col(RosterEntry.roster_id) == roster.id)
        .order_by(col(RosterEntry.row))
        .limit(limit)
        .offset(offset)
    )
    items = [_entry_out(entry, shown) for entry in found.all()]
    if full and items:
        await audit.read_in_full(
            session=session,
            actor=actor,
            object_type="roster",
            object_id=roster.id,
            detail=f"roster entries {offset + 1}-{offset + len(items)} read in full",
        )
    return RosterEntryPage(
        items=items, total=roster.entries, limit=limit, offset=offset, masked=not full
    )


def _entry_out(entry: RosterEntry, shown: masking.Disclosure) -> RosterEntryOut:
    return RosterEntryOut.model_validate(
        {
            **entry.model_dump(),
            "student_number": shown.student_number(entry.student_number),
            "id_number": shown.id_number(entry.id_number),
            "id_document_number": shown.id_number(entry.id_document_number),
        }
    )


async def report(*, session: AsyncSession, actor: Actor, roster_id: uuid.UUID) -> tuple[str, bytes]:
    """The refused rows with their faults (import_records.report), identifiers in full."""
    permissions.require(actor, Resource.ROSTER, Action.READ_PERSONAL)
    roster = await _visible(session, actor, roster_id)
    return await import_records.report(session=session, actor=actor, batch=roster)
