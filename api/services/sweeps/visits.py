"""A phone's queue of household visits, received exactly once (POST /visits/batch).

Each item is answered alone: created, duplicate (sent before with the same content), conflict
(its id reused for other content, or its observation older than what is recorded), invalid
(with its reasons; among them a reason for leaving school that case_rules finds implausible
for the child's age, so that the cadre says it again rather than a case open with it).
Households and children found in the field go through their own services, one by one (a
handful a batch); the visits go set-based: a few queries to load what they name, one insert a
table, one UPDATE statement for the children whose status they change. The visit's primary
key is the phone's id, so a visit sent twice is stored once even when two sends race; the
loser of such a race is answered again from what the winner stored.

Photos taken at a visit are uploaded first (POST /attachments, under ids the phone made) and
named by the visit (``attachment_ids``): the visit becomes their owner, as a persuasion attempt
owns its photo, and whoever may read the household may see them.
"""

import hashlib
import json
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import bindparam, func, literal, null, union_all, update
from sqlalchemy import case as sql_case
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import (
    Attachment,
    Campaign,
    Child,
    Household,
    School,
    User,
    Visit,
    VisitObservation,
    metadata,
)
from api.models.base import CLOCK_SLACK, utcnow
from api.models.vocabulary import (
    AttachmentOwner,
    AuditAction,
    CaseSource,
    SchoolingStatus,
    StatusSource,
)
from api.schemas.cases import CaseCreate
from api.schemas.visits import (
    BatchResult,
    FieldChild,
    FieldHousehold,
    ItemError,
    ItemOutcome,
    ItemResult,
    Location,
    ObservationIn,
    ObservationOut,
    ServerState,
    VisitBatchRaw,
    VisitIn,
    VisitOut,
)
from api.services.access import permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.cases import case_rules, cases
from api.services.core import attachments, audit, bulk
from api.services.core.actors import Actor
from api.services.core.errors import DomainError, InvalidInput, NotFound
from api.services.core.id_lists import among
from api.services.integrations import webhooks
from api.services.registry import children, households
from api.services.status import status_rules
from api.settings import Settings

S = SchoolingStatus
_ATTEMPTS = 2  # a batch that lost a race is answered again from the winner's rows
# Earlier than any observation: a child never seen by a visit.
_NEVER = datetime.min.replace(tzinfo=UTC)


async def receive(
    *, session: AsyncSession, actor: Actor, settings: Settings, batch: VisitBatchRaw
) -> BatchResult:
    permissions.require(actor, Resource.VISIT, Action.WRITE)
    received_at = utcnow()
    found_households = [
        await _found(
            session=session,
            index=index,
            raw=raw,
            model=FieldHousehold,
            stored=Household,
            create=lambda item: households.create(
                session=session, actor=actor, settings=settings, data=item
            ),
        )
        for index, raw in enumerate(batch.households)
    ]
    found_children = [
        await _found(
            session=session,
            index=index,
            raw=raw,
            model=FieldChild,
            stored=Child,
            create=lambda item: children.create(
                session=session, actor=actor, settings=settings, data=item
            ),
        )
        for index, raw in enumerate(batch.children)
    ]
    for attempt in range(_ATTEMPTS):
        try:
            visits = await _visits(
                session=session,
                actor=actor,
                settings=settings,
                raws=batch.visits,
                received_at=received_at,
            )
            break
        except IntegrityError:  # the same visit or a case stored by a concurrent send
            await session.rollback()
            if attempt + 1 == _ATTEMPTS:
                raise
    return BatchResult(
        received_at=received_at,
        households=found_households,
        children=found_children,
        visits=visits,
    )


def _errors(exc: ValidationError | InvalidInput) -> list[ItemError]:
    if isinstance(exc, ValidationError):
        return [ItemError(loc=list(e["loc"]), msg=e["msg"]) for e in exc.errors()]
    return [ItemError(loc=e["loc"][1:], msg=e["msg"]) for e in exc.extensions["errors"]]


# Found in the field ------------------------------------------------------------------------


