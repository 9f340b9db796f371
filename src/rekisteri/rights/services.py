"""The request engine: intake, verification, deadlines and the answer to each right.

A request moves along one table of transitions (``TRANSITIONS``), through one
function (``_transition``) that stamps the time and writes the audit entry.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from enum import StrEnum
from typing import Any

from django.db import models, transaction

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record
from rekisteri.consent.marketing import own_marketing_purpose
from rekisteri.consent.models import ConsentAction
from rekisteri.consent.services import CHANNELS as CONSENT_CHANNELS
from rekisteri.consent.services import consent_record
from rekisteri.core import clock
from rekisteri.core.actors import Actor, ActorKind
from rekisteri.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from rekisteri.core.jobs import JobRun, job, job_enqueue
from rekisteri.core.models import RegisterIdentity
from rekisteri.policy.schema import LegalBasis
from rekisteri.policy.selectors import (
    language_default,
    languages_offered,
    languages_phrase,
    notice_version_current,
    notice_versions_list,
    policy_get,
)
from rekisteri.register import models as rm
from rekisteri.register import services as register
from rekisteri.register import validation as v
from rekisteri.register.disclosures import disclosures_of
from rekisteri.register.selectors import (
    PersonIdentifier,
    person_access_by_identifier,
    person_access_for_act,
    person_id_by,
)
from rekisteri.retention.erasure import person_erase
from rekisteri.retention.sweep import retention_deferral
from rekisteri.rights import notify
from rekisteri.rights.deadlines import MAX_EXTENSION_MONTHS, due_date_for
from rekisteri.rights.models import (
    OPEN_STATES,
    ExportFile,
    ExportPackage,
    RequestChannel,
    RequestState,
    RightKind,
    SignInLink,
    SubjectRequest,
    VerificationCode,
    VerificationMethod,
)
from rekisteri.rights.recipients import recipients_notify
from rekisteri.rights.selectors import filer
from rekisteri.staff.keys import api_key_of

# The one table of allowed moves. An objection to direct marketing is answered
# on receipt, verified or not (Art. 21(3): at once, without conditions).
TRANSITIONS: dict[str, frozenset[str]] = {
    RequestState.RECEIVED: frozenset(
        {RequestState.VERIFIED, RequestState.REJECTED, RequestState.FULFILLED}
    ),
    RequestState.VERIFIED: frozenset(
        {RequestState.REVIEW, RequestState.FULFILLED, RequestState.REJECTED}
    ),
    RequestState.REVIEW: frozenset({RequestState.FULFILLED, RequestState.REJECTED}),
    RequestState.FULFILLED: frozenset(),
    RequestState.REJECTED: frozenset(),
}
# What a verified person's own request gets at once, with no one's judgement
# needed: the rest (a rectification, a general objection) waits for the handler.
SELF_SERVICE_KINDS = frozenset(
    {
        RightKind.ACCESS,
        RightKind.PORTABILITY,
        RightKind.DELETION,
        RightKind.ERASURE,
        RightKind.RESTRICTION,
    }
)
# Art. 18(1)(a), (b), (d): processing is restricted while these are pending.
RESTRICTING_KINDS = frozenset({RightKind.RECTIFICATION, RightKind.ERASURE, RightKind.OBJECTION})
# A package can be downloaded this long after it is ready.
PACKAGE_DAYS = 14
CODE_MINUTES = 30
CODE_ATTEMPTS = 5
# The engine acts for the person when it builds their package or answers on its own.
ENGINE = Actor(
    ActorKind.SYSTEM,
    "rights",
    purposes=frozenset(),
    sees_restricted=True,
    handles_requests=True,
    origin="rights engine",
)


class RightsCode(StrEnum):
    """Machine codes of the rights app's refusals."""

    INVALID_STATE = "request_invalid_state"
    NOT_VERIFIED = "request_not_verified"
    RECTIFICATION_EMPTY = "rectification_empty"
    ADDRESS_INCOMPLETE = "address_incomplete"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_LINK_INVALID = "sign_in_link_invalid"
    NOT_HANDLER = "request_not_handler"
    NO_VERIFIED_ADDRESS = "request_no_verified_address"
    CODE_NOT_VALID = "verification_code_not_valid"
    CODE_WRONG = "verification_code_wrong"
    EXTENDED_ALREADY = "request_extended_already"
    DEADLINE_PASSED = "request_deadline_passed"
    RESTRICTION_NOT_GRANTED = "restriction_not_granted"
    RESTRICTION_LIFTED_ALREADY = "restriction_lifted_already"


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _locked(request_id: int) -> SubjectRequest:
    found = SubjectRequest.objects.select_for_update().filter(pk=request_id).first()
    if found is None:
        raise NotFound(f"there is no request {request_id}", data={"request_id": request_id})
    return found


