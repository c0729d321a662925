"""Whom a case's report up (上报) is told to, and what they read.

上报 is the school's report to the county bureau and the township (不过周): it tells, in the
report's own transaction, the township officers and the county administrators who cover the
child's home (``responsibility.covering``). Nobody is told of their own act, and each
notification is about one report (its ``dedupe_key``), so a retry tells no one twice.
"""

from typing import Any

from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Case, Child, User
from api.models.vocabulary import NotificationKind, UserRole
from api.schemas.notifications import Notified
from api.services.core.actors import Actor
from api.services.integrations import notifications
from api.services.responsibility import responsibility

# Who a report up goes to: the township (乡镇) and the county bureau (县教育局).
REPORTED_TO = frozenset({UserRole.TOWNSHIP_OFFICER, UserRole.COUNTY_ADMIN})

_TITLES = {
    NotificationKind.REPORTED_UP: "{name}：学校已上报辍学个案",
}
_BODIES = {
    NotificationKind.REPORTED_UP: "个案已上报县教育局和乡镇，请跟进核实和劝返。",
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
