"""A case handed on when the child moves (籍随人走): to a village or group of another township
when the family moved, or to another school. Until the receiving side decides, both sides
see the case (scoping.cases); responsibility changes only when it accepts: a move puts the
household, and so its children, in the new village (the chain then names its people), a
school transfer makes the new school the case's. The receiving side is told of the transfer,
and the asker of the decision (case_notices).
"""

import uuid

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Area, CaseTransfer, Child, Household, School
from api.models.base import utcnow
from api.models.vocabulary import AreaLevel, TransferOutcome, UserRole
from api.schemas.cases import CaseDetail, CaseTransferCreate, TransferDecision, TransferOut
from api.services.access import permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.cases import case_notices, case_rules, cases
from api.services.core import audit, records
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from api.settings import Settings

_RECEIVERS = {  # who takes a case in: the government line for a move, the school line else
    "area": frozenset({UserRole.TOWNSHIP_OFFICER, UserRole.VILLAGE_CADRE, UserRole.COUNTY_ADMIN}),
    "school": frozenset({UserRole.PRINCIPAL, UserRole.COUNTY_ADMIN}),
}
_TOWNSHIP = 9  # an area code's first digits: its township


async def request(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    case_id: uuid.UUID,
    data: CaseTransferCreate,
) -> CaseDetail:
    case = await cases.workable(
        session=session,
        actor=actor,
        settings=settings,
        case_id=case_id,
        who=case_rules.ON_THE_LINES,
        doing="hand a case on",
        statuses=case_rules.OPEN,
        why="已结案，无需移交 (closed cases stay)",
    )
    child = await session.get(Child, case.child_id)
    assert child is not None  # a foreign key
    if (data.to_area_code is None) == (data.to_school_id is None):
        raise InvalidInput("to_area_code", "请选择移交到的村组或学校之一 (a village or a school)")
    if data.to_area_code is not None:
        place = await session.get(Area, data.to_area_code)
        if place is None or place.level not in {AreaLevel.VILLAGE, AreaLevel.GROUP}:
            raise InvalidInput("to_area_code", "请选择迁入的村或村民小组 (a village or group)")
        if data.to_area_code[:_TOWNSHIP] == child.area_code[:_TOWNSHIP]:
            raise InvalidInput(
                "to_area_code",
                "同一乡镇内搬迁请直接修改户的住址 (within a township, edit the household)",
            )
    elif data.to_school_id is not None:
        school = await session.get(School, data.to_school_id)
        if school is None or school.removed_at is not None:
            raise InvalidInput("to_school_id", "没有这所学校 (no such school)")
        if data.to_school_id == case.school_id:
            raise InvalidInput("to_school_id", "个案已在这所学校 (the case is this school's)")
    transfer = CaseTransfer(
        case_id=case.id,
        to_area_code=data.to_area_code,
        to_school_id=data.to_school_id,
        from_area_code=child.area_code if data.to_area_code else None,
        from_school_id=case.school_id if data.to_school_id else None,
        note=data.note,
        requested_by_id=actor.user_id,
        requested_at=utcnow(),
    )
    session.add(transfer)
    audit.created(session=session, actor=actor, new=transfer)
    try:
        await session.flush()  # a transfer pending already: refused before anyone is told
        await case_notices.transfer_requested(
            session=session, actor=actor, case=case, transfer=transfer
        )
        await session.commit()
    except sa.exc.IntegrityError as exc:
        await session.rollback()
        raise Conflict("个案已有一项待接收的移交 (a transfer is pending)") from exc
    return await cases.get(session=session, actor=actor, settings=settings, case_id=case.id)


async def decide(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    case_id: uuid.UUID,
    transfer_id: uuid.UUID,
    accept: bool,
    data: TransferDecision,
) -> TransferOut:
    """The receiving side accepts the case, or declines it (the sending side keeps it, and the
    receiving side no longer sees it)."""
    permissions.require(actor, Resource.CASE, Action.WRITE)
    case = await cases.visible(session=session, actor=actor, settings=settings, case_id=case_id)
    transfer = await session.get(CaseTransfer, transfer_id)
    if transfer is None or transfer.case_id != case.id:
        raise NotFound(f"No transfer {transfer_id} of this case.")
    if transfer.outcome is not TransferOutcome.PENDING:
        raise Conflict(f"移交已{transfer.outcome.value} (decided already)",
                       outcome=transfer.outcome.value)  # fmt: skip
    side = "area" if transfer.to_area_code else "school"
    receiving = (
        not scoping.outside_areas(actor, [transfer.to_area_code])
        if transfer.to_area_code
        else transfer.to_school_id in actor.school_ids
    )
    if actor.role not in _RECEIVERS[side] or not receiving:
        raise Forbidden("只有接收方可以接收或退回移交 (only the receiving side decides)")
    before = audit.snapshot(transfer)
    transfer.outcome = TransferOutcome.ACCEPTED if accept else TransferOutcome.DECLINED
    transfer.decided_by_id, transfer.decided_at = actor.user_id, utcnow()
    transfer.decision_note = data.note
    session.add(transfer)
    audit.updated(session=session, actor=actor, changed=transfer, before=before)
    await case_notices.transfer_decided(session=session, actor=actor, case=case, transfer=transfer)
    if not accept:
        await session.commit()
    elif transfer.to_area_code is not None:
        await _move_household(session, actor, case.child_id, transfer.to_area_code)
    else:
        await records.update_versioned(
            session=session,
            actor=actor,
            record=case,
            changes={"school_id": transfer.to_school_id, "class_id": None},
            expected_version=None,
        )
    await session.refresh(transfer)
    return TransferOut.model_validate(transfer, from_attributes=True)


async def _move_household(
    session: AsyncSession, actor: Actor, child_id: uuid.UUID, to_area: str
) -> None:
    """The family lives in the receiving village now: the household and its children."""
    child = await session.get(Child, child_id)
    assert child is not None  # a foreign key
    household = await session.get(Household, child.household_id)
    assert household is not None  # a foreign key
    await session.exec(
        sa.update(Child).where(col(Child.household_id) == household.id).values(area_code=to_area)
    )
    await records.update_versioned(
        session=session,
        actor=actor,
        record=household,
        changes={"area_code": to_area},
        expected_version=None,
    )
