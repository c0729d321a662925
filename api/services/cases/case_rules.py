"""The case lifecycle as one table: (status, action) → (status, who may, what it needs).

reported → verified or dismissed → planned → persuading → returned → following up → closed
as stable; a returned child who leaves again reopens the case. The school reports an open
case up to the county bureau and township (不过周), once, late if it must. An action not in the
table from the case's status is refused with those that are.

A case's reason (辍学原因) must be plausible for the child: some reasons have a youngest age
(``YOUNGEST``), settings as the local conventions are.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import Enum

from api.models.vocabulary import CaseAction as A
from api.models.vocabulary import CaseStatus as S
from api.models.vocabulary import DropoutReason, ObservedSchooling, SchoolingStatus
from api.models.vocabulary import UserRole as R
from api.services.core import labels, school_age
from api.services.status import status_rules
from api.settings import Settings

# Who decides whether a child is out of school, and when one is back for good.
DECIDERS = frozenset({R.PRINCIPAL, R.TOWNSHIP_OFFICER, R.COUNTY_ADMIN})
# Everyone on either line of responsibility works the case.
ON_THE_LINES = DECIDERS | {R.TEACHER, R.VILLAGE_CADRE}
# The school reports upward; the county bureau may record a report it received otherwise.
REPORTERS = frozenset({R.PRINCIPAL, R.COUNTY_ADMIN})
OPEN = frozenset(set(S) - {S.DISMISSED, S.CLOSED})
# Back at school and not gone again: a child who leaves again reopens the case.
STAYING = frozenset({S.RETURNED, S.FOLLOWING_UP, S.CLOSED})


class Needs(Enum):
    """What an action needs besides the case's status and the actor's role."""

    SAVED_PLAN = "saved_plan"  # 一人一案: a return plan saved for the case (PUT …/plan)
    DISMISSAL_REASON = "dismissal_reason"  # why the child is no dropout
    NOT_REPORTED_UP = "not_reported_up"  # 上报 once: a case reported up is not reported again


@dataclass(frozen=True)
class Move:
    to: S
    who: frozenset[R]
    needs: frozenset[Needs] = field(default_factory=frozenset)


def _needing(*needs: Needs) -> frozenset[Needs]:
    return frozenset(needs)


TRANSITIONS: dict[tuple[S, A], Move] = {
    (S.REPORTED, A.VERIFY): Move(S.VERIFIED, DECIDERS),
    (S.REPORTED, A.DISMISS): Move(S.DISMISSED, DECIDERS, _needing(Needs.DISMISSAL_REASON)),
    (S.VERIFIED, A.DISMISS): Move(S.DISMISSED, DECIDERS, _needing(Needs.DISMISSAL_REASON)),
    (S.VERIFIED, A.PLAN): Move(S.PLANNED, ON_THE_LINES, _needing(Needs.SAVED_PLAN)),
    (S.PLANNED, A.PERSUADE): Move(S.PERSUADING, ON_THE_LINES),
    (S.PLANNED, A.RETURN): Move(S.RETURNED, ON_THE_LINES),
    (S.PERSUADING, A.RETURN): Move(S.RETURNED, ON_THE_LINES),
    (S.RETURNED, A.FOLLOW_UP): Move(S.FOLLOWING_UP, ON_THE_LINES),
    (S.FOLLOWING_UP, A.CLOSE): Move(S.CLOSED, DECIDERS),
    (S.RETURNED, A.REOPEN): Move(S.PERSUADING, ON_THE_LINES),
    (S.FOLLOWING_UP, A.REOPEN): Move(S.PERSUADING, ON_THE_LINES),
    **{
        (status, A.REPORT_UPWARD): Move(status, REPORTERS, _needing(Needs.NOT_REPORTED_UP))
        for status in sorted(OPEN)
    },
}

# The time an action stamps on the case, beside its status.
STAMPS: dict[A, str] = {
    A.VERIFY: "verified_at",
    A.RETURN: "returned_at",
    A.CLOSE: "closed_at",
    A.REPORT_UPWARD: "county_reported_at",
}


def opens_case(
    observed: ObservedSchooling,
    *,
    status: SchoolingStatus,
    born: date,
    on: datetime,
    settings: Settings,
) -> bool:
    """Found out of school at compulsory age, and not lawfully (休学, 缓学, 免学, 送教上门):
    a case is opened for the child (发现即报)."""
    return (
        observed is ObservedSchooling.NOT_IN_SCHOOL
        and status not in status_rules.LAWFULLY_OUT
        and school_age.is_compulsory_age(born, on.date(), settings)
    )


# The youngest a child may be, in full years on the day the case was noticed, for each reason
# that has a youngest: nobody is out of school at six for 早婚, nor for 外出务工. Settings
# (BAOXUE_REASON_MIN_AGE_*), as the county's other conventions are. A reason not here fits any
# age; 原因待查 above all, the reason of a case opened without one (sweeps, reconciliation).
YOUNGEST: dict[DropoutReason, Callable[[Settings], int]] = {
    DropoutReason.EARLY_MARRIAGE: lambda settings: settings.reason_min_age_early_marriage,
    DropoutReason.GONE_TO_WORK: lambda settings: settings.reason_min_age_gone_to_work,
}


def implausible_reason(
    reason: DropoutReason, *, born: date, noticed_at: datetime, settings: Settings
) -> str | None:
    """Why ``reason`` cannot be the reason of a child born on ``born`` noticed out of school
    at ``noticed_at`` (the child's age is the county's, that day), or None when it can."""
    youngest = YOUNGEST.get(reason)
    if youngest is None:
        return None
    least, age = youngest(settings), school_age.age_at(born, noticed_at, settings)
    if age >= least:
        return None
    return (
        f"{labels.DROPOUT_REASON[reason]}不适用于{age}岁的儿童，须满{least}周岁"
        f" ({reason.value} is implausible for a child of {age}: not under {least})"
    )


def actions_from(status: S) -> list[A]:
    """The actions the table allows from ``status``, whoever takes them."""
    return [action for (source, action) in TRANSITIONS if source is status]


def actions_for(status: S, role: R) -> list[A]:
    """The actions ``role`` may take from ``status``."""
    return [a for a in actions_from(status) if role in TRANSITIONS[status, a].who]
