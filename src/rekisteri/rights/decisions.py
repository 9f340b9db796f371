"""The handler's decisions: answer a request, refuse it, extend its deadline, lift a restriction.

Each right is answered by the step registered for its kind (``fulfilment``);
every change of state is a move of the one table (``transitions``).
"""

from __future__ import annotations

from django.db import transaction

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.errors import Conflict, InvalidInput
from rekisteri.register import models as rm
from rekisteri.register import services as register
from rekisteri.register import validation as v
from rekisteri.rights import notify
from rekisteri.rights.actors import ENGINE, handler_require
from rekisteri.rights.deadlines import MAX_EXTENSION_MONTHS, due_date_for
from rekisteri.rights.error_codes import RightsCode
from rekisteri.rights.fulfilment import step_for
from rekisteri.rights.models import (
    OPEN_STATES,
    ExportPackage,
    RequestState,
    RightKind,
    SubjectRequest,
)
from rekisteri.rights.recipients import recipients_notify
from rekisteri.rights.transitions import (
    Move,
    request_lock,
    request_move_check,
    request_transition,
)


def _pending_restricting(request: SubjectRequest) -> bool:
    """Whether another open request of the person still keeps them restricted."""
    return (
        SubjectRequest.objects.filter(
            person_id=request.person_id, restricts=True, state__in=OPEN_STATES
        )
        .exclude(pk=request.pk)
        .exists()
    )


def _release_restriction(request: SubjectRequest, *, actor: Actor) -> None:
    """Lift a restriction this request set, unless another pending request still needs it."""
    if not request.restricts or _pending_restricting(request):
        return
    standing = SubjectRequest.objects.filter(
        person_id=request.person_id,
        kind=RightKind.RESTRICTION,
        state=RequestState.FULFILLED,
        result__lifted_at__isnull=True,
    )
    if standing.exists():
        return
    if rm.Person.objects.living().filter(pk=request.person_id).exists():
        notify.restriction_lift_notice(request)
        register.person_restriction_lift(actor=actor, person_id=request.person_id)


@transaction.atomic
def request_fulfil(*, actor: Actor, request_id: int, decision_reason: str = "") -> SubjectRequest:
    """Answer the request: do what the right asks, record it, tell the person."""
    request = request_lock(request_id)
    kind = RightKind(request.kind)
    if kind != RightKind.OBJECTION_DIRECT_MARKETING:
        # An objection is answered on the subject's own act; the rest is the handler's.
        handler_require(actor)
    request_move_check(request, Move.FULFIL)
    request.decision_reason = (
        v.clean_note(decision_reason, field="reason", max_length=1000) if decision_reason else ""
    )
    answer = step_for(kind)(request, actor)
    request.result = {**request.result, **answer.result}
    if answer.completed_later:
        request.save(update_fields=["result", "decision_reason"])
        audit_record(
            actor=actor,
            event=AuditEvent.REQUEST_CHANGED,
            person_id=request.person_id,
            data={"request": request.pk, **answer.result},
        )
        return request
    if "recipients_to_tell" in answer.result:
        # Art. 19: every recipient of the data is told, from a job, and each notice kept.
        recipients_notify(request)
    request_transition(request, Move.FULFIL, actor=actor)
    _close_duplicates(request, actor=actor)
    if answer.person_erased:
        _close_the_erased_persons_requests(request, actor=actor)
    else:
        _release_restriction(request, actor=actor)
    notify.subject_notice(request, "fulfilled")
    return request


def _close_the_erased_persons_requests(request: SubjectRequest, *, actor: Actor) -> None:
    """Whatever else the person asked is answered by the erasure: there is no one left
    to correct, restrict or send a package to, and the queue must not wait on them."""
    for other in SubjectRequest.objects.filter(
        person_id=request.person_id, state__in=OPEN_STATES
    ).exclude(pk=request.pk):
        other.result = {"answered_by": request.pk, "erased": True}
        request_transition(other, Move.SETTLE, actor=actor, answered_by=request.pk)


def _close_duplicates(request: SubjectRequest, *, actor: Actor) -> None:
    """A request made again while the first was open is answered by the first's answer."""
    for duplicate in request.duplicates.filter(state__in=OPEN_STATES):
        duplicate.result = {"answered_by": request.pk}
        request_transition(duplicate, Move.SETTLE, actor=actor, answered_by=request.pk)


@transaction.atomic
def request_package_ready(*, package_id: int) -> SubjectRequest:
    """The package job's last step: the files are stored, the request is answered."""
    package = ExportPackage.objects.select_related("request").get(pk=package_id)
    package.ready_at = clock.now()
    package.save(update_fields=["ready_at"])
    request = request_lock(package.request_id)
    if request.is_open:
        request_transition(request, Move.FULFIL, actor=ENGINE, package=package.pk)
        _close_duplicates(request, actor=ENGINE)
        notify.subject_notice(request, "package_ready")
    return request


@transaction.atomic
def request_reject(*, actor: Actor, request_id: int, reason: str) -> SubjectRequest:
    """Refuse the request with reasons; the person is told how to complain (Art. 12(4))."""
    handler_require(actor)
    request = request_lock(request_id)
    why = v.clean_note(reason, field="reason", max_length=1000) if reason else ""
    if not why:
        raise InvalidInput("reason: a refusal must say why", data={"field": "reason"})
    request.decision_reason = why
    request_transition(request, Move.REJECT, actor=actor)
    _release_restriction(request, actor=actor)
    notify.subject_notice(request, "rejected")
    return request


@transaction.atomic
def request_extend(*, actor: Actor, request_id: int, months: int, reason: str) -> SubjectRequest:
    """Extend the deadline once, by up to two months, before it passes (Art. 12(3))."""
    handler_require(actor)
    request = request_lock(request_id)
    request_move_check(request, Move.EXTEND)
    if request.extended_at is not None:
        raise Conflict("a request is extended only once", code=RightsCode.EXTENDED_ALREADY)
    if clock.today() > request.due_on:
        raise Conflict(
            "the deadline has passed; an extension must be told within the first month",
            code=RightsCode.DEADLINE_PASSED,
        )
    if months not in range(1, MAX_EXTENSION_MONTHS + 1):
        raise InvalidInput("months: one or two", data={"field": "months"})
    why = v.clean_note(reason, field="reason", max_length=1000)
    if not why:
        raise InvalidInput("reason: the subject must be told why", data={"field": "reason"})
    request.original_due_on = request.due_on
    request.due_on = due_date_for(request.received_on, extension_months=months)
    request.extension_reason = why
    request_transition(request, Move.EXTEND, actor=actor, extended_to=request.due_on.isoformat())
    notify.subject_notice(request, "extended")
    return request


@transaction.atomic
def restriction_lift(*, actor: Actor, request_id: int) -> SubjectRequest:
    """Lift a restriction the person asked for; they are told before it is lifted (Art. 18(3))."""
    handler_require(actor)
    request = request_lock(request_id)
    request_move_check(request, Move.LIFT)
    if request.result.get("lifted_at"):
        raise Conflict(
            "this restriction was already lifted", code=RightsCode.RESTRICTION_LIFTED_ALREADY
        )
    request_transition(request, Move.LIFT, actor=actor, restriction_lifted=True)
    if not _pending_restricting(request):
        notify.restriction_lift_notice(request)
        register.person_restriction_lift(actor=actor, person_id=request.person_id)
    return request
