"""Who may see which personal data: the one place every query of it passes through.

A user covers area subtrees (by official code), schools, or classes (UserScope). The
government line sees by residence: the children and households living in its areas. The
school line sees by registration: the pupils enrolled at its schools, or in its classes, this
school year or the last (so that a child who left in the summer is still the school's to find).
Everything else is invisible: outside the scope an object is "not found", never "forbidden",
so that its existence does not leak.

Each function returns a WHERE clause to add to a query; none loads anything itself.
"""

import uuid
from datetime import date
from typing import TypeVar

from sqlalchemy import ColumnElement, false, func, or_
from sqlmodel import SQLModel, col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import (
    Assignment,
    Campaign,
    CampaignArea,
    Case,
    CaseTransfer,
    Child,
    Discrepancy,
    Enrolment,
    Household,
    PovertyList,
    Reconciliation,
    School,
    SchoolClass,
    UserScope,
)
from api.models.vocabulary import TransferOutcome
from api.services.core import school_age, text_search
from api.services.core.actors import Actor
from api.services.core.errors import NotFound
from api.settings import Settings

M = TypeVar("M", bound=SQLModel)


def in_area(column: object, code: str) -> ColumnElement[bool]:
    """The column's area lies in the subtree of ``code`` (the area itself included): official
    codes extend their parent's, so the subtree is the codes that begin with it, an index
    range on the (byte-ordered) code."""
    return text_search.starts_with(column, code)


def enclosing(code: str) -> list[str]:
    """The areas above ``code``, itself included: county, township, village, group."""
    return [code[:n] for n in (6, 9, 12, 15) if n <= len(code)]


def overlapping(column: object, code: str) -> ColumnElement[bool]:
    """The column's area lies within ``code``'s subtree or above ``code``."""
    return or_(in_area(column, code), col(column).in_(enclosing(code)))


def _in_any_area(column: object, codes: tuple[str, ...]) -> ColumnElement[bool]:
    return or_(false(), *(in_area(column, code) for code in codes))


def in_areas(actor: Actor, column: object, *, within: str | None = None) -> ColumnElement[bool]:
    """The column's area lies in the actor's areas (those within ``within``, given one): for
    figures kept by area, such as the statistics snapshot, which whoever covers areas alone
    sees by the area they were counted in."""
    return _in_any_area(column, narrowed(actor.area_codes, within))


def recent_terms_floor(settings: Settings, today: date | None) -> str:
    year = school_age.school_year_of(today or school_age.local_today(settings), settings)
    return f"{year - 1}-"  # terms are named "2026-2027-1": text order is time order


def _enrolled_children(
    actor: Actor, settings: Settings, today: date | None
) -> ColumnElement[bool] | None:
    by_school = col(Enrolment.school_id).in_(actor.school_ids) if actor.school_ids else None
    by_class = col(Enrolment.class_id).in_(actor.class_ids) if actor.class_ids else None
    where = [c for c in (by_school, by_class) if c is not None]
    if not where:
        return None
    pupils = select(Enrolment.child_id).where(
        col(Enrolment.child_id).is_not(None),
        col(Enrolment.term) >= recent_terms_floor(settings, today),
        or_(*where),
    )
    return col(Child.id).in_(pupils)


def narrowed(codes: tuple[str, ...], within: str | None) -> tuple[str, ...]:
    """The subtrees of ``codes`` cut down to the subtree of ``within`` (None: no cut).

    A caller who asks for one area anyway gets the scope said as that one range: given two
    ranges on one column, a database scans by the first, not by the narrower."""
    if within is None:
        return codes
    cut = {within if within.startswith(code) else code for code in codes}
    return tuple(sorted(code for code in cut if code.startswith(within)))


def children(
    actor: Actor, *, settings: Settings, today: date | None = None, within: str | None = None
) -> ColumnElement[bool]:
    """The children the actor may see (removed ones are the caller's filter to add); those
    living outside the area ``within`` may be left out, the caller filtering by it anyway."""
    clauses: list[ColumnElement[bool]] = []
    if areas := narrowed(actor.area_codes, within):
        clauses.append(_in_any_area(Child.area_code, areas))
    if (enrolled := _enrolled_children(actor, settings, today)) is not None:
        clauses.append(enrolled)
    return or_(false(), *clauses)


