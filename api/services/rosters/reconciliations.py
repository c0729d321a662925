"""Reconciliation runs (人籍一致): asked for, run in the background, read and resolved.

A run links the term's registrations to children (roster_matching), makes the three
comparisons (discrepancy_finding), and keeps what it found beside the previous run of the
same scope: what is new, what is gone, and the exceptions someone explained, which stay
explained. Progress is committed as it goes, so that a reader sees it move.
"""

import uuid
from typing import Any

import structlog
from sqlalchemy import func
from sqlalchemy import select as sa_select
from sqlalchemy import update as sa_update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Area, Case, Discrepancy, Enrolment, Reconciliation, School
from api.models.base import utcnow
from api.models.vocabulary import (
    CaseSource,
    DiscrepancyKind,
    DiscrepancyResolution,
    ReconciliationStatus,
    WebhookEventType,
)
from api.schemas.cases import CaseCreate
from api.schemas.common import Page
from api.schemas.reconciliations import (
    CandidateOut,
    DiscrepancyChange,
    DiscrepancyOut,
    DiscrepancyResolve,
    ReconciliationCreate,
    ReconciliationOut,
)
from api.services.access import masking, permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.cases import case_rules, cases
from api.services.core import audit, bulk, school_age
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, InvalidInput, NotFound
from api.services.integrations import webhooks
from api.services.rosters import discrepancy_finding, roster_matching
from api.services.rosters.discrepancy_finding import Found, Scope
from api.settings import Settings

log = structlog.get_logger(__name__)

K = DiscrepancyKind
# Kinds about a known child out of school: resolving one may open a case for the child.
CASE_KINDS = frozenset({K.NOT_ENROLLED, K.REGISTERED_ABSENT, K.POVERTY_OUT_OF_SCHOOL})
# What a later run keeps of an earlier resolution: an explained exception stays explained.
KEPT = frozenset({DiscrepancyResolution.EXPLAINED})
RUNNING = (ReconciliationStatus.QUEUED, ReconciliationStatus.RUNNING)


def out(run: Reconciliation) -> ReconciliationOut:
    return ReconciliationOut.model_validate(
        {**run.model_dump(), "created_by": run.created_by_username}
    )


# Asking for a run --------------------------------------------------------------------------


async def start(
    *, session: AsyncSession, actor: Actor, settings: Settings, data: ReconciliationCreate
) -> Reconciliation:
    """A run queued for an area or a school; the caller has it run (``run``)."""
    permissions.require(actor, Resource.RECONCILIATION, Action.WRITE)
    if (data.area_code is None) == (data.school_id is None):
        raise InvalidInput("area_code", "请指定区划或学校之一 (give an area_code or a school_id)")
    if data.area_code is not None:
        area = await session.get(Area, data.area_code)
        if area is None or scoping.outside_areas(actor, [data.area_code]):
            raise NotFound(f"No area {data.area_code} here.")
    else:
        assert data.school_id is not None
        await scoping.one(
            session=session,
            model=School,
            object_id=data.school_id,
            visible=scoping.schools(actor),
        )
    run = Reconciliation(
        term=data.term or school_age.term_of(school_age.local_today(settings), settings),
        area_code=data.area_code,
        school_id=data.school_id,
        created_by_id=actor.user_id,
        created_by_username=actor.username,
    )
    session.add(run)
    audit.created(session=session, actor=actor, new=run)
    await session.commit()
    return run


# Running -----------------------------------------------------------------------------------


async def run(
    *,
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    reconciliation_id: uuid.UUID,
) -> None:
    """Carry out a queued run in a session of its own; a failure is recorded on the run."""
    async with sessionmaker() as session:
        try:
            await _carry_out(session=session, settings=settings, run_id=reconciliation_id)
        except Exception as exc:  # the run must end as failed, whatever went wrong
            log.exception("reconciliation_failed", reconciliation_id=str(reconciliation_id))
            await session.rollback()
            failed = await session.get(Reconciliation, reconciliation_id)
            if failed is not None:
                failed.status = ReconciliationStatus.FAILED
                failed.error = f"{type(exc).__name__}: {exc}"[:500]
                failed.finished_at = utcnow()
                await session.commit()