async def _found(
    *,
    session: AsyncSession,
    index: int,
    raw: dict[str, Any],
    model: type[FieldHousehold] | type[FieldChild],
    stored: type[Household] | type[Child],
    create: Callable[[Any], Awaitable[Any]],
) -> ItemOutcome:
    """A household or child made on the phone: created by its service and its rules, or
    answered duplicate when the same one came before, conflict when its id holds another."""
    try:
        item = model.model_validate(raw)
    except ValidationError as exc:
        return ItemOutcome(
            index=index, id=_id_of(raw), result=ItemResult.INVALID, errors=_errors(exc)
        )
    existing = await session.get(stored, item.id)
    if existing is not None:
        same = all(
            getattr(existing, name) == value
            for name, value in item.model_dump(exclude={"id", "guardians"}).items()
            if hasattr(existing, name)
        )
        return ItemOutcome(
            index=index,
            id=item.id,
            result=ItemResult.DUPLICATE if same else ItemResult.CONFLICT,
            detail=None if same else "这个编号已有不同的记录 (this id holds another record)",
        )
    try:
        await create(item)
    except InvalidInput as exc:
        return ItemOutcome(index=index, id=item.id, result=ItemResult.INVALID, errors=_errors(exc))
    except DomainError as exc:  # not within reach, or registered meanwhile
        return ItemOutcome(index=index, id=item.id, result=ItemResult.CONFLICT, detail=exc.detail)
    return ItemOutcome(index=index, id=item.id, result=ItemResult.CREATED)


def _id_of(raw: dict[str, Any]) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(raw.get("id")))
    except ValueError:
        return None


# Visits -------------------------------------------------------------------------------------


def _sha256(item: VisitIn) -> str:
    """The item's content as validated (its fields in the model's order), hashed. A visit
    with no photos hashes as before photos could be named, so that a visit stored then and
    sent again now is still a duplicate."""
    unnamed = {"attachment_ids"} if not item.attachment_ids else None
    return hashlib.sha256(item.model_dump_json(exclude=unnamed).encode()).hexdigest()


@dataclass
class _Child:
    """A child as the batch sees it: its recorded status, moved on by the batch's own visits."""

    household_id: uuid.UUID
    birth_date: Any
    status: SchoolingStatus
    changed_at: datetime
    version: int
    seen_at: datetime  # the later of its last status change and its last observation
    changed: bool = False


@dataclass
class _Writes:
    visits: list[dict[str, Any]] = field(default_factory=list)
    observations: list[dict[str, Any]] = field(default_factory=list)
    changes: list[dict[str, Any]] = field(default_factory=list)
    openings: list[CaseCreate] = field(default_factory=list)
    opened_for: dict[uuid.UUID, int] = field(default_factory=dict)  # child -> outcome index
    photos: list[dict[str, Any]] = field(default_factory=list)  # linked to their visit


async def _visits(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    raws: list[dict[str, Any]],
    received_at: datetime,
) -> list[ItemOutcome]:
    outcomes: list[ItemOutcome] = []
    items: list[tuple[int, VisitIn, str]] = []
    for index, raw in enumerate(raws):
        try:
            item = VisitIn.model_validate(raw)
        except ValidationError as exc:
            outcomes.append(
                ItemOutcome(
                    index=index, id=_id_of(raw), result=ItemResult.INVALID, errors=_errors(exc)
                )
            )
            continue
        items.append((index, item, _sha256(item)))
    known = await _known(session, actor, settings, [item for _, item, _ in items])
    writes = _Writes()
    seen: dict[uuid.UUID, str] = {}
    # Older visits first, so that the latest observation of a child is the one that stands.
    for index, item, sha in sorted(items, key=lambda entry: entry[1].visited_at):
        earlier = seen.get(item.id) or known.stored.get(item.id)
        if earlier is not None:
            result = ItemResult.DUPLICATE if earlier == sha else ItemResult.CONFLICT
            detail = (
                None if earlier == sha else "这个编号已用于另一次走访 (id used by another visit)"
            )
            outcomes.append(ItemOutcome(index=index, id=item.id, result=result, detail=detail))
            continue
        faults = known.faults(item, settings)
        if item.visited_at > received_at + CLOCK_SLACK:
            faults.append(ItemError(loc=["visited_at"], msg="走访时间晚于现在，请校准手机时间"))
        if faults:
            outcomes.append(
                ItemOutcome(index=index, id=item.id, result=ItemResult.INVALID, errors=faults)
            )
            continue
        seen[item.id] = sha
        outcome = ItemOutcome(index=index, id=item.id, result=ItemResult.CREATED)
        _visit(writes, known, actor, settings, item, sha, received_at, outcome)
        outcomes.append(outcome)
    await _store(session, actor, settings, known, writes, outcomes)
    return sorted(outcomes, key=lambda outcome: outcome.index)