def handler_require(actor: Actor) -> None:
    """Requests are handled by the role the policy names, the command line or the engine."""
    if actor.kind == ActorKind.STAFF and not actor.handles_requests:
        raise Forbidden(
            "this role does not handle data subject requests", code=RightsCode.NOT_HANDLER
        )
    if actor.kind in (ActorKind.SUBJECT, ActorKind.API_KEY):
        raise Forbidden("this client cannot handle requests")


def _transition(
    request: SubjectRequest, to: RequestState, *, actor: Actor, **data: Any
) -> SubjectRequest:
    if to not in TRANSITIONS[request.state]:
        raise Conflict(
            f"request {request.pk} is {request.state}; it cannot become {to}",
            code=RightsCode.INVALID_STATE,
            data={"request_id": request.pk, "state": request.state, "to": str(to)},
        )
    now = clock.now()
    request.state = to
    if to == RequestState.VERIFIED:
        request.verified_at = now
    if to in (RequestState.FULFILLED, RequestState.REJECTED):
        request.decided_at = now
    request.save()
    audit_record(
        actor=actor,
        event=AuditEvent.REQUEST_CHANGED,
        person_id=request.person_id,
        data={"request": request.pk, "kind": request.kind, "state": str(to), **data},
    )
    return request


def _person_or_404(person_id: int) -> rm.Person:
    person = rm.Person.objects.living().filter(pk=person_id).first()
    if person is None:
        raise NotFound(f"there is no person {person_id}", data={"person_id": person_id})
    return person


# The reason a rectification records when the person gave none.
RECTIFICATION_NO_REASON = "proposed by the data subject"


def _clean_details(kind: RightKind, details: dict[str, Any]) -> dict[str, Any]:
    """The shape of what is asked; the values are checked as the register checks them."""
    if kind == RightKind.RECTIFICATION:
        # A detail the register does not collect is refused when proposed, not when applied.
        address = details.get("address")
        register.contact_collected_require(
            email=str(details["email"]) if details.get("email") else None,
            phone=str(details["phone"]) if details.get("phone") else None,
            address=register.AddressIn(
                street_address=str(address.get("street_address", "")),
                postal_code=str(address.get("postal_code", "")),
                city=str(address.get("city", "")),
            )
            if isinstance(address, dict) and address
            else None,
        )
        clean: dict[str, Any] = {}
        if details.get("email"):
            clean["email"] = v.clean_email(str(details["email"]))
        if details.get("phone"):
            clean["phone"] = v.clean_phone(str(details["phone"]))
        if address:
            if not isinstance(address, dict):
                raise InvalidInput(
                    "address: give street_address, postal_code and city",
                    code=RightsCode.ADDRESS_INCOMPLETE,
                    data={"field": "address"},
                )
            # The register's own rules, now: a bad postal code is refused when proposed,
            # not when the handler tries to apply it.
            checked = register.address_clean(
                register.AddressIn(
                    street_address=str(address.get("street_address", "")),
                    postal_code=str(address.get("postal_code", "")),
                    city=str(address.get("city", "")),
                )
            )
            clean["address"] = {
                "street_address": checked.street_address,
                "postal_code": checked.postal_code,
                "city": checked.city,
            }
        if not clean:
            raise InvalidInput(
                "a rectification names at least one of email, phone or address",
                code=RightsCode.RECTIFICATION_EMPTY,
                data={"field": "details"},
            )
        clean["reason"] = v.clean_note(
            str(details.get("reason") or RECTIFICATION_NO_REASON),
            field="reason",
            max_length=500,
        )
        return clean
    if details.get("reason"):
        return {"reason": v.clean_note(str(details["reason"]), field="reason", max_length=500)}
    return {}