async def resume(*, sessionmaker: async_sessionmaker[AsyncSession], settings: Settings) -> int:
    """Runs left queued or half done when the server stopped, run again from the start."""
    async with sessionmaker() as session:
        left = (
            await session.exec(
                select(Reconciliation.id)
                .where(col(Reconciliation.status).in_(RUNNING))
                .order_by(col(Reconciliation.created_at))
            )
        ).all()
        await (await session.connection()).execute(
            sa_update(Reconciliation)
            .where(col(Reconciliation.id).in_(left))
            .values(status=ReconciliationStatus.QUEUED)
        )
        await session.commit()
    for run_id in left:
        await run(sessionmaker=sessionmaker, settings=settings, reconciliation_id=run_id)
    return len(left)


async def _step(session: AsyncSession, run: Reconciliation, progress: int, phase: str) -> None:
    run.progress = progress
    run.phase = phase
    await session.commit()


async def _claim(session: AsyncSession, run_id: uuid.UUID) -> Reconciliation | None:
    """The queued run, now marked running by this worker; None when another took it first
    (an Idempotency-Key replay asks for the same run again)."""
    claimed = await (await session.connection()).execute(
        sa_update(Reconciliation)
        .where(
            col(Reconciliation.id) == run_id,
            col(Reconciliation.status) == ReconciliationStatus.QUEUED,
        )
        .values(
            status=ReconciliationStatus.RUNNING, started_at=utcnow(), progress=5, phase="matching"
        )
    )
    await session.commit()
    return await session.get(Reconciliation, run_id) if claimed.rowcount else None


async def _carry_out(*, session: AsyncSession, settings: Settings, run_id: uuid.UUID) -> None:
    run = await _claim(session, run_id)
    if run is None:
        return
    # Every school's registrations of the term, so that a pupil held by a school outside the
    # area is still found on a roster.
    await roster_matching.match(session=session, term=run.term)
    await _step(session, run, 30, "population")
    born_from, born_to = school_age.births_of_school_year(int(run.term[:4]), settings)
    scope = Scope(
        term=run.term,
        area_code=run.area_code,
        school_id=run.school_id,
        born_from=born_from,
        born_to=born_to,
        term_starts=school_age.term_start(run.term, settings),
    )
    # Each step commits its progress, which hands the connection back: ask again each time.
    found = await discrepancy_finding.population(await session.connection(), scope)
    await _step(session, run, 50, "registrations")
    found += await discrepancy_finding.registrations(await session.connection(), scope)
    await _step(session, run, 75, "poverty")
    found += await discrepancy_finding.poverty(await session.connection(), scope)
    await _step(session, run, 90, "comparing")
    await _store(session=session, run=run, found=found)
    run.status = ReconciliationStatus.COMPLETED
    run.progress = 100
    run.phase = None
    run.finished_at = utcnow()
    school = await session.get(School, run.school_id) if run.school_id else None
    await webhooks.emit(
        session=session,
        type=WebhookEventType.RECONCILIATION_COMPLETED,
        area_code=run.area_code or (school.area_code if school else ""),
        payload={
            "reconciliation_id": str(run.id),
            "term": run.term,
            "area_code": run.area_code,
            "school_id": str(run.school_id) if run.school_id else None,
            "counts": run.counts,
            "new": run.new,
            "gone": run.gone,
        },
    )
    await session.commit()


async def _previous(session: AsyncSession, run: Reconciliation) -> Reconciliation | None:
    return (
        await session.exec(
            select(Reconciliation)
            .where(
                col(Reconciliation.id) != run.id,
                col(Reconciliation.term) == run.term,
                col(Reconciliation.area_code) == run.area_code
                if run.area_code
                else col(Reconciliation.area_code).is_(None),
                col(Reconciliation.school_id) == run.school_id
                if run.school_id
                else col(Reconciliation.school_id).is_(None),
                col(Reconciliation.status) == ReconciliationStatus.COMPLETED,
            )
            .order_by(col(Reconciliation.finished_at).desc())
            .limit(1)
        )
    ).first()


