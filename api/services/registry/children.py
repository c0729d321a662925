"""Children (适龄儿童少年): finding them within one's scope, and reading one whole."""

import uuid
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Child, Enrolment, Guardian, Guardianship, Household, School, SchoolClass
from api.schemas.children import (
    ChildCreate,
    ChildDetail,
    ChildListItem,
    ChildUpdate,
    EnrolmentBrief,
    GuardianLink,
    GuardianOut,
    HouseholdBrief,
)
from api.services.access import masking, permissions, scoping
from api.services.access.permissions import Action, Resource
from api.services.core import audit, records, school_age
from api.services.core.actors import Actor
from api.services.core.errors import Conflict, Fault, InvalidInput
from api.services.registry import child_rules, id_number, names
from api.settings import Settings


def list_item(child: Child, *, settings: Settings, today: date) -> ChildListItem:
    grade = school_age.expected_grade(
        child.birth_date, school_age.school_year_of(today, settings), settings
    )
    return ChildListItem.model_validate(
        {
            **child.model_dump(),
            "id_number": masking.id_number(child.id_number),
            "has_disability": child.disability_kind is not None,
            "age": school_age.full_years(child.birth_date, today),
            "is_compulsory_age": 1 <= grade <= settings.compulsory_years,
            "expected_grade": grade if 1 <= grade <= settings.compulsory_years else None,
        }
    )


async def get(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    child_id: uuid.UUID,
    today: date | None = None,
) -> ChildDetail:
    """One child whole; identifiers in full only for a role that needs them, and that read is
    written to the audit log."""
    permissions.require(actor, Resource.CHILD, Action.READ)
    child = await visible_child(session=session, actor=actor, settings=settings, child_id=child_id)
    full = permissions.allowed(actor, Resource.CHILD, Action.READ_PERSONAL)
    detail = await _detail(session=session, settings=settings, child=child, full=full, today=today)
    if full:
        await audit.read_in_full(
            session=session, actor=actor, object_type="child", object_id=child.id
        )
    return detail


async def visible_child(
    *, session: AsyncSession, actor: Actor, settings: Settings, child_id: uuid.UUID
) -> Child:
    return await scoping.one(
        session=session,
        model=Child,
        object_id=child_id,
        visible=scoping.children(actor, settings=settings),
    )


async def _detail(
    *, session: AsyncSession, settings: Settings, child: Child, full: bool, today: date | None
) -> ChildDetail:
    shown = masking.Disclosure(full=full)
    household = await session.get(Household, child.household_id)
    assert household is not None  # a foreign key
    guardians = (
        await session.exec(
            select(Guardian, Guardianship)
            .join(Guardianship, col(Guardianship.guardian_id) == col(Guardian.id))
            .where(col(Guardianship.child_id) == child.id, col(Guardian.removed_at).is_(None))
            .order_by(col(Guardianship.is_primary).desc(), col(Guardian.name))
        )
    ).all()
    enrolments = (
        await session.exec(
            select(Enrolment, School.name, SchoolClass.name)
            .join(School, col(School.id) == col(Enrolment.school_id))
            .outerjoin(SchoolClass, col(SchoolClass.id) == col(Enrolment.class_id))
            .where(col(Enrolment.child_id) == child.id)
            .order_by(col(Enrolment.term).desc())
        )
    ).all()
    detail = ChildDetail.model_validate(
        {
            **list_item(
                child, settings=settings, today=today or school_age.local_today(settings)
            ).model_dump(),
            "id_number": shown.id_number(child.id_number),
            "masked": not full,
            "registered_address": child.registered_address,
            "disability_kind": child.disability_kind,
            "disability_grade": child.disability_grade,
            "placement": child.placement,
            "is_in_legal_case": child.is_in_legal_case,
            "version": child.version,
            "created_at": child.created_at,
            "updated_at": child.updated_at,
            "household": HouseholdBrief.model_validate(
                {**household.model_dump(), "phone": shown.phone(household.phone)}
            ),
            "guardians": [
                GuardianOut.model_validate(
                    {
                        **g.model_dump(),
                        **link.model_dump(),
                        "id": g.id,
                        "phone": shown.phone(g.phone),
                    }
                )
                for g, link in guardians
            ],
            "enrolments": [
                EnrolmentBrief.model_validate(
                    {
                        **e.model_dump(),
                        "student_number": shown.student_number(e.student_number),
                        "school_name": school_name,
                        "class_name": class_name,
                    }
                )
                for e, school_name, class_name in enrolments
            ],
        }
    )
    return detail