def erasure_needs_review(actor: Actor) -> bool:
    """Whether an erasure this actor files waits for the data protection officer's review.

    One an integrating system files does, unless the policy says that system's
    need not: the system vouches for the person, but erasing cannot be undone.
    """
    if actor.kind != ActorKind.API_KEY:
        return False
    key = api_key_of(actor)
    client = policy_get().api_clients.get(key.name) if key is not None else None
    return client is None or client.erasure_review


@transaction.atomic
def request_file_by_client(
    *,
    actor: Actor,
    kind: str,
    person_id: int | None = None,
    identifier: PersonIdentifier | None = None,
    language: str = "",
    details: dict[str, Any] | None = None,
) -> SubjectRequest:
    """File a request an integrating system makes for a person it authenticated itself.

    An erasure names the person by an identifier the system authenticated (an
    account of it, an e-mail address it verified), never by the register's bare
    id; it reaches only a person one of the key's purposes may read (the purpose
    gate, audited; anyone else is not found), and it waits for the data
    protection officer's review unless the policy says otherwise.
    """
    if kind == RightKind.ERASURE:
        if identifier is None:
            raise InvalidInput(
                "an erasure names the person by an identifier the system authenticated "
                "(email, username or external_id), not by the register's id",
                data={"field": "person_id"},
            )
        access = person_access_by_identifier(
            actor=actor, identifier=identifier, data={"request": str(kind)}
        )
        person_id = access.person.pk
    else:
        if identifier is not None:
            person_id = person_id_by(identifier)
        if person_id is None:
            raise InvalidInput("name the person", data={"field": "person_id"})
        # Every right reaches only a person the key's purposes may read (audited);
        # anyone else, restricted or unknown, is no one: ending a customership or
        # restricting by a guessed id is no one's to ask, nor learning who exists.
        person_id = person_access_for_act(
            actor=actor, person_id=person_id, data={"request": str(kind)}
        ).person.pk
    return request_create(
        actor=actor,
        person_id=person_id,
        kind=kind,
        channel=RequestChannel.API,
        language=language,
        details=details,
        verified_by=VerificationMethod.API_CLIENT,
    )


@transaction.atomic
def register_began_on() -> dt.date:
    """The first day the register is known to have existed.

    The date its description states for itself, else the first recorded notice
    version's, else the day ``rekisteri setup`` made its identity: the earliest known.
    """
    known = [notice.effective_on for notice in notice_versions_list()[:1]]
    stated = policy_get().policy.text_date
    if stated is not None:
        known.append(stated)
    identity = RegisterIdentity.objects.filter(id=1).values_list("created_at", flat=True).first()
    if identity is not None:
        known.append(identity.astimezone(clock.zone()).date())
    return min(known, default=clock.today())


def _received_on(at: dt.datetime, now: dt.datetime) -> dt.date:
    """The day of receipt where the controller is, which the deadline runs from; never
    in the future, never before the register existed (a typo such as 0001-01-01 would
    make a request overdue for two thousand years)."""
    if at > now:
        raise InvalidInput(
            "received_at: a request is registered after it arrived",
            data={"field": "received_at"},
        )
    began = register_began_on()
    try:
        received_on = at.astimezone(clock.zone()).date()
    except OverflowError:
        received_on = dt.date.min
    if received_on < began:
        raise InvalidInput(
            f"received_at: a request cannot have arrived before the register existed "
            f"({began.isoformat()})",
            data={"field": "received_at", "earliest": began.isoformat()},
        )
    return received_on