@dataclass
class _Known:
    """What the batch's visits name, loaded a query a kind."""

    stored: dict[uuid.UUID, str]  # visit id -> its content's hash
    households: set[uuid.UUID]
    campaigns: set[uuid.UUID]
    schools: set[uuid.UUID]
    children: dict[uuid.UUID, _Child]
    photos: dict[uuid.UUID, bool]  # the caller's photos the batch names -> not yet linked

    def faults(self, item: VisitIn, settings: Settings) -> list[ItemError]:
        faults = []
        if item.household_id not in self.households:
            faults.append(ItemError(loc=["household_id"], msg="没有这一户，或不在您的范围内"))
        if item.campaign_id is not None and item.campaign_id not in self.campaigns:
            faults.append(ItemError(loc=["campaign_id"], msg="没有这个已开始的排查活动"))
        for n, seen in enumerate(item.observations):
            child = self.children.get(seen.child_id)
            if child is None or child.household_id != item.household_id:
                faults.append(
                    ItemError(
                        loc=["observations", n, "child_id"],
                        msg="这一户没有这名儿童 (no such child in this household)",
                    )
                )
            elif seen.reason is not None and (
                fault := case_rules.implausible_reason(
                    seen.reason,
                    born=child.birth_date,
                    noticed_at=item.visited_at,
                    settings=settings,
                )
            ):  # the case it would open could not take the reason: the cadre says it again
                faults.append(ItemError(loc=["observations", n, "reason"], msg=fault))
            if seen.school_id is not None and seen.school_id not in self.schools:
                faults.append(
                    ItemError(
                        loc=["observations", n, "school_id"], msg="没有这所学校 (no such school)"
                    )
                )
        for n, photo in enumerate(item.attachment_ids):
            free = self.photos.get(photo)
            if not free:
                faults.append(
                    ItemError(
                        loc=["attachment_ids", n],
                        msg="没有您上传的这张照片 (no such attachment uploaded by you)"
                        if free is None
                        else "这张照片已属于另一条记录 (the attachment belongs to another record)",
                    )
                )
        return faults


