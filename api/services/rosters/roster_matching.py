"""Linking a term's registrations (学籍) to the children the population side knows.

By ID number first: the same number is the same child, whatever the names say (a different
name or birth date is then a discrepancy of its own). A registration with no ID number, or one
the population side has not recorded, is matched on name, birth date and guardian, tolerant of
homophone spellings: the names' pinyin must agree, and a homophone is accepted only when the
guardian confirms it. Each link carries its score and the reason, so that a clerk can judge it.

Two statements for the term, whatever its size: an UPDATE by ID number, and one SELECT of the
candidates by pinyin and birth date (indexed), whose picks go back in one executemany.
"""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlmodel import col
from sqlmodel.ext.asyncio.session import AsyncSession

from api.models import Child, Enrolment, Guardian, Guardianship, Household
from api.services.registry import names

# Reasons are codes joined by "+": id_number; name or homophone (same pinyin); birth_date;
# guardian (named on the roster and found as the child's guardian or household head) or
# guardian_differs.
BY_ID_NUMBER = "id_number"
# What each agreement weighs; a link needs THRESHOLD. Same name and birth date alone pass,
# a homophone needs the guardian too; a guardian named and not found sinks the candidate.
SAME_NAME = 0.45
HOMOPHONE = 0.35
SAME_BIRTH_DATE = 0.30
GUARDIAN_AGREES = 0.20
GUARDIAN_DIFFERS = -0.30
THRESHOLD = 0.70


@dataclass(frozen=True)
class Candidate:
    enrolment_id: uuid.UUID
    child_id: uuid.UUID
    score: float
    reason: str


def _unmatched(term: str, school_ids: Sequence[uuid.UUID] | None) -> list[sa.ColumnElement[bool]]:
    where = [col(Enrolment.term) == term, col(Enrolment.child_id).is_(None)]
    if school_ids is not None:
        where.append(col(Enrolment.school_id).in_(list(school_ids)))
    return where


async def match(
    *, session: AsyncSession, term: str, school_ids: Sequence[uuid.UUID] | None = None
) -> int:
    """Link the term's unlinked registrations (of these schools, or all) to children; how many
    were linked. In the session's transaction: the caller commits."""
    connection = await session.connection()
    by_number = await connection.execute(
        sa.update(Enrolment)
        .where(
            *_unmatched(term, school_ids),
            col(Enrolment.id_number) == col(Child.id_number),  # UPDATE ... FROM child
            col(Child.removed_at).is_(None),
        )
        .values(child_id=col(Child.id), match_score=1.0, match_reason=BY_ID_NUMBER)
        .execution_options(synchronize_session=False)
    )
    picks = pick(await candidates(session=session, term=term, school_ids=school_ids))
    if picks:
        await connection.execute(
            sa.update(Enrolment)
            .where(col(Enrolment.id) == sa.bindparam("enrolment"))
            .values(
                child_id=sa.bindparam("child"),
                match_score=sa.bindparam("score"),
                match_reason=sa.bindparam("reason"),
            )
            .execution_options(synchronize_session=False),
            [
                {
                    "enrolment": p.enrolment_id,
                    "child": p.child_id,
                    "score": p.score,
                    "reason": p.reason,
                }
                for p in picks
            ],
        )
    return int(by_number.rowcount or 0) + len(picks)


async def candidates(
    *, session: AsyncSession, term: str, school_ids: Sequence[uuid.UUID] | None = None
) -> list[Candidate]:
    """Every child whose pinyin and birth date agree with an unlinked registration's, scored."""
    rows = await (await session.connection()).execute(
        sa.select(
            col(Enrolment.id),
            col(Child.id),
            col(Child.name) == col(Enrolment.name),
            sa.case(
                (col(Enrolment.guardian_name).is_(None), sa.null()),
                (_guardian_found(col(Enrolment.guardian_name)), sa.true()),
                else_=sa.false(),
            ),
        )
        .join(
            Child,
            sa.and_(
                col(Child.name_pinyin) == col(Enrolment.name_pinyin),
                col(Child.birth_date) == col(Enrolment.birth_date),
                col(Child.removed_at).is_(None),
                # Two different ID numbers are two people, however alike their names.
                sa.or_(col(Child.id_number).is_(None), col(Enrolment.id_number).is_(None)),
            ),
        )
        .join(Household, col(Household.id) == col(Child.household_id))
        .where(*_unmatched(term, school_ids), col(Enrolment.name_pinyin).is_not(None))
    )
    return [
        _scored(enrolment, child, bool(same_name), guardian)
        for enrolment, child, same_name, guardian in rows
    ]