@transaction.atomic
def request_create(
    *,
    actor: Actor,
    person_id: int,
    kind: str,
    channel: str,
    received_at: dt.datetime | None = None,
    language: str = "",
    details: dict[str, Any] | None = None,
    verified_by: VerificationMethod | None = None,
) -> SubjectRequest:
    """Register a request; the deadline runs from its receipt (Art. 12(3)).

    One transaction with the answer given at once (an objection to direct marketing,
    a self-service request): a process killed half-way leaves neither the request
    nor half of its answer, and the person's retry finds nothing open to wait on.
    """
    if kind not in RightKind.values:
        raise InvalidInput(
            f"kind: must be one of {', '.join(RightKind.values)}", data={"field": "kind"}
        )
    if channel not in RequestChannel.values:
        raise InvalidInput(
            f"channel: must be one of {', '.join(RequestChannel.values)}",
            data={"field": "channel"},
        )
    # Without a language of their own, the person is answered in the register's.
    language = language or language_default()
    if language not in languages_offered():
        raise InvalidInput(f"language: must be {languages_phrase()}", data={"field": "language"})
    right = RightKind(kind)
    clean = _clean_details(right, details or {})
    person = _person_or_404(person_id)
    now = clock.now()
    at = received_at or now
    received_on = _received_on(at, now)
    version = notice_version_current()
    open_same = SubjectRequest.objects.filter(
        person_id=person.pk, kind=right, state__in=OPEN_STATES, duplicate_of__isnull=True
    ).order_by("received_at")
    if right == RightKind.RECTIFICATION:
        # Two corrections are the same request only when they ask the same change.
        original = next((r for r in open_same if r.details == clean), None)
    else:
        original = open_same.first()
    request = SubjectRequest.objects.create(
        person_id=person.pk,
        kind=right,
        channel=channel,
        language=language,
        received_at=at,
        received_on=received_on,
        due_on=due_date_for(received_on),
        notice_version=version.number if version else None,
        duplicate_of=original,
        details=clean,
        filed_by=filer(actor),
    )
    audit_record(
        actor=actor,
        event=AuditEvent.REQUEST_CHANGED,
        person_id=person.pk,
        data={
            "request": request.pk,
            "kind": right.value,
            "state": RequestState.RECEIVED.value,
            "channel": channel,
            **({"duplicate_of": original.pk} if original else {}),
        },
    )
    review = right == RightKind.ERASURE and erasure_needs_review(actor)
    if verified_by is not None:
        request.verification_method = verified_by
        _transition(request, RequestState.VERIFIED, actor=actor, method=str(verified_by))
        if review:
            _transition(request, RequestState.REVIEW, actor=actor)
    if right in RESTRICTING_KINDS:
        register.person_restrict(actor=actor, person_id=person.pk)
        request.restricts = True
        request.save(update_fields=["restricts"])
    notify.subject_notice(request, "received")
    if right == RightKind.OBJECTION_DIRECT_MARKETING:
        # Art. 21(3): no balancing, no verification, every channel, at once.
        request_fulfil(actor=actor, request_id=request.pk)
        request.refresh_from_db()
    elif (
        verified_by is not None and right in SELF_SERVICE_KINDS and original is None and not review
    ):
        request_fulfil(actor=ENGINE, request_id=request.pk)
        request.refresh_from_db()
    return request


@transaction.atomic
def request_verify(
    *, actor: Actor, request_id: int, method: VerificationMethod, note: str = ""
) -> SubjectRequest:
    """Record that the requester is the person (Art. 12(6)); the deadline does not move."""
    handler_require(actor)
    request = _locked(request_id)
    if method == VerificationMethod.STAFF_CHECK:
        if not note.strip():
            raise InvalidInput(
                "note: say what was checked (never copy an identity document)",
                data={"field": "note"},
            )
        request.verification_note = v.clean_note(note, field="note", max_length=500)
    request.verification_method = method
    return _transition(request, RequestState.VERIFIED, actor=actor, method=str(method))


@transaction.atomic
def request_verification_code_send(*, actor: Actor, request_id: int) -> VerificationCode:
    """E-mail a one-time code to the address on file; answering it verifies the request."""
    handler_require(actor)
    request = _locked(request_id)
    if request.state != RequestState.RECEIVED:
        raise Conflict(
            f"request {request.pk} is {request.state}; only a received request is verified",
            code=RightsCode.INVALID_STATE,
        )
    address = notify.address_on_file(request.person_id)
    if address is None:
        raise Conflict(
            "the person has no verified e-mail address; verify by another way",
            code=RightsCode.NO_VERIFIED_ADDRESS,
        )
    code = f"{secrets.randbelow(10**8):08d}"
    now = clock.now()
    VerificationCode.objects.filter(request=request, used_at__isnull=True).update(used_at=now)
    created = VerificationCode.objects.create(
        request=request,
        code_hash=_digest(code),
        created_at=now,
        expires_at=now + dt.timedelta(minutes=CODE_MINUTES),
    )
    notify.code_send(request, address, code)
    audit_record(
        actor=actor,
        event=AuditEvent.REQUEST_CHANGED,
        person_id=request.person_id,
        data={"request": request.pk, "verification_code_sent": True},
    )
    return created


