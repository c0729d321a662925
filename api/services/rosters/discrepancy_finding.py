"""The ministry's three comparisons (四查三比对), each one SELECT over the whole scope.

- population vs rosters (户籍比学籍): school-age children on no roster and in no exempt status;
  children said to study outside the county with nothing to show it;
- rosters vs pupils present (学籍比在校生): registrations nobody in the population side has,
  the same ID number under another name or birth date, a pupil on two rosters, and a pupil on
  a roster whom the sweep or the school found not attending or living elsewhere (籍在人不在);
- dropouts vs the poverty household list (辍学比脱贫户): the listed households' school-age
  children out of school, and those nobody has swept.

The database does the comparing; Python only sorts the few rows found into their kinds.
"""

import uuid
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncConnection
from sqlmodel import col

from api.models import (
    Case,
    Child,
    Enrolment,
    PovertyList,
    PovertyMember,
    School,
    SchoolingStatusChange,
    VisitObservation,
)
from api.models.vocabulary import (
    DiscrepancyKind,
    EnrolmentStatus,
    ObservedSchooling,
)
from api.models.vocabulary import SchoolingStatus as S
from api.services.access import scoping
from api.services.cases import case_rules

K = DiscrepancyKind
ON_ROSTER = (EnrolmentStatus.ENROLLED, EnrolmentStatus.SUSPENDED)  # a 休学 pupil is registered
# Statuses that say a child should be at school in the county, or may be out of it unexplained.
NOT_EXEMPT = (
    S.UNKNOWN,
    S.ENROLLED_IN_COUNTY,
    S.DROPPED_OUT,
    S.NEVER_ENROLLED,
    S.WHEREABOUTS_UNKNOWN,
)
OUT_OF_SCHOOL = (S.DROPPED_OUT, S.NEVER_ENROLLED, S.WHEREABOUTS_UNKNOWN)
# A registered pupil whose status says this is not at the school that registers them.
NOT_ATTENDING = (*OUT_OF_SCHOOL, S.ENROLLED_OUTSIDE_COUNTY, S.EMIGRATED, S.DECEASED)
SEEN_OUT = (ObservedSchooling.NOT_IN_SCHOOL, ObservedSchooling.AWAY)
CASE_OUT = tuple(case_rules.OPEN - case_rules.STAYING)  # a case whose child is not back yet


@dataclass(frozen=True)
class Scope:
    term: str
    area_code: str | None  # an area's run: the population side and the schools in it
    school_id: uuid.UUID | None  # one school's run: its roster only
    born_from: date  # the compulsory-age birth dates of the term's school year
    born_to: date
    term_starts: date


@dataclass
class Found:
    kind: DiscrepancyKind
    key: str  # the same thing in every run
    area_code: str
    name: str
    child_id: uuid.UUID | None = None
    school_id: uuid.UUID | None = None
    birth_date: date | None = None
    id_number: str | None = None
    student_number: str | None = None
    match_score: float | None = None
    match_reason: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)


def _out_cases() -> Any:
    """Each child's open case while they are not back (one at most: one open case a child),
    to join: a join is one pass where a subquery per row is a probe per row."""
    return (
        sa.select(col(Case.id).label("case_id"), col(Case.child_id))
        .where(col(Case.status).in_(CASE_OUT))
        .subquery("case_out")
    )


def _latest_seen(since: date) -> Any:
    """What the latest visit since ``since`` found of each child it saw, to join."""
    ranked = (
        sa.select(
            col(VisitObservation.child_id),
            col(VisitObservation.schooling),
            sa.func.row_number()
            .over(
                partition_by=col(VisitObservation.child_id),
                order_by=col(VisitObservation.observed_at).desc(),
            )
            .label("latest"),
        )
        .where(col(VisitObservation.observed_at) >= sa.literal(since))
        .subquery("ranked")
    )
    return (
        sa.select(ranked.c.child_id, ranked.c.schooling)
        .where(ranked.c.latest == 1)
        .subquery("seen")
    )