async def _household_within_reach(
    *, session: AsyncSession, actor: Actor, settings: Settings, household_id: uuid.UUID
) -> Household:
    found = (
        await session.exec(
            select(Household).where(
                col(Household.id) == household_id,
                col(Household.removed_at).is_(None),
                scoping.households(actor, settings=settings),
            )
        )
    ).first()
    if found is None:
        raise InvalidInput(
            "household_id", "在你负责的范围内没有这一户 (no such household in your areas)"
        )
    return found


async def _id_number_taken(
    *, session: AsyncSession, number: str | None, other_than: uuid.UUID | None = None
) -> None:
    if number is None:
        return
    query = select(Child.id).where(col(Child.id_number) == number)
    if other_than is not None:
        query = query.where(col(Child.id) != other_than)
    if (existing := (await session.exec(query)).first()) is not None:
        raise Conflict(
            "已有儿童登记了这个身份证号码 (a child with this ID number is already registered)",
            existing_child_id=str(existing),
        )


async def _guardian_faults(
    *, session: AsyncSession, household: Household, links: list[GuardianLink], today: date
) -> list[Fault]:
    faults: list[Fault] = []
    wanted = [link.guardian_id for link in links if link.guardian_id]
    of_household = set(
        (
            await session.exec(
                select(Guardian.id).where(
                    col(Guardian.id).in_(wanted), col(Guardian.household_id) == household.id
                )
            )
        ).all()
    )
    for index, link in enumerate(links):
        where = f"guardians.{index}"
        if link.guardian_id is not None and link.guardian_id not in of_household:
            faults.append(
                (f"{where}.guardian_id", "这一户没有这位监护人 (not a guardian of this household)")
            )
        if link.guardian_id is None and link.name is None:
            faults.append((f"{where}.name", "新监护人须填写姓名 (a new guardian needs a name)"))
        if link.id_number:
            try:
                id_number.parse(link.id_number, today=today)
            except id_number.InvalidIdNumber as exc:
                faults.append((f"{where}.id_number", str(exc)))
    if sum(link.is_primary for link in links) > 1:
        faults.append(("guardians", "只能有一位主要监护人 (only one primary guardian)"))
    return faults


def _link_guardians(
    *, session: AsyncSession, child: Child, household: Household, links: list[GuardianLink]
) -> list[dict[str, Any]]:
    described = []
    for link in links:
        guardian_id = link.guardian_id
        if guardian_id is None:
            guardian = Guardian(
                household_id=household.id,
                name=link.name or "",
                phone=link.phone,
                id_number=id_number.normalise(link.id_number) if link.id_number else None,
                works_away=link.works_away,
                work_place=link.work_place,
            )
            session.add(guardian)
            guardian_id = guardian.id
        session.add(
            Guardianship(
                child_id=child.id,
                guardian_id=guardian_id,
                relation=link.relation,
                lives_with_child=link.lives_with_child,
                is_primary=link.is_primary,
            )
        )
        described.append({"guardian_id": str(guardian_id), "relation": link.relation.value})
    return described