async def _known(
    session: AsyncSession, actor: Actor, settings: Settings, items: list[VisitIn]
) -> _Known:
    ids = [item.id for item in items]
    household_ids = list({item.household_id for item in items})
    campaign_ids = list({item.campaign_id for item in items if item.campaign_id})
    seen = [o for item in items for o in item.observations]
    child_ids = list({o.child_id for o in seen})
    school_ids = list({o.school_id for o in seen if o.school_id})
    photo_ids = list({photo for item in items for photo in item.attachment_ids})
    # What exists of what the batch names, one statement for the five kinds: (kind, id, hash;
    # for a photo, whether it is still free to link).
    lookups: Any = union_all(
        sa_select(literal("visit"), col(Visit.id), col(Visit.content_sha256)).where(
            among(session, Visit.id, ids)
        ),
        sa_select(literal("household"), col(Household.id), null()).where(
            among(session, Household.id, household_ids),
            col(Household.removed_at).is_(None),
            scoping.households(actor, settings=settings),
        ),
        sa_select(literal("campaign"), col(Campaign.id), null()).where(
            among(session, Campaign.id, campaign_ids), col(Campaign.started_at).is_not(None)
        ),
        sa_select(literal("school"), col(School.id), null()).where(
            among(session, School.id, school_ids), col(School.removed_at).is_(None)
        ),
        sa_select(
            literal("photo"),
            col(Attachment.id),
            sql_case(
                (col(Attachment.owner_id).is_(None), literal("free")), else_=literal("linked")
            ),
        ).where(
            among(session, Attachment.id, photo_ids),
            col(Attachment.uploaded_by_id) == actor.user_id,
        ),
    )
    found: dict[str, dict[uuid.UUID, str | None]] = {
        "visit": {}, "household": {}, "campaign": {}, "school": {}, "photo": {}
    }  # fmt: skip
    for kind, found_id, sha in (await (await session.connection()).execute(lookups)).all():
        found[kind][found_id] = sha
    stored = {visit_id: str(sha) for visit_id, sha in found["visit"].items()}
    reachable, started, schools = (set(found[k]) for k in ("household", "campaign", "school"))
    last_seen = (
        select(func.max(VisitObservation.observed_at))
        .where(col(VisitObservation.child_id) == col(Child.id), col(VisitObservation.applied))
        .correlate(Child)
        .scalar_subquery()
    )
    rows = await (await session.connection()).execute(
        sa_select(
            col(Child.id),
            col(Child.household_id),
            col(Child.birth_date),
            col(Child.schooling_status),
            col(Child.status_changed_at),
            col(Child.version),
            last_seen,
        ).where(among(session, Child.id, child_ids), col(Child.removed_at).is_(None))
    )
    known_children = {}
    for child_id, household_id, born, status, changed_at, version, observed in rows.all():
        # A status never recorded (a child just registered, as one found in the field) is no
        # later record for an observation to yield to.
        recorded = changed_at if status is not S.UNKNOWN else _NEVER
        seen_at = max(recorded, observed or _NEVER)
        known_children[child_id] = _Child(household_id, born, status, changed_at, version, seen_at)
    photos = {photo: state == "free" for photo, state in found["photo"].items()}
    return _Known(stored, reachable, started, schools, known_children, photos)


def _visit(
    writes: _Writes,
    known: _Known,
    actor: Actor,
    settings: Settings,
    item: VisitIn,
    sha: str,
    received_at: datetime,
    outcome: ItemOutcome,
) -> None:
    location = item.location
    # Rows as plain dicts: a table model built per row costs more than the insert itself.
    writes.visits.append(
        dict(
            id=item.id,
            campaign_id=item.campaign_id,
            household_id=item.household_id,
            visitor_id=actor.user_id,
            visited_at=item.visited_at,
            received_at=received_at,
            outcome=item.outcome,
            latitude=location.latitude if location else None,
            longitude=location.longitude if location else None,
            accuracy_m=location.accuracy_m if location else None,
            note=item.note,
            content_sha256=sha,
        )
    )
    for photo in item.attachment_ids:
        known.photos[photo] = False  # one visit's: another visit of the batch may not take it
        writes.photos.append({"photo": photo, "visit": item.id})
    for seen in item.observations:
        child = known.children[seen.child_id]
        applied = _apply(writes, child, seen, item, actor)
        if not applied:
            state = ServerState(
                child_id=seen.child_id,
                schooling_status=child.status,
                status_changed_at=child.changed_at,
                seen_at=child.seen_at,
            )
            outcome.server_state.append(state)
            outcome.result = ItemResult.CONFLICT
            outcome.detail = "已有更新的记录，观察未覆盖 (a later status is recorded; visit kept)"
        writes.observations.append(
            {
                "visit_id": item.id,
                "observed_at": item.visited_at,
                "applied": applied,
                **seen.model_dump(),
            }
        )
        if applied and case_rules.opens_case(
            seen.schooling,
            status=child.status,
            born=child.birth_date,
            on=item.visited_at,
            settings=settings,
        ):
            writes.opened_for[seen.child_id] = outcome.index
            writes.openings.append(
                CaseCreate(
                    child_id=seen.child_id,
                    source=CaseSource.SWEEP,
                    noticed_at=item.visited_at,
                    reason=seen.reason or CaseCreate.model_fields["reason"].default,
                    whereabouts=seen.whereabouts,
                    reason_note=item.note,
                )
            )