def _on_roster(term: str, child: Any) -> Any:
    """The child is on a roster this term: membership in one set, made once per statement
    (a correlated EXISTS lets SQLite's planner walk the term's whole index per child)."""
    registered = sa.select(col(Enrolment.child_id)).where(
        col(Enrolment.term) == term,
        col(Enrolment.status).in_(ON_ROSTER),
        col(Enrolment.child_id).is_not(None),
    )
    return child.in_(registered)


def _not_enrolled(term: str) -> Any:
    """A child who should be at school, or is out unexplained, and is on no roster this term."""
    return sa.and_(col(Child.schooling_status).in_(NOT_EXEMPT), ~_on_roster(term, col(Child.id)))


def _held_twice(term: str, by: Any, name: str) -> Any:
    """The values of ``by`` (a child, an ID number) registered at two schools this term, to
    join (a derived table is made once; an IN list in both SELECT and WHERE, twice). Pairs
    first, then the values with two pairs: two hash aggregates, where COUNT(DISTINCT) sorts."""
    pairs = (
        sa.select(by.label("held"), col(Enrolment.school_id))
        .where(
            col(Enrolment.term) == term,
            col(Enrolment.status) == EnrolmentStatus.ENROLLED,
            by.is_not(None),
        )
        .group_by(by, col(Enrolment.school_id))
        .subquery(f"{name}_pairs")
    )
    return sa.select(pairs.c.held).group_by(pairs.c.held).having(sa.func.count() > 1).subquery(name)


def _text(value: Any) -> str | None:
    return None if value is None else str(value)


# Population vs rosters -------------------------------------------------------------------


async def population(connection: AsyncConnection, scope: Scope) -> list[Found]:
    """School-age children of the area on no roster and in no exempt status (suspected out of
    school), and those said to study outside the county with no evidence recorded."""
    if scope.area_code is None:
        return []
    evidence = (
        sa.select(col(SchoolingStatusChange.evidence))
        .where(
            col(SchoolingStatusChange.child_id) == col(Child.id),
            col(SchoolingStatusChange.to_status) == S.ENROLLED_OUTSIDE_COUNTY,
        )
        .order_by(col(SchoolingStatusChange.changed_at).desc())
        .limit(1)
        .scalar_subquery()
    )
    case_out = _out_cases()
    rows = await connection.execute(
        sa.select(
            col(Child.id),
            col(Child.name),
            col(Child.birth_date),
            col(Child.id_number),
            col(Child.area_code),
            col(Child.schooling_status),
            case_out.c.case_id,
        )
        .outerjoin(case_out, case_out.c.child_id == col(Child.id))
        .where(
            scoping.in_area(Child.area_code, scope.area_code),
            col(Child.removed_at).is_(None),
            col(Child.birth_date).between(scope.born_from, scope.born_to),
            sa.or_(
                _not_enrolled(scope.term),
                sa.and_(
                    col(Child.schooling_status) == S.ENROLLED_OUTSIDE_COUNTY,
                    sa.func.coalesce(sa.func.trim(evidence), "") == "",
                ),
            ),
        )
    )
    found = []
    for child_id, name, born, number, area, status, case_id in rows:
        kind = K.OUTSIDE_UNPROVEN if status == S.ENROLLED_OUTSIDE_COUNTY else K.NOT_ENROLLED
        found.append(
            Found(
                kind=kind,
                key=f"{kind.value}:{child_id}",
                area_code=area,
                name=name,
                child_id=child_id,
                birth_date=born,
                id_number=number,
                detail={"schooling_status": str(status), "case_id": _text(case_id)},
            )
        )
    return found


# Rosters vs the population and the pupils present ----------------------------------------


