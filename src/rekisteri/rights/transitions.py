"""The one table of a request's moves, and the one function that makes them.

Every change of a request's state goes through ``request_transition``: it
looks the move up in ``TRANSITIONS``, refuses one the table does not allow
(changing nothing), stamps the time and writes the audit entry. Extending the
deadline and lifting a restriction are moves too, though the state stays.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.errors import Conflict, NotFound
from rekisteri.rights.error_codes import RightsCode
from rekisteri.rights.models import OPEN_STATES, RequestState, RightKind, SubjectRequest


class Move(StrEnum):
    """What can happen to a request."""

    VERIFY = "verify"
    REVIEW = "review"
    FULFIL = "fulfil"
    # Answered by another request's answer: a duplicate, or the erased person's other requests.
    SETTLE = "settle"
    REJECT = "reject"
    EXTEND = "extend"
    LIFT = "lift"


@dataclass(frozen=True)
class Transition:
    """A move a request in one state may make, the state it ends in, and for which rights."""

    target: RequestState
    kinds: frozenset[RightKind] = frozenset(RightKind)


def _for_every_open_state(target: RequestState | None) -> dict[RequestState, Transition]:
    """The move from each open state; ``None`` keeps the state it was in."""
    return {state: Transition(target or state) for state in OPEN_STATES}


# The one table of allowed moves: for each move, the states it starts from.
TRANSITIONS: Mapping[Move, Mapping[RequestState, Transition]] = {
    Move.VERIFY: {RequestState.RECEIVED: Transition(RequestState.VERIFIED)},
    # An erasure an integrating system filed waits for the data protection officer.
    Move.REVIEW: {RequestState.VERIFIED: Transition(RequestState.REVIEW)},
    Move.FULFIL: {
        # An objection to direct marketing is answered on receipt, verified or not
        # (Art. 21(3): at once, without conditions); every other right once verified.
        RequestState.RECEIVED: Transition(
            RequestState.FULFILLED, frozenset({RightKind.OBJECTION_DIRECT_MARKETING})
        ),
        RequestState.VERIFIED: Transition(RequestState.FULFILLED),
        RequestState.REVIEW: Transition(RequestState.FULFILLED),
    },
    Move.SETTLE: _for_every_open_state(RequestState.FULFILLED),
    Move.REJECT: _for_every_open_state(RequestState.REJECTED),
    # Art. 12(3): the deadline of an open request may be extended; the state stays.
    Move.EXTEND: _for_every_open_state(None),
    # Art. 18(3): a restriction the person was granted may be lifted; the answer stays.
    Move.LIFT: {
        RequestState.FULFILLED: Transition(
            RequestState.FULFILLED, frozenset({RightKind.RESTRICTION})
        ),
    },
}

# What a refusal says, by move; ``{request}`` and ``{state}`` are filled in.
_REFUSALS: Mapping[Move, str] = {
    Move.VERIFY: "request {request} is {state}; only a received request is verified",
    Move.REVIEW: "request {request} is {state}; it cannot become review",
    Move.FULFIL: "request {request} is {state}; it has been answered",
    Move.SETTLE: "request {request} is {state}; it has been answered",
    Move.REJECT: "request {request} is {state}; it cannot become rejected",
    Move.EXTEND: "request {request} is {state}; it is no longer open",
    Move.LIFT: "only an answered restriction request is lifted",
}


def request_lock(request_id: int) -> SubjectRequest:
    """The request, locked for the rest of the transaction; not found is a clear error."""
    found = SubjectRequest.objects.select_for_update().filter(pk=request_id).first()
    if found is None:
        raise NotFound(f"there is no request {request_id}", data={"request_id": request_id})
    return found


def request_move_check(request: SubjectRequest, move: Move) -> RequestState:
    """The state the move leads to; a move the table does not allow is refused."""
    state = RequestState(request.state)
    allowed = TRANSITIONS[move].get(state)
    if allowed is not None and request.kind in allowed.kinds:
        return allowed.target
    data = {"request_id": request.pk, "state": request.state, "move": str(move)}
    if move == Move.FULFIL and state == RequestState.RECEIVED:
        raise Conflict(
            f"request {request.pk} is {request.state}; verify the requester's identity first",
            code=RightsCode.NOT_VERIFIED,
            data=data,
        )
    raise Conflict(
        _REFUSALS[move].format(request=request.pk, state=request.state),
        code=RightsCode.RESTRICTION_NOT_GRANTED if move == Move.LIFT else RightsCode.INVALID_STATE,
        data=data,
    )


def request_transition(
    request: SubjectRequest, move: Move, *, actor: Actor, **data: Any
) -> SubjectRequest:
    """Make the move the table allows: the new state, its time stamped, one audit entry.

    The caller has locked the request and set what the move records besides
    (a decision's reason, an extension's new deadline); they are saved with it.
    """
    target = request_move_check(request, move)
    now = clock.now()
    request.state = target
    if move == Move.VERIFY:
        request.verified_at = now
    elif move == Move.EXTEND:
        request.extended_at = now
    elif move == Move.LIFT:
        request.result = {**request.result, "lifted_at": now.isoformat()}
    elif target in (RequestState.FULFILLED, RequestState.REJECTED):
        request.decided_at = now
    request.save()
    audit_record(
        actor=actor,
        event=AuditEvent.REQUEST_CHANGED,
        person_id=request.person_id,
        data={"request": request.pk, "kind": request.kind, "state": str(target), **data},
    )
    return request
