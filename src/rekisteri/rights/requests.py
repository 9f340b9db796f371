"""Filing a request: who may file it, what it asks, when it was received.

A request is answered at once when no one's judgement is needed (an objection
to direct marketing; a verified person's self-service request), in the same
transaction as its filing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import models, transaction

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record
from rekisteri.core import clock
from rekisteri.core.actors import Actor, ActorKind
from rekisteri.core.errors import InvalidInput, NotFound
from rekisteri.core.models import RegisterIdentity
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
from rekisteri.register.selectors import (
    PersonIdentifier,
    person_access_by_identifier,
    person_access_for_act,
    person_id_by,
)
from rekisteri.retention.sweep import retention_deferral
from rekisteri.rights import notify
from rekisteri.rights.actors import ENGINE
from rekisteri.rights.deadlines import due_date_for
from rekisteri.rights.decisions import request_fulfil
from rekisteri.rights.error_codes import RightsCode
from rekisteri.rights.fulfilment.objection import direct_marketing_objection_in_force
from rekisteri.rights.models import (
    OPEN_STATES,
    RequestChannel,
    RequestState,
    RightKind,
    SubjectRequest,
    VerificationMethod,
)
from rekisteri.rights.selectors import filer
from rekisteri.rights.transitions import Move, request_transition
from rekisteri.staff.keys import api_key_of

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
    if right == RightKind.OBJECTION_DIRECT_MARKETING:
        # Pressing "object" again files nothing new: the objection in force is the answer.
        in_force = direct_marketing_objection_in_force(person.pk)
        if in_force is not None:
            return in_force
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
        request_transition(request, Move.VERIFY, actor=actor, method=str(verified_by))
        if review:
            request_transition(request, Move.REVIEW, actor=actor)
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


@retention_deferral
def _people_with_open_requests() -> models.QuerySet[Any]:
    """A person whose request is being answered is kept until it is: the answer needs
    their data, and an erasure request is answered by the erasure itself."""
    return SubjectRequest.objects.filter(state__in=OPEN_STATES, person_id__isnull=False).values(
        "person_id"
    )