def request_verify_code(*, actor: Actor, request_id: int, code: str) -> SubjectRequest:
    """Verify a request with the code the person received; five wrong tries use a code up."""
    with transaction.atomic():
        request = _locked(request_id)
        pending = (
            VerificationCode.objects.select_for_update()
            .filter(request=request, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        now = clock.now()
        if pending is None or pending.expires_at < now or pending.attempts >= CODE_ATTEMPTS:
            raise InvalidInput(
                "there is no valid code for this request; send a new one",
                code=RightsCode.CODE_NOT_VALID,
                data={"field": "code"},
            )
        # Counted in its own transaction, so that a wrong guess is not rolled back.
        pending.attempts += 1
        pending.save(update_fields=["attempts"])
    if not secrets.compare_digest(pending.code_hash, _digest(code.strip())):
        raise InvalidInput(
            "the code is not right", code=RightsCode.CODE_WRONG, data={"field": "code"}
        )
    with transaction.atomic():
        request = _locked(request_id)
        if request.state != RequestState.RECEIVED:
            raise Conflict(
                f"request {request.pk} is {request.state}; it needs no code",
                code=RightsCode.INVALID_STATE,
            )
        VerificationCode.objects.filter(pk=pending.pk).update(used_at=clock.now())
        request.verification_method = VerificationMethod.CODE
        return _transition(request, RequestState.VERIFIED, actor=actor, method="code")


@transaction.atomic
def request_extend(*, actor: Actor, request_id: int, months: int, reason: str) -> SubjectRequest:
    """Extend the deadline once, by up to two months, before it passes (Art. 12(3))."""
    handler_require(actor)
    request = _locked(request_id)
    if not request.is_open:
        raise Conflict(
            f"request {request.pk} is {request.state}; it is no longer open",
            code=RightsCode.INVALID_STATE,
        )
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
    request.extended_at = clock.now()
    request.extension_reason = why
    request.save()
    audit_record(
        actor=actor,
        event=AuditEvent.REQUEST_CHANGED,
        person_id=request.person_id,
        data={"request": request.pk, "extended_to": request.due_on.isoformat()},
    )
    notify.subject_notice(request, "extended")
    return request


def _recipients_to_tell(person_id: int) -> list[dict[str, Any]]:
    """Art. 19: every recipient the person's data were disclosed to."""
    return [
        {
            "disclosure": d.pk,
            "recipient": d.recipient,
            "disclosed_on": d.disclosed_on.isoformat(),
            "categories": d.categories,
        }
        for d in disclosures_of(person_id=person_id)
    ]


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
    request = _locked(request_id)
    if request.kind != RightKind.OBJECTION_DIRECT_MARKETING:
        # An objection is answered on the subject's own act; the rest is the handler's.
        handler_require(actor)
    if not request.is_open:
        raise Conflict(
            f"request {request.pk} is {request.state}; it has been answered",
            code=RightsCode.INVALID_STATE,
        )
    if request.kind != RightKind.OBJECTION_DIRECT_MARKETING and request.state not in (
        RequestState.VERIFIED,
        RequestState.REVIEW,
    ):
        raise Conflict(
            f"request {request.pk} is {request.state}; verify the requester's identity first",
            code=RightsCode.NOT_VERIFIED,
            data={"request_id": request.pk, "state": request.state},
        )
    request.decision_reason = (
        v.clean_note(decision_reason, field="reason", max_length=1000) if decision_reason else ""
    )
    kind = RightKind(request.kind)
    result: dict[str, Any] = {}
    if kind in (RightKind.ACCESS, RightKind.PORTABILITY):
        package = ExportPackage.objects.create(
            request=request,
            created_at=clock.now(),
            expires_at=clock.now() + dt.timedelta(days=PACKAGE_DAYS),
        )
        job = job_enqueue("rights.package", package_id=package.pk)
        request.result = {**request.result, "package": package.pk, "job": job.pk}
        request.save(update_fields=["result", "decision_reason"])
        audit_record(
            actor=actor,
            event=AuditEvent.REQUEST_CHANGED,
            person_id=request.person_id,
            data={"request": request.pk, "package": package.pk, "job": job.pk},
        )
        # The package job completes the answer when the files are ready.
        return request
    if kind == RightKind.RECTIFICATION:
        address = request.details.get("address")
        register.person_rectify(
            actor=actor,
            person_id=request.person_id,
            reason=request.details.get("reason", ""),
            # The person's own request (Art. 16) is the ground; no purpose needed.
            purpose=None,
            email=request.details.get("email"),
            phone=request.details.get("phone"),
            address=register.AddressIn(**address) if address else None,
        )
        result["recipients_to_tell"] = _recipients_to_tell(request.person_id)
    elif kind == RightKind.OBJECTION_DIRECT_MARKETING:
        _object_to_direct_marketing(request, actor=actor)
    elif kind == RightKind.OBJECTION:
        purposes = [
            key
            for key, purpose in policy_get().purposes.items()
            if purpose.legal_basis == LegalBasis.LEGITIMATE_INTEREST
        ]
        for purpose in purposes:
            _object_to(request, purpose, actor=actor)
        result["objected_purposes"] = purposes
    elif kind == RightKind.DELETION:
        open_customerships = rm.Customership.objects.filter(
            person_id=request.person_id, ended_on__isnull=True
        ).values_list("pk", flat=True)
        ended = 0
        for customership_id in open_customerships:
            register.customership_end(
                actor=actor,
                person_id=request.person_id,
                customership_id=customership_id,
                reason="ended at the customer's request",
            )
            ended += 1
        # Ending the customership ends direct marketing too.
        _object_to_direct_marketing(request, actor=actor)
        result["customerships_ended"] = ended
    elif kind == RightKind.ERASURE:
        recipients = _recipients_to_tell(request.person_id)
        notify.erasure_capture(request)
        certificate = person_erase(
            actor=actor, person_id=request.person_id, reason=f"request {request.pk}"
        )
        # What the person asked for, in their own words, and the copies of their
        # data made for them, go with them.
        SubjectRequest.objects.filter(person_id=request.person_id).update(details={})
        ExportPackage.objects.filter(request__person_id=request.person_id).delete()
        SignInLink.objects.filter(person_id=request.person_id).delete()
        request.details = {}
        result["certificate"] = certificate.as_dict()
        result["recipients_to_tell"] = recipients
    elif kind == RightKind.RESTRICTION:
        register.person_restrict(actor=actor, person_id=request.person_id)
        result["recipients_to_tell"] = _recipients_to_tell(request.person_id)
    if "recipients_to_tell" in result:
        # Art. 19: every recipient of the data is told, from a job, and each notice kept.
        recipients_notify(request)
    request.result = {**request.result, **result}
    _transition(request, RequestState.FULFILLED, actor=actor)
    _close_duplicates(request, actor=actor)
    if kind == RightKind.ERASURE:
        _close_the_erased_persons_requests(request, actor=actor)
    if kind != RightKind.ERASURE:
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
        _transition(other, RequestState.FULFILLED, actor=actor, answered_by=request.pk)


def _close_duplicates(request: SubjectRequest, *, actor: Actor) -> None:
    """A request made again while the first was open is answered by the first's answer."""
    for duplicate in request.duplicates.filter(state__in=OPEN_STATES):
        duplicate.result = {"answered_by": request.pk}
        _transition(duplicate, RequestState.FULFILLED, actor=actor, answered_by=request.pk)


def _object_to_direct_marketing(request: SubjectRequest, *, actor: Actor) -> None:
    """Art. 21(3): recorded under every policy; one that markets nothing has nothing to stop."""
    scope = own_marketing_purpose()
    if scope is not None:
        _object_to(request, scope, actor=actor)


def _object_to(request: SubjectRequest, scope: str, *, actor: Actor) -> None:
    """Record the person's objection in the consent ledger, by the request's channel."""
    consent_record(
        actor=actor,
        person_id=request.person_id,
        scope=scope,
        action=ConsentAction.OBJECTED,
        # A request by letter, e-mail, the portal or the API is recorded as such;
        # one made in person, as customer service.
        channel=request.channel if request.channel in CONSENT_CHANNELS else "customer_service",
    )


@transaction.atomic
def request_package_ready(*, package_id: int) -> SubjectRequest:
    """The package job's last step: the files are stored, the request is answered."""
    package = ExportPackage.objects.select_related("request").get(pk=package_id)
    package.ready_at = clock.now()
    package.save(update_fields=["ready_at"])
    request = _locked(package.request_id)
    if request.is_open:
        _transition(request, RequestState.FULFILLED, actor=ENGINE, package=package.pk)
        _close_duplicates(request, actor=ENGINE)
        notify.subject_notice(request, "package_ready")
    return request


@transaction.atomic
def request_reject(*, actor: Actor, request_id: int, reason: str) -> SubjectRequest:
    """Refuse the request with reasons; the person is told how to complain (Art. 12(4))."""
    handler_require(actor)
    request = _locked(request_id)
    why = v.clean_note(reason, field="reason", max_length=1000) if reason else ""
    if not why:
        raise InvalidInput("reason: a refusal must say why", data={"field": "reason"})
    request.decision_reason = why
    _transition(request, RequestState.REJECTED, actor=actor)
    _release_restriction(request, actor=actor)
    notify.subject_notice(request, "rejected")
    return request


@transaction.atomic
def restriction_lift(*, actor: Actor, request_id: int) -> SubjectRequest:
    """Lift a restriction the person asked for; they are told before it is lifted (Art. 18(3))."""
    handler_require(actor)
    request = _locked(request_id)
    if request.kind != RightKind.RESTRICTION or request.state != RequestState.FULFILLED:
        raise Conflict(
            "only an answered restriction request is lifted",
            code=RightsCode.RESTRICTION_NOT_GRANTED,
        )
    if request.result.get("lifted_at"):
        raise Conflict(
            "this restriction was already lifted", code=RightsCode.RESTRICTION_LIFTED_ALREADY
        )
    request.result = {**request.result, "lifted_at": clock.now().isoformat()}
    request.save(update_fields=["result"])
    if not _pending_restricting(request):
        notify.restriction_lift_notice(request)
        register.person_restriction_lift(actor=actor, person_id=request.person_id)
    audit_record(
        actor=actor,
        event=AuditEvent.REQUEST_CHANGED,
        person_id=request.person_id,
        data={"request": request.pk, "restriction_lifted": True},
    )
    return request


@transaction.atomic
def package_file_take(*, person_id: int, package_id: int, name: str) -> ExportFile:
    """A file of the person's own ready, unexpired package; the first download is noted."""
    found = (
        ExportFile.objects.select_for_update()
        .filter(
            package_id=package_id,
            name=name,
            package__request__person_id=person_id,
            package__ready_at__isnull=False,
            package__expires_at__gt=clock.now(),
        )
        .first()
    )
    if found is None:
        raise NotFound("there is no such package", data={"package_id": package_id})
    if found.downloaded_at is None:
        found.downloaded_at = clock.now()
        found.save(update_fields=["downloaded_at"])
    return found


@job("rights.purge", daily=True)
def _purge_expired_packages(run: JobRun) -> None:
    """Copies of a person's data are kept only until their download link expires, and
    an address in the outbox only until its message is sent or given up."""
    removed, _ = ExportFile.objects.filter(package__expires_at__lte=clock.now()).delete()
    run.save(removed=removed, messages_given_up=notify.messages_give_up())


@retention_deferral
def _people_with_open_requests() -> models.QuerySet[Any]:
    """A person whose request is being answered is kept until it is: the answer needs
    their data, and an erasure request is answered by the erasure itself."""
    return SubjectRequest.objects.filter(state__in=OPEN_STATES, person_id__isnull=False).values(
        "person_id"
    )