async def _store(*, session: AsyncSession, run: Reconciliation, found: list[Found]) -> None:
    previous = await _previous(session, run)
    before: dict[str, tuple[Any, ...]] = {}
    if previous is not None:
        rows = await (await session.connection()).execute(
            sa_select(
                col(Discrepancy.key),
                col(Discrepancy.resolution),
                col(Discrepancy.resolution_note),
                col(Discrepancy.resolved_by_id),
                col(Discrepancy.resolved_at),
            ).where(col(Discrepancy.reconciliation_id) == previous.id)
        )
        before = {key: tuple(rest) for key, *rest in rows}
    unique = {each.key: each for each in reversed(found)}  # a child on two lists is one
    records = [_record(run.id, each, before.get(each.key)) for each in unique.values()]
    await bulk.insert_rows(
        connection=await session.connection(),
        table=Discrepancy.__table__,  # type: ignore[attr-defined]
        rows=records,
    )
    counts: dict[str, int] = {}
    for each in unique.values():
        counts[each.kind.value] = counts.get(each.kind.value, 0) + 1
    run.counts = counts
    run.previous_id = previous.id if previous else None
    run.new = sum(1 for r in records if r["is_new"]) if previous else 0
    run.gone = len(before.keys() - unique.keys())


def _record(run_id: uuid.UUID, found: Found, before: tuple[Any, ...] | None) -> dict[str, Any]:
    resolution, note, by, at = before if before and before[0] in KEPT else (None,) * 4
    return {
        "id": uuid.uuid4(),
        "reconciliation_id": run_id,
        "kind": found.kind,
        "key": found.key,
        "child_id": found.child_id,
        "school_id": found.school_id,
        "area_code": found.area_code,
        "name": found.name,
        "birth_date": found.birth_date,
        "id_number": found.id_number,
        "student_number": found.student_number,
        "match_score": found.match_score,
        "match_reason": found.match_reason,
        "detail": found.detail,
        "is_new": before is None,
        "resolution": resolution,
        "resolution_note": note,
        "resolved_by_id": by,
        "resolved_at": at,
        "case_id": None,
    }


# Reading -----------------------------------------------------------------------------------


async def visible(*, session: AsyncSession, actor: Actor, run_id: uuid.UUID) -> Reconciliation:
    permissions.require(actor, Resource.RECONCILIATION, Action.READ)
    return await scoping.one(
        session=session,
        model=Reconciliation,
        object_id=run_id,
        visible=scoping.reconciliations(actor),
    )


async def search(
    *,
    session: AsyncSession,
    actor: Actor,
    term: str | None,
    status: ReconciliationStatus | None,
    limit: int,
    offset: int,
) -> Page[ReconciliationOut]:
    permissions.require(actor, Resource.RECONCILIATION, Action.READ)
    where = [scoping.reconciliations(actor)]
    if term is not None:
        where.append(col(Reconciliation.term) == term)
    if status is not None:
        where.append(col(Reconciliation.status) == status)
    total = (
        await session.exec(select(func.count()).select_from(Reconciliation).where(*where))
    ).one()
    runs = await session.exec(
        select(Reconciliation)
        .where(*where)
        .order_by(col(Reconciliation.created_at).desc(), col(Reconciliation.id))
        .limit(limit)
        .offset(offset)
    )
    return Page(items=[out(r) for r in runs], total=total, limit=limit, offset=offset)


async def discrepancies(
    *,
    session: AsyncSession,
    actor: Actor,
    run_id: uuid.UUID,
    kind: DiscrepancyKind | None,
    area: str | None,
    school_id: uuid.UUID | None,
    change: DiscrepancyChange | None,
    resolved: bool | None,
    limit: int,
    offset: int,
) -> Page[DiscrepancyOut]:
    """A run's discrepancies that the caller's part covers; ``change=gone`` lists those of the
    previous run that this one no longer finds."""
    run = await visible(session=session, actor=actor, run_id=run_id)
    where: list[Any] = [scoping.discrepancies(actor)]
    if change is DiscrepancyChange.GONE:
        found_now = select(Discrepancy.key).where(col(Discrepancy.reconciliation_id) == run.id)
        where += [
            col(Discrepancy.reconciliation_id) == run.previous_id,
            col(Discrepancy.key).not_in(found_now),
        ]
    else:
        where.append(col(Discrepancy.reconciliation_id) == run.id)
        if change is DiscrepancyChange.NEW:
            where.append(col(Discrepancy.is_new))
    if kind is not None:
        where.append(col(Discrepancy.kind) == kind)
    if area is not None:
        where.append(scoping.in_area(Discrepancy.area_code, area))
    if school_id is not None:
        where.append(col(Discrepancy.school_id) == school_id)
    if resolved is not None:
        where.append(
            col(Discrepancy.resolution).is_not(None)
            if resolved
            else col(Discrepancy.resolution).is_(None)
        )
    total = (await session.exec(select(func.count()).select_from(Discrepancy).where(*where))).one()
    rows = await session.exec(
        select(Discrepancy)
        .where(*where)
        .order_by(col(Discrepancy.kind), col(Discrepancy.area_code), col(Discrepancy.key))
        .limit(limit)
        .offset(offset)
    )
    return Page(items=[_out(d) for d in rows], total=total, limit=limit, offset=offset)