def households(
    actor: Actor, *, settings: Settings, today: date | None = None
) -> ColumnElement[bool]:
    """Households in the actor's areas, or with a child the actor's school or class teaches."""
    clauses: list[ColumnElement[bool]] = []
    if actor.area_codes:
        clauses.append(_in_any_area(Household.area_code, actor.area_codes))
    if (enrolled := _enrolled_children(actor, settings, today)) is not None:
        clauses.append(col(Household.id).in_(select(Child.household_id).where(enrolled)))
    return or_(false(), *clauses)


def schools(actor: Actor) -> ColumnElement[bool]:
    """The schools an actor answers for: located in their areas, their own, or their classes'."""
    clauses: list[ColumnElement[bool]] = []
    if actor.area_codes:
        clauses.append(_in_any_area(School.area_code, actor.area_codes))
    if actor.school_ids:
        clauses.append(col(School.id).in_(actor.school_ids))
    if actor.class_ids:
        of_classes = select(SchoolClass.school_id).where(col(SchoolClass.id).in_(actor.class_ids))
        clauses.append(col(School.id).in_(of_classes))
    return or_(false(), *clauses)


def schools_attended(
    actor: Actor, *, settings: Settings, today: date | None = None
) -> ColumnElement[bool]:
    """The schools an actor may read: their own (``schools``) and those the children they see
    attend, wherever these are, so that a village cadre knows where each child studies."""
    attended = select(Enrolment.school_id).where(
        col(Enrolment.term) >= recent_terms_floor(settings, today),
        col(Enrolment.child_id).in_(
            select(Child.id).where(children(actor, settings=settings, today=today))
        ),
    )
    return or_(schools(actor), col(School.id).in_(attended))


def enrolments(
    actor: Actor, *, settings: Settings, today: date | None = None
) -> ColumnElement[bool]:
    """Registrations at the actor's schools (roster-only pupils included) or of children the
    actor sees."""
    return or_(
        col(Enrolment.school_id).in_(select(School.id).where(schools(actor))),
        col(Enrolment.child_id).in_(
            select(Child.id).where(children(actor, settings=settings, today=today))
        ),
    )


def classes(actor: Actor) -> ColumnElement[bool]:
    """A teacher sees their own classes; whoever covers a school or area sees all its classes."""
    clauses: list[ColumnElement[bool]] = []
    if actor.class_ids:
        clauses.append(col(SchoolClass.id).in_(actor.class_ids))
    if actor.school_ids:
        clauses.append(col(SchoolClass.school_id).in_(actor.school_ids))
    if actor.area_codes:
        located = select(School.id).where(_in_any_area(School.area_code, actor.area_codes))
        clauses.append(col(SchoolClass.school_id).in_(located))
    return or_(false(), *clauses)


def assignments(
    actor: Actor, *, settings: Settings, today: date | None = None
) -> ColumnElement[bool]:
    """The assignments whose village, group, school, class or child the actor sees, and the
    actor's own."""
    clauses: list[ColumnElement[bool]] = [col(Assignment.user_id) == actor.user_id]
    if actor.area_codes:
        clauses.append(_in_any_area(Assignment.area_code, actor.area_codes))
    clauses.append(col(Assignment.school_id).in_(select(School.id).where(schools(actor))))
    clauses.append(col(Assignment.class_id).in_(select(SchoolClass.id).where(classes(actor))))
    visible_children = select(Child.id).where(children(actor, settings=settings, today=today))
    clauses.append(col(Assignment.child_id).in_(visible_children))
    return or_(*clauses)