def _apply(
    writes: _Writes, child: _Child, seen: ObservationIn, item: VisitIn, actor: Actor
) -> bool:
    """Record the observed status unless a later one is recorded, or the status table does
    not allow the change; whether it stands."""
    if item.visited_at < child.seen_at:
        return False
    wanted = status_rules.observed(
        seen.schooling, at_a_county_school=seen.school_id is not None, current=child.status
    )
    if wanted is not child.status and wanted not in status_rules.ALLOWED[child.status]:
        return False
    child.seen_at = item.visited_at
    if wanted is child.status:  # what is recorded, seen again
        return True
    writes.changes.append(
        dict(
            id=uuid.uuid4(),
            child_id=seen.child_id,
            from_status=child.status,
            to_status=wanted,
            source=StatusSource.SWEEP,
            reason=seen.reason.value if seen.reason else None,
            evidence=f"入户走访 {item.id}" + (f"：{seen.school_name}" if seen.school_name else ""),
            changed_by_id=actor.user_id,
            changed_at=item.visited_at,
        )
    )
    child.status, child.changed_at, child.changed = wanted, item.visited_at, True
    return True


async def _store(
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    known: _Known,
    writes: _Writes,
    outcomes: list[ItemOutcome],
) -> None:
    """Everything the batch's new visits write, in one transaction, and one audit entry (a
    batch storing nothing is recorded too: the phone did sync)."""
    tally = {r.value: sum(o.result is r for o in outcomes) for r in ItemResult}
    if not writes.visits:
        audit.record(
            session=session,
            action=AuditAction.SYNC_RECEIVED,
            actor=actor,
            object_type="visit_batch",
            object_id=uuid.uuid4(),
            detail=json.dumps(tally),
        )
        await session.commit()
        return
    connection = await session.connection()
    await bulk.insert_rows(
        connection=connection, table=metadata.tables["visit"], rows=writes.visits
    )
    await bulk.insert_rows(
        connection=connection, table=metadata.tables["visit_observation"], rows=writes.observations
    )
    await bulk.insert_rows(
        connection=connection, table=metadata.tables["schooling_status_change"], rows=writes.changes
    )
    changed = [(i, c) for i, c in known.children.items() if c.changed]
    moved = [
        {"child": i, "status": c.status, "at": c.changed_at, "seen": c.version} for i, c in changed
    ]
    if moved:
        table = metadata.tables["child"]
        await connection.execute(
            update(table)
            .where(table.c.id == bindparam("child"), table.c.version == bindparam("seen"))
            .values(
                schooling_status=bindparam("status"),
                status_changed_at=bindparam("at"),
                version=table.c.version + 1,
                updated_at=utcnow(),
            ),
            moved,
        )
        # An executemany's row count is not told on asyncpg: read back that each child was
        # still as the batch read it (the rows updated stay locked until the commit).
        # (The statement's text is the same for any number of children: prepared once.)
        now = await connection.execute(
            sa_select(table.c.id, table.c.version).where(
                among(connection, table.c.id, [i for i, _ in changed])
            )
        )
        versions = {child_id: version for child_id, version in now.all()}
        if any(versions.get(i) != c.version + 1 for i, c in changed):  # changed meanwhile
            raise IntegrityError("child changed meanwhile", None, Exception("version"))
    if writes.photos:
        await _link_photos(connection, writes.photos)
    opened = await cases.open_many(
        session=session, actor=actor, settings=settings, openings=writes.openings
    )
    by_index = {outcome.index: outcome for outcome in outcomes}
    for case in opened:
        by_index[writes.opened_for[case.child_id]].case_ids.append(case.id)
    counts = {**tally, "visits": len(writes.visits), "cases_opened": len(opened)}
    await webhooks.visit_batch_received(
        session=session,
        actor=actor,
        counts=counts,
        household_ids=[v["household_id"] for v in writes.visits],
    )
    audit.record(
        session=session,
        action=AuditAction.CREATE,
        actor=actor,
        object_type="visit_batch",
        object_id=uuid.uuid4(),
        detail=json.dumps(tally),
        changes={
            "visits": {"after": len(writes.visits)},
            "status_changes": {"after": len(writes.changes)},
            "photos": {"after": len(writes.photos)},
            "cases": {"after": [str(case.id) for case in opened]},
        },
    )
    await session.commit()


