"""Who acts on a request: the handler the policy names, and the engine acting for the person."""

from __future__ import annotations

from rekisteri.core.actors import Actor, ActorKind
from rekisteri.core.errors import Forbidden
from rekisteri.rights.error_codes import RightsCode

# The engine acts for the person when it builds their package or answers on its own.
ENGINE = Actor(
    ActorKind.SYSTEM,
    "rights",
    purposes=frozenset(),
    sees_restricted=True,
    handles_requests=True,
    origin="rights engine",
)


def handler_require(actor: Actor) -> None:
    """Requests are handled by the role the policy names, the command line or the engine."""
    if actor.kind == ActorKind.STAFF and not actor.handles_requests:
        raise Forbidden(
            "this role does not handle data subject requests", code=RightsCode.NOT_HANDLER
        )
    if actor.kind in (ActorKind.SUBJECT, ActorKind.API_KEY):
        raise Forbidden("this client cannot handle requests")