async def registrations(connection: AsyncConnection, scope: Scope) -> list[Found]:
    """The term's registrations in scope that nobody knows, that name a known ID number
    differently, that sit on two rosters, or whose pupil is not there."""
    twice = _held_twice(scope.term, col(Enrolment.child_id), "child_twice")
    number_twice = _held_twice(scope.term, col(Enrolment.id_number), "number_twice")
    double = sa.and_(
        col(Enrolment.status) == EnrolmentStatus.ENROLLED,
        sa.or_(twice.c.held.is_not(None), number_twice.c.held.is_not(None)),
    )
    seen = _latest_seen(scope.term_starts)
    case_out = _out_cases()
    absent = sa.and_(
        col(Enrolment.status) == EnrolmentStatus.ENROLLED,
        col(Enrolment.child_id).is_not(None),
        sa.or_(
            col(Child.schooling_status).in_(NOT_ATTENDING),
            seen.c.schooling.in_(SEEN_OUT),
            case_out.c.case_id.is_not(None),
        ),
    )
    mismatch = sa.and_(
        col(Enrolment.id_number) == col(Child.id_number),
        sa.or_(
            col(Enrolment.name) != col(Child.name),
            col(Enrolment.birth_date) != col(Child.birth_date),
        ),
    )
    if scope.school_id is not None:
        in_scope: Any = col(Enrolment.school_id) == scope.school_id
    else:
        assert scope.area_code is not None
        in_scope = sa.or_(
            scoping.in_area(School.area_code, scope.area_code),
            scoping.in_area(Child.area_code, scope.area_code),
        )
    rows: Any = await connection.execute(
        sa.select(
            col(Enrolment.child_id),
            col(Enrolment.school_id),
            col(School.name).label("school_name"),
            col(School.area_code).label("school_area"),
            col(Enrolment.student_number),
            col(Enrolment.name),
            col(Enrolment.birth_date),
            col(Enrolment.id_number),
            col(Enrolment.grade),
            col(Enrolment.match_score),
            col(Enrolment.match_reason),
            col(Child.name).label("child_name"),
            col(Child.birth_date).label("child_born"),
            col(Child.area_code).label("child_area"),
            col(Child.schooling_status),
            mismatch.label("is_mismatch"),
            double.label("is_double"),
            absent.label("is_absent"),
            seen.c.schooling.label("observed"),
            case_out.c.case_id,
        )
        .join(School, col(School.id) == col(Enrolment.school_id))
        .outerjoin(Child, col(Child.id) == col(Enrolment.child_id))
        .outerjoin(twice, twice.c.held == col(Enrolment.child_id))
        .outerjoin(number_twice, number_twice.c.held == col(Enrolment.id_number))
        .outerjoin(seen, seen.c.child_id == col(Enrolment.child_id))
        .outerjoin(case_out, case_out.c.child_id == col(Enrolment.child_id))
        .where(
            col(Enrolment.term) == scope.term,
            col(Enrolment.status).in_(ON_ROSTER),
            in_scope,
            sa.or_(col(Enrolment.child_id).is_(None), mismatch, double, absent),
        )
    )
    found: list[Found] = []
    for row in rows:
        if row.child_id is None:
            found.append(_registration(K.UNKNOWN_TO_POPULATION, row, {}))
            continue
        if row.is_mismatch:
            population_side = {"name": row.child_name, "birth_date": row.child_born.isoformat()}
            found.append(_registration(K.IDENTITY_MISMATCH, row, {"population": population_side}))
        if row.is_double:
            found.append(_registration(K.DOUBLE_ENROLMENT, row, {}))
        if row.is_absent:
            seen_by = {
                "schooling_status": str(row.schooling_status),
                "observed": _text(row.observed),
                "case_id": _text(row.case_id),
            }
            found.append(_registration(K.REGISTERED_ABSENT, row, seen_by))
    _name_the_other_schools(found)
    return found


def _registration(kind: DiscrepancyKind, row: Any, detail: dict[str, Any]) -> Found:
    """A discrepancy about one registration: named by its school and student number."""
    return Found(
        kind=kind,
        key=f"{kind.value}:{row.school_id}:{row.student_number}",
        area_code=row.child_area or row.school_area,
        name=row.name,
        child_id=row.child_id,
        school_id=row.school_id,
        birth_date=row.birth_date,
        id_number=row.id_number,
        student_number=row.student_number,
        match_score=row.match_score,
        match_reason=row.match_reason,
        detail={
            "school_name": row.school_name,
            "student_number": row.student_number,
            "grade": row.grade,
            **detail,
        },
    )