async def _link_photos(connection: Any, photos: list[dict[str, Any]]) -> None:
    """Each photo owned by its visit, unless linked meanwhile by a concurrent send (then the
    batch is tried again, and that item answered invalid)."""
    table = metadata.tables["attachment"]
    await connection.execute(
        update(table)
        .where(table.c.id == bindparam("photo"), table.c.owner_id.is_(None))
        .values(owner_type=AttachmentOwner.VISIT, owner_id=bindparam("visit")),
        photos,
    )
    now = await connection.execute(
        sa_select(table.c.id, table.c.owner_id).where(
            among(connection, table.c.id, [p["photo"] for p in photos])
        )
    )
    owners = {photo: owner for photo, owner in now.all()}
    if any(owners.get(p["photo"]) != p["visit"] for p in photos):
        raise IntegrityError("photo linked meanwhile", None, Exception("owner"))


# Reading ------------------------------------------------------------------------------------


async def of_household(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    household_id: uuid.UUID,
    limit: int,
    offset: int,
) -> tuple[list[VisitOut], int]:
    """A household's visits, the latest first, each with what it found and its photos."""
    permissions.require(actor, Resource.VISIT, Action.READ)
    household = await scoping.one(
        session=session,
        model=Household,
        object_id=household_id,
        visible=scoping.households(actor, settings=settings),
    )
    mine = col(Visit.household_id) == household.id
    total = (await session.exec(select(func.count()).select_from(Visit).where(mine))).one()
    rows = (
        await session.exec(
            select(Visit, User.display_name)
            .join(User, col(User.id) == col(Visit.visitor_id))
            .where(mine)
            .order_by(col(Visit.visited_at).desc(), col(Visit.id))
            .limit(limit)
            .offset(offset)
        )
    ).all()
    ids = [visit.id for visit, _ in rows]
    seen: dict[uuid.UUID, list[ObservationOut]] = {i: [] for i in ids}
    for observation in (
        await session.exec(
            select(VisitObservation)
            .where(among(session, VisitObservation.visit_id, ids))
            .order_by(col(VisitObservation.child_id))
        )
    ).all():
        out = ObservationOut.model_validate(observation, from_attributes=True)
        seen[observation.visit_id].append(out)
    photos: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in ids}
    for photo, owner in (
        await session.exec(
            select(Attachment.id, Attachment.owner_id)
            .where(
                col(Attachment.owner_type) == AttachmentOwner.VISIT,
                among(session, Attachment.owner_id, ids),
            )
            .order_by(col(Attachment.uploaded_at), col(Attachment.id))
        )
    ).all():
        if owner is not None:
            photos[owner].append(photo)
    return [_out(v, name, seen[v.id], photos[v.id]) for v, name in rows], total


def _out(
    visit: Visit, visitor: str, seen: list[ObservationOut], photos: list[uuid.UUID]
) -> VisitOut:
    located = visit.latitude is not None and visit.longitude is not None
    return VisitOut(
        id=visit.id,
        household_id=visit.household_id,
        campaign_id=visit.campaign_id,
        visitor_id=visit.visitor_id,
        visitor_name=visitor,
        visited_at=visit.visited_at,
        received_at=visit.received_at,
        outcome=visit.outcome,
        location=Location(
            latitude=visit.latitude, longitude=visit.longitude, accuracy_m=visit.accuracy_m
        )
        if located
        else None,
        note=visit.note,
        observations=seen,
        attachment_ids=photos,
    )


@attachments.owner(AttachmentOwner.VISIT)
async def check_can_see_attachment(
    *, session: AsyncSession, actor: Actor, settings: Settings, attachment: Attachment
) -> None:
    """A visit's photo is for whoever may read the visit's household (and its visits)."""
    hidden = NotFound(f"No attachment {attachment.id} here.")  # naming nothing it belongs to
    visit = await session.get(Visit, attachment.owner_id)
    if visit is None or not permissions.allowed(actor, Resource.VISIT, Action.READ):
        raise hidden
    try:
        await scoping.one(
            session=session,
            model=Household,
            object_id=visit.household_id,
            visible=scoping.households(actor, settings=settings),
        )
    except NotFound:
        raise hidden from None