async def create(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    data: ChildCreate,
    today: date | None = None,
) -> ChildDetail:
    permissions.require(actor, Resource.CHILD, Action.WRITE)
    today = today or school_age.local_today(settings)
    household = await _household_within_reach(
        session=session, actor=actor, settings=settings, household_id=data.household_id
    )
    number, faults = child_rules.id_number_faults(
        data.id_number, born=data.birth_date, sex=data.sex, today=today
    )
    faults = [
        *child_rules.birth_date_faults(data.birth_date, today=today),
        *faults,
        *child_rules.disability_faults(
            kind=data.disability_kind, grade=data.disability_grade, placement=data.placement
        ),
        *await _guardian_faults(
            session=session, household=household, links=data.guardians, today=today
        ),
    ]
    if faults:
        raise InvalidInput.of(faults)
    if data.id is not None and await session.get(Child, data.id) is not None:
        raise Conflict(
            "这个编号的儿童已存在 (a child with this id exists)", existing_child_id=str(data.id)
        )
    await _id_number_taken(session=session, number=number)
    fields: dict[str, Any] = data.model_dump(
        exclude={"id", "guardians", "household_id", "id_number"}
    )
    if data.id is not None:  # made offline by a phone
        fields["id"] = data.id
    child = Child(
        **fields,
        id_number=number,
        household_id=household.id,
        area_code=household.area_code,
        name_pinyin=names.pinyin(data.name),
        name_initials=names.initials(data.name),
    )
    session.add(child)
    await session.flush()  # the guardianships refer to the child
    guardians = _link_guardians(
        session=session, child=child, household=household, links=data.guardians
    )
    audit.created(session=session, actor=actor, new=child, also={"guardians": guardians})
    try:
        await session.commit()
    except IntegrityError as exc:  # the same ID number registered at the same moment
        await session.rollback()
        await _id_number_taken(session=session, number=number)
        raise Conflict("这名儿童刚被他人登记 (registered by someone else just now)") from exc
    return await _detail(session=session, settings=settings, child=child, full=True, today=today)


_REQUIRED = {"name", "sex", "birth_date", "left_behind", "household_id"} | {
    "is_orphan",
    "is_unattended",
    "is_in_hardship",
    "is_migrant",
    "is_in_legal_case",
}


async def update(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    child_id: uuid.UUID,
    data: ChildUpdate,
    expected_version: int | None,
    today: date | None = None,
) -> ChildDetail:
    permissions.require(actor, Resource.CHILD, Action.WRITE)
    today = today or school_age.local_today(settings)
    child = await visible_child(session=session, actor=actor, settings=settings, child_id=child_id)
    records.check_version(child, expected_version)
    changes = data.model_dump(exclude_unset=True)
    faults = records.blanked(changes, _REQUIRED)
    if faults:
        raise InvalidInput.of(faults)
    merged = {**child.model_dump(), **changes}
    if changes.get("household_id") not in (None, child.household_id):
        household = await _household_within_reach(
            session=session, actor=actor, settings=settings, household_id=changes["household_id"]
        )
        changes["area_code"] = household.area_code
    number, id_faults = child_rules.id_number_faults(
        merged["id_number"], born=merged["birth_date"], sex=merged["sex"], today=today
    )
    faults = [
        *child_rules.birth_date_faults(merged["birth_date"], today=today),
        *id_faults,
        *child_rules.disability_faults(
            kind=merged["disability_kind"],
            grade=merged["disability_grade"],
            placement=merged["placement"],
        ),
    ]
    if faults:
        raise InvalidInput.of(faults)
    if "id_number" in changes:
        changes["id_number"] = number
        await _id_number_taken(session=session, number=number, other_than=child.id)
    if "name" in changes:
        changes["name_pinyin"] = names.pinyin(changes["name"])
        changes["name_initials"] = names.initials(changes["name"])
    await records.update_versioned(
        session=session,
        actor=actor,
        record=child,
        changes=changes,
        expected_version=expected_version,
    )
    return await _detail(session=session, settings=settings, child=child, full=True, today=today)


async def remove(
    *,
    session: AsyncSession,
    actor: Actor,
    settings: Settings,
    child_id: uuid.UUID,
    reason: str,
    expected_version: int | None,
) -> None:
    permissions.require(actor, Resource.CHILD, Action.WRITE)
    child = await visible_child(session=session, actor=actor, settings=settings, child_id=child_id)
    await records.soft_remove(
        session=session,
        actor=actor,
        record=child,
        reason=reason,
        expected_version=expected_version,
    )