def score(*, same_name: bool, same_birth_date: bool, guardian: bool | None) -> tuple[float, str]:
    """The one scoring rule, for the import's links and the candidates a clerk is offered:
    the names' pinyin agree (the same name, or a homophone), the birth date, the guardian
    (True found, False named and not found, None not named). Score and reason codes."""
    score = (SAME_NAME if same_name else HOMOPHONE) + (SAME_BIRTH_DATE if same_birth_date else 0)
    reasons = ["name" if same_name else "homophone"]
    reasons.append("birth_date" if same_birth_date else "birth_date_differs")
    if guardian is True:
        score += GUARDIAN_AGREES
        reasons.append("guardian")
    elif guardian is False:
        score += GUARDIAN_DIFFERS
        reasons.append("guardian_differs")
    return round(score, 2), "+".join(reasons)


def _guardian_found(name: Any) -> sa.ColumnElement[bool]:
    """The child's household head or one of their guardians is called ``name``."""
    guardian_named = (
        sa.select(sa.literal(1))
        .select_from(Guardianship)
        .join(Guardian, col(Guardian.id) == col(Guardianship.guardian_id))
        .where(col(Guardianship.child_id) == col(Child.id), col(Guardian.name) == name)
        .exists()
    )
    return sa.or_(col(Household.head_name) == name, guardian_named)


def _scored(
    enrolment: uuid.UUID, child: uuid.UUID, same_name: bool, guardian: bool | None
) -> Candidate:
    score_, reason = score(same_name=same_name, same_birth_date=True, guardian=guardian)
    return Candidate(enrolment, child, score_, reason)


def pick(found: list[Candidate]) -> list[Candidate]:
    """For each registration, its best candidate when it passes and no other ties with it:
    two children equally likely is a question for a person, not a guess."""
    by_enrolment: dict[uuid.UUID, list[Candidate]] = defaultdict(list)
    for candidate in found:
        by_enrolment[candidate.enrolment_id].append(candidate)
    picks = []
    for each in by_enrolment.values():
        each.sort(key=lambda c: c.score, reverse=True)
        best = each[0]
        if best.score >= THRESHOLD and (len(each) == 1 or each[1].score < best.score):
            picks.append(best)
    return picks


# Candidates offered to a person ---------------------------------------------------------


@dataclass(frozen=True)
class Offered:
    """A child who could be a registration's pupil: scored by ``score``, the rule matching
    uses, with ``near_school`` (the child lives in the school's township) as a reason that
    orders equals but weighs nothing: where a child lives does not say who they are."""

    child_id: uuid.UUID
    name: str
    birth_date: date
    area_code: str
    score: float
    reason: str
    near_school: bool


async def offered(
    *,
    session: AsyncSession,
    visible: sa.ColumnElement[bool],
    term: str,
    name: str,
    birth_date: date | None,
    id_number: str | None,
    guardian_name: str | None,
    school_area: str,
    child_id: uuid.UUID | None = None,
    limit: int = 20,
) -> list[Offered]:
    """The children within ``visible`` whose name's pinyin agrees with the registration's,
    whatever their birth date, that no registration of the term holds yet and whose ID number
    does not differ from its own; best first, at most ``limit`` (or only ``child_id``)."""
    pinyin = names.pinyin(name)
    if not pinyin:
        return []
    held = sa.select(col(Enrolment.child_id)).where(
        col(Enrolment.term) == term, col(Enrolment.child_id).is_not(None)
    )
    where: list[Any] = [
        col(Child.name_pinyin) == pinyin,
        col(Child.removed_at).is_(None),
        col(Child.id).not_in(held),
        visible,
    ]
    if id_number is not None:
        where.append(col(Child.id_number).is_(None))
    if child_id is not None:
        where.append(col(Child.id) == child_id)
    guardian = (
        sa.null()
        if guardian_name is None
        else sa.case((_guardian_found(sa.literal(guardian_name)), sa.true()), else_=sa.false())
    )
    rows = await (await session.connection()).execute(
        sa.select(
            col(Child.id),
            col(Child.name),
            col(Child.birth_date),
            col(Child.area_code),
            guardian,
        )
        .join(Household, col(Household.id) == col(Child.household_id))
        .where(*where)
        .limit(_SEARCHED)
    )
    township = school_area[:9]
    found = []
    for child, child_name, born, area, agrees in rows:
        score_, reason = score(
            same_name=child_name == name,
            same_birth_date=born == birth_date,
            guardian=None if agrees is None else bool(agrees),
        )
        near = area.startswith(township)
        if near:
            reason += "+near_school"
        found.append(Offered(child, child_name, born, area, score_, reason, near))
    found.sort(key=lambda o: (-o.score, not o.near_school, o.name, str(o.child_id)))
    return found[:limit]


_SEARCHED = 500  # children of one pinyin in one scope: a bound, not a page
