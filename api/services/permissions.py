"""The permission matrix: which role may do what to which kind of thing. The one place.

Whether a particular object is within reach is the scoping module's question; this answers
only whether the role may act on that kind of object at all. Integration clients are granted
nothing by role: their API scopes ("children:read", ...) say what they may do.
"""

from enum import StrEnum

from api.models.vocabulary import UserRole
from api.services.actors import Actor
from api.services.errors import Forbidden


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
    STATS = "stats"
    USER = "users"
    AUDIT = "audit"
    WEBHOOK = "webhooks"


class Action(StrEnum):
    READ = "read"
    WRITE = "write"


R, W = frozenset({Action.READ}), frozenset({Action.READ, Action.WRITE})
NONE: frozenset[Action] = frozenset()

_FIELD = {  # what every role working with children may do
    Resource.AREA: R,
    Resource.SCHOOL: R,
    Resource.HOUSEHOLD: W,
    Resource.CHILD: W,
    Resource.CAMPAIGN: R,
    Resource.VISIT: W,
    Resource.CASE: W,
    Resource.STATS: R,
}

MATRIX: dict[UserRole, dict[Resource, frozenset[Action]]] = {
    UserRole.COUNTY_ADMIN: {resource: W for resource in Resource},
    UserRole.SUPERVISOR: {
        **{resource: R for resource in Resource},
        Resource.USER: NONE,
        Resource.WEBHOOK: NONE,
    },
    UserRole.TOWNSHIP_OFFICER: {**_FIELD, Resource.RECONCILIATION: R},
    UserRole.VILLAGE_CADRE: _FIELD,
    UserRole.PRINCIPAL: {**_FIELD, Resource.ROSTER: W, Resource.RECONCILIATION: W},
    UserRole.TEACHER: {**_FIELD, Resource.HOUSEHOLD: R},
    UserRole.INTEGRATION_CLIENT: {},
}


def allowed(actor: Actor, resource: Resource, action: Action) -> bool:
    if actor.role is UserRole.INTEGRATION_CLIENT:
        scope = f"{resource.value}:{action.value}"
        return scope in actor.api_scopes or (
            action is Action.READ and f"{resource.value}:{Action.WRITE.value}" in actor.api_scopes
        )
    return action in MATRIX[actor.role].get(resource, NONE)


def require(actor: Actor, resource: Resource, action: Action) -> None:
    if not allowed(actor, resource, action):
        raise Forbidden(f"A {actor.role.value} may not {action.value} {resource.value}.")
