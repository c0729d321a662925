"""The permission matrix: which role may do what to which kind of thing. The one place.

Whether a particular object is within reach is the scoping module's question; this answers
only whether the role may act on that kind of object at all. Integration clients are granted
nothing by role: their API scopes ("children:read", ...) say what they may do.
"""

from enum import StrEnum

from api.models.vocabulary import UserRole
from api.services.core.actors import Actor
from api.services.core.errors import Forbidden


class Resource(StrEnum):
    AREA = "areas"
    SCHOOL = "schools"
    ROSTER = "roster"
    HOUSEHOLD = "households"
    CHILD = "children"
    CAMPAIGN = "campaigns"
    VISIT = "visits"
    CASE = "cases"
    RECONCILIATION = "reconciliations"
    STATISTICS = "stats"  # the word of the published scope (stats:read), as of the paths
    ASSIGNMENT = "assignments"  # who is responsible for a village, group, school, class, child
    STATUS_APPROVAL = "status_approvals"  # deciding applications for 免学/缓学/休学
    USER = "users"  # people's accounts; whose a role manages is MANAGES's answer
    INTEGRATION_CLIENT = "integration_clients"  # third parties' systems and their secrets
    AUDIT = "audit"
    WEBHOOK = "webhooks"
    ESCALATION = "escalations"  # running the deadline scan: the county's, or its scheduler's
    POVERTY_LIST = "poverty_lists"  # 脱贫户/监测户/低保户名单, uploaded by the county
    # 学校月报: a school's report to the county and township, naming every pupil out of school
    # at it; read by those it is sent to and by its principal, not by each teacher or cadre
    # (their own figures are STATS, within their scope).
    SCHOOL_REPORT = "school_reports"


class Action(StrEnum):
    READ = "read"  # lists and details, personal identifiers masked
    READ_PERSONAL = "read_personal"  # full ID and phone numbers on a detail read, audited
    WRITE = "write"


# Each action implies the ones before it: whoever edits a record must see it whole.
_ORDER = (Action.READ, Action.READ_PERSONAL, Action.WRITE)
R = frozenset({Action.READ})
P = frozenset({Action.READ, Action.READ_PERSONAL})
W = frozenset(_ORDER)
NONE: frozenset[Action] = frozenset()

_FIELD = {  # what every role working with children may do
    Resource.AREA: R,
    Resource.SCHOOL: R,
    Resource.HOUSEHOLD: W,
    Resource.CHILD: W,
    Resource.CAMPAIGN: R,
    Resource.VISIT: W,
    Resource.CASE: W,
    Resource.STATISTICS: R,
    Resource.ASSIGNMENT: R,
}

MATRIX: dict[UserRole, dict[Resource, frozenset[Action]]] = {
    UserRole.COUNTY_ADMIN: {resource: W for resource in Resource},
    # 督查 oversee the work, not the families: they read, masked, and change nothing.
    UserRole.SUPERVISOR: {
        **{resource: R for resource in Resource},
        Resource.USER: NONE,
        Resource.INTEGRATION_CLIENT: NONE,
        Resource.WEBHOOK: NONE,
    },
    UserRole.TOWNSHIP_OFFICER: {
        **_FIELD,
        Resource.RECONCILIATION: R,
        Resource.POVERTY_LIST: R,
        Resource.STATUS_APPROVAL: W,
        Resource.ASSIGNMENT: W,
        Resource.SCHOOL_REPORT: R,
    },
    UserRole.VILLAGE_CADRE: _FIELD,
    UserRole.PRINCIPAL: {
        **_FIELD,
        Resource.ROSTER: W,
        Resource.RECONCILIATION: W,
        Resource.ASSIGNMENT: W,
        Resource.SCHOOL_REPORT: R,
        Resource.USER: W,  # the teachers of their own school: MANAGES
    },
    UserRole.TEACHER: {**_FIELD, Resource.HOUSEHOLD: P},
    UserRole.INTEGRATION_CLIENT: {},
}


# Whose accounts a role granted USER manages: a county administrator everyone's within their
# county; a principal their own school's teachers (教师全员班主任制: each school year every
# teacher is bound to the classes they hold), never another role's account.
MANAGES: dict[UserRole, frozenset[UserRole]] = {
    UserRole.COUNTY_ADMIN: frozenset(UserRole),
    UserRole.PRINCIPAL: frozenset({UserRole.TEACHER}),
}


def manages(actor: Actor) -> frozenset[UserRole]:
    """The roles whose accounts the actor may see and manage (with USER granted)."""
    return MANAGES.get(actor.role, frozenset())


def require_manages(actor: Actor, role: UserRole) -> None:
    if role not in manages(actor):
        raise Forbidden(
            f"A {actor.role.value} may not manage a {role.value}'s account.",
            resource=Resource.USER.value,
            action=Action.WRITE.value,
        )


def allowed(actor: Actor, resource: Resource, action: Action) -> bool:
    if actor.role is UserRole.INTEGRATION_CLIENT:
        implying = _ORDER[_ORDER.index(action) :]
        return any(f"{resource.value}:{each.value}" in actor.api_scopes for each in implying)
    return action in MATRIX[actor.role].get(resource, NONE)


def require(actor: Actor, resource: Resource, action: Action) -> None:
    if not allowed(actor, resource, action):
        raise Forbidden(
            f"A {actor.role.value} may not {action.value} {resource.value}.",
            resource=resource.value,
            action=action.value,
        )


# Accounts are people's business: a client that could make accounts could make itself more.
_NOT_FOR_CLIENTS = frozenset({Resource.USER, Resource.INTEGRATION_CLIENT})


def api_scopes() -> list[str]:
    """Every scope an integration client may be granted, "resource:action"."""
    return [
        f"{resource.value}:{action.value}"
        for resource in Resource
        if resource not in _NOT_FOR_CLIENTS
        for action in _ORDER
    ]
