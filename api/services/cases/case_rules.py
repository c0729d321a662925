"""The case lifecycle (shared/DOMAIN.md) as one table: (status, action) → (status, who may).

reported → verified or dismissed → planned → persuading → returned → following up → closed
as stable; a returned child who leaves again reopens the case. The school reports an open
case up to the county bureau and township (不过周), once, late if it must. An action not in the
table from the case's status is refused with those that are.
"""

from dataclasses import dataclass

from api.models.vocabulary import CaseAction as A
from api.models.vocabulary import CaseStatus as S
from api.models.vocabulary import UserRole as R

# Who decides whether a child is out of school, and when one is back for good.
DECIDERS = frozenset({R.PRINCIPAL, R.TOWNSHIP_OFFICER, R.COUNTY_ADMIN})
# Everyone on either line of responsibility works the case.
ON_THE_LINES = DECIDERS | {R.TEACHER, R.VILLAGE_CADRE}
# The school reports upward; the county bureau may record a report it received otherwise.
REPORTERS = frozenset({R.PRINCIPAL, R.COUNTY_ADMIN})
OPEN = frozenset(set(S) - {S.DISMISSED, S.CLOSED})
# Back at school and not gone again: a child who leaves again reopens the case.
STAYING = frozenset({S.RETURNED, S.FOLLOWING_UP, S.CLOSED})


@dataclass(frozen=True)
class Move:
    to: S
    who: frozenset[R]


TRANSITIONS: dict[tuple[S, A], Move] = {
    (S.REPORTED, A.VERIFY): Move(S.VERIFIED, DECIDERS),
    (S.REPORTED, A.DISMISS): Move(S.DISMISSED, DECIDERS),
    (S.VERIFIED, A.DISMISS): Move(S.DISMISSED, DECIDERS),
    (S.VERIFIED, A.PLAN): Move(S.PLANNED, ON_THE_LINES),
    (S.PLANNED, A.PERSUADE): Move(S.PERSUADING, ON_THE_LINES),
    (S.PLANNED, A.RETURN): Move(S.RETURNED, ON_THE_LINES),
    (S.PERSUADING, A.RETURN): Move(S.RETURNED, ON_THE_LINES),
    (S.RETURNED, A.FOLLOW_UP): Move(S.FOLLOWING_UP, ON_THE_LINES),
    (S.FOLLOWING_UP, A.CLOSE): Move(S.CLOSED, DECIDERS),
    (S.RETURNED, A.REOPEN): Move(S.PERSUADING, ON_THE_LINES),
    (S.FOLLOWING_UP, A.REOPEN): Move(S.PERSUADING, ON_THE_LINES),
    **{(status, A.REPORT_UPWARD): Move(status, REPORTERS) for status in sorted(OPEN)},
}


def actions_from(status: S) -> list[A]:
    """The actions the table allows from ``status``, whoever takes them."""
    return [action for (source, action) in TRANSITIONS if source is status]


def actions_for(status: S, role: R) -> list[A]:
    """The actions ``role`` may take from ``status``."""
    return [a for a in actions_from(status) if role in TRANSITIONS[status, a].who]
