"""Whom a case's report up (上报) and its transfers (移交) are told to, and what they read.

上报 is the school's report to the county bureau and the township (不过周): it tells, in the
report's own transaction, the township officers and the county administrators who cover the
child's home (``responsibility.covering``). A case handed on tells the receiving side: the
township officers covering the village or group it goes to, or the principals of the school;
their decision tells whoever asked for the transfer. Nobody is told of their own act, and each
notification is about one report or one transfer (its ``dedupe_key``), so a retry tells no one
twice.
"""

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Case, CaseTransfer, Child, User
from api.models.vocabulary import NotificationKind, TransferOutcome, UserRole
from api.schemas.notifications import Notified
from api.services.core.actors import Actor
from api.services.integrations import notifications
from api.services.responsibility import responsibility

# Who a report up goes to: the township (乡镇) and the county bureau (县教育局).
REPORTED_TO = frozenset({UserRole.TOWNSHIP_OFFICER, UserRole.COUNTY_ADMIN})
# Who is told of a case handed to them: the township for a move, the school for a school.
RECEIVING = {
    "area": frozenset({UserRole.TOWNSHIP_OFFICER}),
    "school": frozenset({UserRole.PRINCIPAL}),
}

_TITLES = {
    NotificationKind.REPORTED_UP: "{name}：学校已上报辍学个案",
    NotificationKind.TRANSFER_REQUESTED: "{name}：个案移交待接收",
    NotificationKind.TRANSFER_ACCEPTED: "{name}：移交的个案已被接收",
    NotificationKind.TRANSFER_DECLINED: "{name}：移交的个案被退回",
}
_BODIES = {
    NotificationKind.REPORTED_UP: "个案已上报县教育局和乡镇，请跟进核实和劝返。",
    NotificationKind.TRANSFER_REQUESTED: "有个案移交给您，请核实后接收或退回。",
    NotificationKind.TRANSFER_ACCEPTED: "接收方已接收个案，此后由接收方负责。",
    NotificationKind.TRANSFER_DECLINED: "接收方退回了个案，仍由原责任方负责。",
}


async def _tell(
    *,
    session: AsyncSession,
    actor: Actor,
    people: list[User],
    kind: NotificationKind,
    case: Case,
    about: str,
    note: str | None = None,
) -> list[Notified]:
    """Tell ``people`` but the actor, in the caller's transaction; whom."""
    child = await session.get(Child, case.child_id)
    assert child is not None  # a foreign key
    told = [person for person in people if person.id != actor.user_id]
    body = _BODIES[kind] + (f"说明：{note}" if note else "")
    rows: list[dict[str, Any]] = [
        {
            "user_id": person.id,
            "kind": kind,
            "case_id": case.id,
            "title": _TITLES[kind].format(name=child.name)[:100],
            "body": body[:500],
            "dedupe_key": f"{about}:{case.id}",
        }
        for person in told
    ]
    await notifications.send(session=session, rows=rows)
    return [Notified(user_id=p.id, display_name=p.display_name, role=p.role) for p in told]


async def reported_up(*, session: AsyncSession, actor: Actor, case: Case) -> list[Notified]:
    """The township officers and county administrators covering the child's home."""
    child = await session.get(Child, case.child_id)
    assert child is not None  # a foreign key
    people = await responsibility.covering(
        session=session, roles=REPORTED_TO, area_code=child.area_code
    )
    kind = NotificationKind.REPORTED_UP
    return await _tell(
        session=session, actor=actor, people=people, kind=kind, case=case, about="reported_up"
    )


async def transfer_requested(
    *, session: AsyncSession, actor: Actor, case: Case, transfer: CaseTransfer
) -> list[Notified]:
    """The receiving side: the township officers covering the village or group, or the
    principals of the school."""
    if transfer.to_area_code is not None:
        people = await responsibility.covering(
            session=session, roles=RECEIVING["area"], area_code=transfer.to_area_code
        )
    else:
        people = await responsibility.covering(
            session=session, roles=RECEIVING["school"], school_id=transfer.to_school_id
        )
    return await _tell(
        session=session,
        actor=actor,
        people=people,
        kind=NotificationKind.TRANSFER_REQUESTED,
        case=case,
        about=f"transfer:{transfer.id}",
        note=transfer.note,
    )


async def transfer_decided(
    *, session: AsyncSession, actor: Actor, case: Case, transfer: CaseTransfer
) -> list[Notified]:
    """Whoever asked for the transfer, told it was accepted or declined."""
    asker = await session.get(User, transfer.requested_by_id)
    people = [asker] if asker is not None and asker.is_active else []
    accepted = transfer.outcome is TransferOutcome.ACCEPTED
    kind = NotificationKind.TRANSFER_ACCEPTED if accepted else NotificationKind.TRANSFER_DECLINED
    return await _tell(
        session=session,
        actor=actor,
        people=people,
        kind=kind,
        case=case,
        about=f"transfer_decided:{transfer.id}",
        note=transfer.decision_note,
    )
