"""Which schooling-status changes are allowed, as one table, and what each needs.

A change not in the table is refused with the allowed ones listed. Changes that take a child out
of school lawfully (suspension, deferral, exemption) need an approved application with its
certificate; changes that take a child off the county's books (enrolled elsewhere, moved away,
deceased) need evidence named, because a clerk will later be asked "on what grounds?".
"""

from enum import Enum

from api.models.vocabulary import SchoolingStatus as S


class Needs(Enum):
    NOTHING = "nothing"
    EVIDENCE = "evidence"  # a transfer letter, a certificate: named, or attached
    APPROVAL = "approval"  # applied for by the guardian, approved by township or county


_IN_SCHOOL = {S.ENROLLED_IN_COUNTY, S.ENROLLED_OUTSIDE_COUNTY, S.HOME_DELIVERED}
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