def _out(found: Discrepancy) -> DiscrepancyOut:
    return DiscrepancyOut.model_validate(
        {
            **found.model_dump(),
            "id_number": masking.id_number(found.id_number),
            "student_number": masking.student_number(found.student_number),
        }
    )


# Resolving ---------------------------------------------------------------------------------


async def resolve(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    run_id: uuid.UUID,
    discrepancy_id: uuid.UUID,
    data: DiscrepancyResolve,
) -> DiscrepancyOut:
    """Settle a discrepancy once: open a case for a child out of school, link a registration
    nobody matched to the child a person chose, or say it was corrected or why it is a true
    exception."""
    permissions.require(actor, Resource.RECONCILIATION, Action.WRITE)
    run, found = await _discrepancy(
        session=session, actor=actor, run_id=run_id, discrepancy_id=discrepancy_id
    )
    if data.child_id is not None and data.action is not DiscrepancyResolution.LINK:
        raise InvalidInput("child_id", "只有关联 (link) 时指定儿童 (child_id goes with link only)")
    if found.resolution is not None:
        raise Conflict("这条差异已处理 (already resolved)", resolution=found.resolution.value)
    note = (data.note or "").strip() or None
    if data.action is DiscrepancyResolution.EXPLAINED and note is None:
        raise InvalidInput("note", "说明例外的原因 (say why this is a true exception)")
    before = audit.snapshot(found)
    if data.action is DiscrepancyResolution.OPEN_CASE:
        found.case_id = await _open_case(
            session=session, actor=actor, settings=settings, found=found, note=note
        )
    if data.action is DiscrepancyResolution.LINK:
        found.child_id = await _link(
            session=session, actor=actor, settings=settings, run=run, found=found, data=data
        )
    found.resolution = data.action
    found.resolution_note = note
    found.resolved_by_id = actor.user_id
    found.resolved_at = utcnow()
    session.add(found)
    audit.updated(session=session, actor=actor, changed=found, before=before)
    await session.commit()
    return _out(found)


async def _discrepancy(
    *, session: AsyncSession, actor: Actor, run_id: uuid.UUID, discrepancy_id: uuid.UUID
) -> tuple[Reconciliation, Discrepancy]:
    """The run and its discrepancy, when the caller's part covers it; else not found."""
    run = await visible(session=session, actor=actor, run_id=run_id)
    found = (
        await session.exec(
            select(Discrepancy).where(
                col(Discrepancy.id) == discrepancy_id,
                col(Discrepancy.reconciliation_id) == run.id,
                scoping.discrepancies(actor),
            )
        )
    ).first()
    if found is None:
        raise NotFound(f"No discrepancy {discrepancy_id} in this reconciliation.")
    return run, found


async def _registration(
    session: AsyncSession, run: Reconciliation, found: Discrepancy
) -> Enrolment | None:
    """The term's registration an unknown_to_population discrepancy is about, while it is
    still unlinked (a later import or a person may have linked it since)."""
    if found.school_id is None or found.student_number is None:
        return None
    return (
        await session.exec(
            select(Enrolment).where(
                col(Enrolment.term) == run.term,
                col(Enrolment.school_id) == found.school_id,
                col(Enrolment.student_number) == found.student_number,
                col(Enrolment.child_id).is_(None),
            )
        )
    ).first()


