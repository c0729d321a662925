"""劝返: the attempts to bring a child back, numbered as the ledger counts them (第几次劝返):
who went and their phone, when, how, what came of it, what next, and a photo or recording.
The first attempt on a planned case moves it on to persuading.
"""

import uuid

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Attachment, PersuasionAttempt
from api.models.base import CLOCK_SLACK, utcnow
from api.models.vocabulary import AttachmentOwner
from api.models.vocabulary import CaseAction as A
from api.models.vocabulary import CaseStatus as S
from api.schemas.persuasion_attempts import PersuasionAttemptIn, PersuasionAttemptOut
from api.services.access import permissions
from api.services.access.permissions import Action, Resource
from api.services.cases import case_rules, cases
from api.services.core import attachments, audit
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, Fault, InvalidInput, NotFound
from api.settings import Settings

PERSUADING = frozenset({S.PLANNED, S.PERSUADING})


async def record(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    case_id: uuid.UUID,
    data: PersuasionAttemptIn,
) -> PersuasionAttemptOut:
    case = await cases.workable(
        session=session,
        actor=actor,
        settings=settings,
        case_id=case_id,
        who=case_rules.TRANSITIONS[S.PLANNED, A.PERSUADE].who,
        doing="persuade",
        statuses=PERSUADING,
        why="劝返须在制定一人一案之后、返校之前 (after the plan, before the return)",
    )
    faults: list[Fault] = []
    if data.attempted_at > utcnow() + CLOCK_SLACK:
        faults.append(("attempted_at", "劝返时间晚于现在，请校准手机时间 (in the future)"))
    if data.attempted_at < case.noticed_at:
        faults.append(("attempted_at", "劝返时间早于发现辍学的时间 (before noticed)"))
    if faults:
        raise InvalidInput.of(faults)
    held = await session.exec(
        select(func.coalesce(func.max(PersuasionAttempt.number), 0)).where(
            col(PersuasionAttempt.case_id) == case.id
        )
    )
    attempt = PersuasionAttempt(
        **data.model_dump(),
        case_id=case.id,
        number=held.one() + 1,
        recorded_by_id=actor.user_id,
    )
    if data.attachment_id is not None:
        await attachments.claim(
            session=session,
            actor=actor,
            attachment_id=data.attachment_id,
            owner_type=AttachmentOwner.PERSUASION_ATTEMPT,
            owner_id=attempt.id,
            field="attachment_id",
        )
    session.add(attempt)
    audit.created(session=session, actor=actor, new=attempt)
    first = (A.PERSUADE, f"第{attempt.number}次劝返 (attempt {attempt.number})")
    try:  # the first attempt: persuading begins, in the same commit
        await cases.commit_moving(session=session, actor=actor, settings=settings, case=case,
                                  move=first if case.status is S.PLANNED else None)  # fmt: skip
    except IntegrityError as exc:  # another attempt numbered the same at the same moment
        await session.rollback()
        raise Conflict("同时记录了另一次劝返，请重新提交 (recorded meanwhile: send again)") from exc
    return PersuasionAttemptOut.model_validate(attempt, from_attributes=True)


async def search(
    *, session: AsyncSession, actor: Actor, settings: Settings, case_id: uuid.UUID
) -> list[PersuasionAttemptOut]:
    """The case's attempts, the first first."""
    permissions.require(actor, Resource.CASE, Action.READ)
    case = await cases.visible(session=session, actor=actor, settings=settings, case_id=case_id)
    found = await session.exec(
        select(PersuasionAttempt)
        .where(col(PersuasionAttempt.case_id) == case.id)
        .order_by(col(PersuasionAttempt.number))
    )
    return [PersuasionAttemptOut.model_validate(a, from_attributes=True) for a in found.all()]


@attachments.owner(AttachmentOwner.PERSUASION_ATTEMPT)
async def check_can_see_attachment(
    *, session: AsyncSession, actor: Actor, settings: Settings, attachment: Attachment
) -> None:
    """An attempt's photo or recording is for whoever may see the case."""
    attempt = await session.get(PersuasionAttempt, attachment.owner_id)
    if attempt is None:
        raise NotFound(f"No attachment {attachment.id} here.")
    permissions.require(actor, Resource.CASE, Action.READ)
    await cases.visible(session=session, actor=actor, settings=settings, case_id=attempt.case_id)
