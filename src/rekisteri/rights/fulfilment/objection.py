"""Objection (Art. 21): to direct marketing, absolute; to processing on legitimate interest."""

from __future__ import annotations

from rekisteri.consent.marketing import own_marketing_purpose
from rekisteri.consent.models import ConsentAction
from rekisteri.consent.selectors import consent_latest
from rekisteri.consent.services import CHANNELS as CONSENT_CHANNELS
from rekisteri.consent.services import consent_record
from rekisteri.core.actors import Actor
from rekisteri.policy.schema import LegalBasis
from rekisteri.policy.selectors import policy_get
from rekisteri.rights.fulfilment.registry import Answer, fulfils
from rekisteri.rights.models import RequestState, RightKind, SubjectRequest


def object_to(request: SubjectRequest, scope: str, *, actor: Actor) -> None:
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


def object_to_direct_marketing(request: SubjectRequest, *, actor: Actor) -> None:
    """Art. 21(3): recorded under every policy; one that markets nothing has nothing to stop."""
    scope = own_marketing_purpose()
    if scope is not None:
        object_to(request, scope, actor=actor)


def direct_marketing_objection_in_force(person_id: int) -> SubjectRequest | None:
    """The person's answered objection to direct marketing, while it is still in force:
    nothing they chose since (a consent, a lifted objection) came after it."""
    answered = (
        SubjectRequest.objects.filter(
            person_id=person_id,
            kind=RightKind.OBJECTION_DIRECT_MARKETING,
            state=RequestState.FULFILLED,
        )
        .order_by("-received_at", "-pk")
        .first()
    )
    scope = own_marketing_purpose()
    if answered is None or scope is None:
        # With no marketing there is nothing to object to on the ledger: the answer stands.
        return answered
    latest = consent_latest(person_id=person_id, scopes=[scope])
    return answered if latest is not None and latest.action == ConsentAction.OBJECTED else None


@fulfils(RightKind.OBJECTION_DIRECT_MARKETING)
def direct_marketing_stop(request: SubjectRequest, actor: Actor) -> Answer:
    """Stop direct marketing at once, by every channel."""
    object_to_direct_marketing(request, actor=actor)
    return Answer()


@fulfils(RightKind.OBJECTION)
def legitimate_interests_object(request: SubjectRequest, actor: Actor) -> Answer:
    """Record the objection to every purpose the policy bases on legitimate interest."""
    purposes = [
        key
        for key, purpose in policy_get().purposes.items()
        if purpose.legal_basis == LegalBasis.LEGITIMATE_INTEREST
    ]
    for purpose in purposes:
        object_to(request, purpose, actor=actor)
    return Answer(result={"objected_purposes": purposes})