async def _offered(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    run: Reconciliation,
    found: Discrepancy,
    child_id: uuid.UUID | None = None,
    limit: int = 20,
) -> list[roster_matching.Offered]:
    registration = await _registration(session, run, found)
    school = await session.get(School, found.school_id) if found.school_id else None
    return await roster_matching.offered(
        session=session,
        visible=scoping.children(actor, settings=settings),
        term=run.term,
        name=found.name,
        birth_date=found.birth_date,
        id_number=found.id_number,
        guardian_name=registration.guardian_name if registration else None,
        school_area=school.area_code if school else found.area_code,
        child_id=child_id,
        limit=limit,
    )


async def candidates(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    run_id: uuid.UUID,
    discrepancy_id: uuid.UUID,
    limit: int,
) -> list[CandidateOut]:
    """The children in the caller's reach who could be the pupil of a registration nobody
    matched, scored by the matching rule, best first: a homophone the import would not link
    without the guardian is offered here, for a person to decide."""
    run, found = await _discrepancy(
        session=session, actor=actor, run_id=run_id, discrepancy_id=discrepancy_id
    )
    if found.kind is not K.UNKNOWN_TO_POPULATION:
        raise Conflict(
            "只有有籍无人的差异有候选儿童 (candidates are for unknown_to_population only)",
            kind=found.kind.value,
        )
    offered = await _offered(
        session=session, actor=actor, settings=settings, run=run, found=found, limit=limit
    )
    return [
        CandidateOut(
            child_id=o.child_id,
            name=o.name,
            birth_date=o.birth_date,
            area_code=o.area_code,
            score=o.score,
            reason=o.reason,
            near_school=o.near_school,
        )
        for o in offered
    ]


async def _link(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    run: Reconciliation,
    found: Discrepancy,
    data: DiscrepancyResolve,
) -> uuid.UUID:
    """The registration linked to the chosen candidate, its score and reason kept with
    ``confirmed``, and audited; the child's id."""
    if found.kind is not K.UNKNOWN_TO_POPULATION:
        raise InvalidInput(
            "action", "只有有籍无人的差异可以关联儿童 (link is for unknown_to_population only)"
        )
    if data.child_id is None:
        raise InvalidInput("child_id", "请选择要关联的儿童 (name the candidate child to link)")
    registration = await _registration(session, run, found)
    if registration is None:
        raise Conflict("该学籍已关联或已不在名单上 (the registration is linked already or gone)")
    held = (
        await session.exec(
            select(Enrolment.id).where(
                col(Enrolment.term) == run.term,
                col(Enrolment.child_id) == data.child_id,
                col(Enrolment.id) != registration.id,
            )
        )
    ).first()
    if held is not None:
        raise InvalidInput(
            "child_id",
            "该儿童本学期已关联其他学籍 (the child holds another registration this term)",
        )
    chosen = await _offered(
        session=session,
        actor=actor,
        settings=settings,
        run=run,
        found=found,
        child_id=data.child_id,
        limit=1,
    )
    if not chosen:
        raise InvalidInput("child_id", "该儿童不是候选人 (the child is not a candidate here)")
    before = audit.snapshot(registration)
    registration.child_id = chosen[0].child_id
    registration.match_score = chosen[0].score
    registration.match_reason = f"{chosen[0].reason}+confirmed"[:60]
    session.add(registration)
    audit.updated(session=session, actor=actor, changed=registration, before=before)
    return chosen[0].child_id


async def _open_case(
    *, session: AsyncSession, actor: Actor, settings: Settings, found: Discrepancy, note: str | None
) -> uuid.UUID:
    """The child's case, opened from the reconciliation unless one is open already."""
    permissions.require(actor, Resource.CASE, Action.WRITE)
    if found.kind not in CASE_KINDS or found.child_id is None:
        raise InvalidInput(
            "action",
            "只有疑似失学辍学的儿童可以立案 (only a child out of school gets a case)",
        )
    opened = await cases.open_many(
        session=session,
        actor=actor,
        settings=settings,
        openings=[
            CaseCreate(
                child_id=found.child_id,
                source=CaseSource.RECONCILIATION,
                reason_note=note,
            )
        ],
    )
    for case in opened:
        audit.created(session=session, actor=actor, new=case)
        return case.id
    return (
        await session.exec(
            select(Case.id).where(
                col(Case.child_id) == found.child_id, col(Case.status).in_(case_rules.OPEN)
            )
        )
    ).one()