def _name_the_other_schools(found: list[Found]) -> None:
    """Each double registration says where else the pupil is registered (of those in scope)."""
    doubles = [f for f in found if f.kind is K.DOUBLE_ENROLMENT]
    by_person: dict[Any, list[Found]] = {}
    for each in doubles:
        by_person.setdefault(each.child_id or each.id_number, []).append(each)
    for each in doubles:
        each.detail["also_at"] = sorted(
            other.detail["school_name"]
            for other in by_person[each.child_id or each.id_number]
            if other.school_id != each.school_id
        )


# Dropouts vs the poverty household list --------------------------------------------------


async def poverty(connection: AsyncConnection, scope: Scope) -> list[Found]:
    """The current poverty lists' school-age members living in the area: those out of school,
    and those the population side does not know at all."""
    if scope.area_code is None:
        return []
    code = scope.area_code
    where_lived = sa.func.coalesce(col(PovertyMember.area_code), col(PovertyList.area_code))
    by_number = (
        sa.select(col(Child.id))
        .where(
            col(Child.id_number) == col(PovertyMember.id_number), col(Child.removed_at).is_(None)
        )
        .scalar_subquery()
    )
    by_name = (
        sa.select(col(Child.id))
        .where(
            col(PovertyMember.id_number).is_(None),
            col(Child.name_pinyin) == col(PovertyMember.name_pinyin),
            col(Child.birth_date) == col(PovertyMember.birth_date),
            col(Child.removed_at).is_(None),
            scoping.in_area(Child.area_code, code),
        )
        .order_by(col(Child.id))
        .limit(1)
        .scalar_subquery()
    )
    member = (
        sa.select(
            col(PovertyMember.household_number),
            col(PovertyMember.kind),
            col(PovertyMember.head_name),
            col(PovertyMember.name),
            col(PovertyMember.id_number),
            col(PovertyMember.birth_date),
            where_lived.label("area_code"),
            sa.func.coalesce(by_number, by_name).label("child_id"),
        )
        .join(PovertyList, col(PovertyList.id) == col(PovertyMember.list_id))
        .where(
            col(PovertyList.replaced_at).is_(None),
            scoping.overlapping(PovertyList.area_code, code),
            sa.or_(
                scoping.in_area(PovertyMember.area_code, code),
                sa.and_(
                    col(PovertyMember.area_code).is_(None),
                    scoping.in_area(PovertyList.area_code, code),
                ),
            ),
            col(PovertyMember.birth_date).between(scope.born_from, scope.born_to),
        )
        .subquery("member")
    )
    case_out = _out_cases()
    out = sa.or_(
        col(Child.schooling_status).in_(OUT_OF_SCHOOL),
        case_out.c.case_id.is_not(None),
        _not_enrolled(scope.term),
    )
    rows = await connection.execute(
        sa.select(member, col(Child.area_code), col(Child.schooling_status))
        .outerjoin(Child, col(Child.id) == member.c.child_id)
        .outerjoin(case_out, case_out.c.child_id == col(Child.id))
        .where(sa.or_(member.c.child_id.is_(None), out))
    )
    found = []
    for household, kind, head, name, number, born, area, child_id, child_area, status in rows:
        listed = {"household_number": household, "poverty_kind": str(kind), "head_name": head}
        if child_id is None:
            found.append(
                Found(
                    kind=K.POVERTY_UNKNOWN,
                    key=f"{K.POVERTY_UNKNOWN.value}:{household}:{number or f'{name}/{born}'}",
                    area_code=area,
                    name=name,
                    birth_date=born,
                    id_number=number,
                    detail=listed,
                )
            )
        else:
            found.append(
                Found(
                    kind=K.POVERTY_OUT_OF_SCHOOL,
                    key=f"{K.POVERTY_OUT_OF_SCHOOL.value}:{child_id}",
                    area_code=child_area,
                    name=name,
                    child_id=child_id,
                    birth_date=born,
                    id_number=number,
                    detail={**listed, "schooling_status": str(status)},
                )
            )
    return found
