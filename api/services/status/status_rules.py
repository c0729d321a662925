"""Which schooling-status changes are allowed, as one table, and what each needs.

A change not in the table is refused with the allowed ones listed. Changes that take a child out
of school lawfully (suspension, deferral, exemption) need an approved application with its
certificate; changes that take a child off the county's books (enrolled elsewhere, moved away,
deceased) need evidence named, because a clerk will later be asked "on what grounds?".
"""

from enum import Enum

from api.models.vocabulary import ObservedSchooling as O
from api.models.vocabulary import SchoolingStatus as S


class Needs(Enum):
    NOTHING = "nothing"
    EVIDENCE = "evidence"  # a transfer letter, a certificate: named, or attached
    APPROVAL = "approval"  # applied for by the guardian, approved by township or county


_IN_SCHOOL = {S.ENROLLED_IN_COUNTY, S.ENROLLED_OUTSIDE_COUNTY, S.HOME_DELIVERED}
# Out of school, but lawfully: found at home, such a child is where the record says.
LAWFULLY_OUT = frozenset({S.SUSPENDED, S.DEFERRED, S.EXEMPT, S.HOME_DELIVERED})
# Not yet at school: found out of school, such a child never enrolled rather than dropped out.
NOT_YET_ENROLLED = frozenset({S.UNKNOWN, S.NEVER_ENROLLED})
_GONE = {S.DECEASED, S.EMIGRATED}

# from-status -> the statuses it may change to. COMPLETED and DECEASED are final.
ALLOWED: dict[S, frozenset[S]] = {
    S.UNKNOWN: frozenset(set(S) - {S.UNKNOWN}),
    S.ENROLLED_IN_COUNTY: frozenset(
        {S.ENROLLED_OUTSIDE_COUNTY, S.HOME_DELIVERED, S.SUSPENDED, S.DROPPED_OUT, S.COMPLETED}
        | {S.WHEREABOUTS_UNKNOWN}
        | _GONE
    ),
    S.ENROLLED_OUTSIDE_COUNTY: frozenset(
        {S.ENROLLED_IN_COUNTY, S.SUSPENDED, S.DROPPED_OUT, S.COMPLETED, S.WHEREABOUTS_UNKNOWN}
        | _GONE
    ),
    S.HOME_DELIVERED: frozenset(
        {S.ENROLLED_IN_COUNTY, S.ENROLLED_OUTSIDE_COUNTY, S.EXEMPT, S.SUSPENDED, S.COMPLETED}
        | _GONE
    ),
    S.SUSPENDED: frozenset(_IN_SCHOOL | {S.DROPPED_OUT, S.EXEMPT} | _GONE),
    S.DEFERRED: frozenset(_IN_SCHOOL | {S.NEVER_ENROLLED, S.EXEMPT} | _GONE),
    S.EXEMPT: frozenset(_IN_SCHOOL | _GONE),
    S.DROPPED_OUT: frozenset(_IN_SCHOOL | {S.SUSPENDED, S.WHEREABOUTS_UNKNOWN} | _GONE),
    S.NEVER_ENROLLED: frozenset(_IN_SCHOOL | {S.DEFERRED, S.EXEMPT, S.WHEREABOUTS_UNKNOWN} | _GONE),
    S.WHEREABOUTS_UNKNOWN: frozenset(_IN_SCHOOL | {S.DROPPED_OUT, S.NEVER_ENROLLED} | _GONE),
    S.EMIGRATED: frozenset(_IN_SCHOOL | {S.DROPPED_OUT, S.WHEREABOUTS_UNKNOWN}),
    S.COMPLETED: frozenset(),
    S.DECEASED: frozenset(),
}

NEEDS: dict[S, Needs] = {
    S.SUSPENDED: Needs.APPROVAL,
    S.DEFERRED: Needs.APPROVAL,
    S.EXEMPT: Needs.APPROVAL,
    S.ENROLLED_OUTSIDE_COUNTY: Needs.EVIDENCE,
    S.EMIGRATED: Needs.EVIDENCE,
    S.DECEASED: Needs.EVIDENCE,
}


def allowed_from(status: S) -> list[S]:
    return sorted(ALLOWED[status], key=list(S).index)


def needs(to_status: S) -> Needs:
    return NEEDS.get(to_status, Needs.NOTHING)


def observed(schooling: O, *, at_a_county_school: bool, current: S) -> S:
    """The status a visit's observation records; the current one when it says nothing new
    (the child is away, or out of school lawfully)."""
    if schooling is O.IN_SCHOOL:
        return S.ENROLLED_IN_COUNTY if at_a_county_school else S.ENROLLED_OUTSIDE_COUNTY
    if schooling is O.AWAY or current in LAWFULLY_OUT:
        return current
    return S.NEVER_ENROLLED if current in NOT_YET_ENROLLED else S.DROPPED_OUT