def cases(actor: Actor, *, settings: Settings, today: date | None = None) -> ColumnElement[bool]:
    """The cases of the children the actor sees, and those opened at the actor's schools or
    classes (a pupil who moved away stays the school's case to follow)."""
    clauses = [
        col(Case.child_id).in_(
            select(Child.id).where(children(actor, settings=settings, today=today))
        )
    ]
    if actor.school_ids:
        clauses.append(col(Case.school_id).in_(actor.school_ids))
    if actor.class_ids:
        clauses.append(col(Case.class_id).in_(actor.class_ids))
    # A case handed to the actor's area or school, until they decide on it.
    receiving = [_in_any_area(CaseTransfer.to_area_code, actor.area_codes)]
    if actor.school_ids:
        receiving.append(col(CaseTransfer.to_school_id).in_(actor.school_ids))
    pending = select(CaseTransfer.case_id).where(
        col(CaseTransfer.outcome) == TransferOutcome.PENDING, or_(*receiving)
    )
    clauses.append(col(Case.id).in_(pending))
    return or_(*clauses)


def campaigns(actor: Actor) -> ColumnElement[bool]:
    """The campaigns sweeping within the actor's areas, or over them, or over the actor's
    schools' and classes' places (teachers visit their pupils' homes: 暑期家访)."""
    place = CampaignArea.area_code
    clauses: list[ColumnElement[bool]] = []
    clauses += [overlapping(place, code) for code in actor.area_codes]
    if actor.school_ids or actor.class_ids:
        within = func.substr(School.area_code, 1, func.length(place)) == place
        clauses.append(select(School.id).where(schools(actor), within).exists())
    swept = select(CampaignArea.campaign_id).where(or_(false(), *clauses))
    return col(Campaign.id).in_(swept)


def reconciliations(actor: Actor) -> ColumnElement[bool]:
    """The runs over the actor's areas or above them, over their schools' places, and of their
    schools: each reader then sees only the discrepancies of their own part."""
    clauses = [overlapping(Reconciliation.area_code, code) for code in actor.area_codes]
    own_schools = select(School.id).where(schools(actor))
    clauses.append(col(Reconciliation.school_id).in_(own_schools))
    if actor.school_ids or actor.class_ids:  # an area's run covers the schools within it
        place = Reconciliation.area_code
        within = func.substr(School.area_code, 1, func.length(place)) == place
        clauses.append(select(School.id).where(schools(actor), within).exists())
    return or_(false(), *clauses)


def discrepancies(actor: Actor) -> ColumnElement[bool]:
    """A discrepancy belongs where the child lives (else where the school is) and to the
    school whose registration it is about."""
    clauses: list[ColumnElement[bool]] = []
    if actor.area_codes:
        clauses.append(_in_any_area(Discrepancy.area_code, actor.area_codes))
    clauses.append(col(Discrepancy.school_id).in_(select(School.id).where(schools(actor))))
    return or_(*clauses)


def poverty_lists(actor: Actor) -> ColumnElement[bool]:
    """The lists of areas within the actor's: a township's officer reads their township's."""
    return _in_any_area(PovertyList.area_code, actor.area_codes)


def user_scopes(actor: Actor) -> ColumnElement[bool]:
    """The coverage rows (UserScope) that fall inside the actor's own: an administrator
    manages the accounts working within their county and no others."""
    clauses: list[ColumnElement[bool]] = []
    if actor.area_codes:
        clauses.append(_in_any_area(UserScope.area_code, actor.area_codes))
    clauses.append(col(UserScope.school_id).in_(select(School.id).where(schools(actor))))
    clauses.append(col(UserScope.class_id).in_(select(SchoolClass.id).where(classes(actor))))
    return or_(*clauses)


def outside_areas(actor: Actor, codes: list[str]) -> list[str]:
    """Those of ``codes`` that lie outside every area the actor covers."""
    return [c for c in codes if not any(c.startswith(own) for own in actor.area_codes)]


async def one(
    *, session: AsyncSession, model: type[M], object_id: uuid.UUID, visible: ColumnElement[bool]
) -> M:
    """The object if it exists and the actor may see it; otherwise "not found", the same answer
    for both, so that an id from another area tells the caller nothing."""
    found = (
        await session.exec(select(model).where(col(model.id) == object_id, visible))  # type: ignore[attr-defined]
    ).first()
    if found is None or getattr(found, "removed_at", None) is not None:
        raise NotFound(f"No {model.__tablename__} {object_id} here.")
    return found
