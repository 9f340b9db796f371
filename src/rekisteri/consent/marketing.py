"""Who may be sent direct marketing, on which channel, and why.

The rules, in the order they are applied (the first that speaks decides):

1. A restricted person (GDPR Art. 18) is never selected, nor a forgotten one's husk.
2. An objection to direct marketing (Art. 21(2)-(3)) wins over everything
   else: an objection to any direct-marketing purpose stops that purpose and
   every other direct-marketing purpose, on its channel or, when made without
   a channel, on all of them. Only the person can lift it.
3. The person's latest choice for the purpose (on this channel, or for the
   purpose as a whole) stands: a withdrawal stops, a consent allows.
4. Without a choice: a purpose whose legal basis is consent needs one. By
   e-mail or SMS (Information Society Code 917/2014, s. 200), a private person
   needs a prior consent, except that an existing customer may get marketing
   of the company's own similar services and a business contact may be
   marketed to, both until they refuse. By post and phone, the company's
   legitimate interest allows it until the person refuses.
5. Nobody is selected on a channel they have no address on.

``marketing_decision`` states the rules for one person in Python;
``_facts`` and ``marketing_audience`` state the same rules as one set-based
query. ``tests/consent/test_marketing.py`` holds the two in step.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import models
from django.db.models import Case, Exists, ExpressionWrapper, OuterRef, Q, Subquery, Value, When
from django.db.models.functions import Concat

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record_many
from rekisteri.consent.models import ConsentAction, ConsentEvent
from rekisteri.core.actors import Actor
from rekisteri.core.errors import InvalidInput
from rekisteri.policy.schema import LegalBasis
from rekisteri.policy.selectors import policy_get
from rekisteri.register import models as m
from rekisteri.register.selectors import purpose_exclusion, purpose_require


class MarketingChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    POST = "post"
    PHONE = "phone"


# Information Society Code s. 200 covers e-mail and SMS ("electronic" marketing).
ELECTRONIC = frozenset({MarketingChannel.EMAIL, MarketingChannel.SMS})


class Basis(StrEnum):
    """Why a person may be marketed to."""

    CONSENT = "consent"
    CUSTOMER = "customer"
    BUSINESS_CONTACT = "business_contact"
    LEGITIMATE_INTEREST = "legitimate_interest"


class Refusal(StrEnum):
    """Why a person may not be marketed to."""

    RESTRICTED = "restricted"
    OBJECTED = "objected"
    WITHDRAWN = "withdrawn"
    NO_CONSENT = "no_consent"
    NO_ADDRESS = "no_address"


@dataclass(frozen=True)
class MarketingFacts:
    restricted: bool
    objected: bool
    # The latest granted or withdrawn event for the purpose or purpose:channel.
    choice: str | None
    customer: bool
    business_contact: bool
    reachable: bool


def marketing_decision(
    facts: MarketingFacts, *, purpose: str, channel: MarketingChannel
) -> Basis | Refusal:
    """The rules of the module docstring, for one person."""
    if facts.restricted:
        return Refusal.RESTRICTED
    if facts.objected:
        return Refusal.OBJECTED
    basis: Basis | Refusal
    if facts.choice == ConsentAction.WITHDRAWN:
        basis = Refusal.WITHDRAWN
    elif facts.choice == ConsentAction.GRANTED:
        basis = Basis.CONSENT
    elif policy_get().purposes[purpose].legal_basis == LegalBasis.CONSENT:
        basis = Refusal.NO_CONSENT
    elif channel in ELECTRONIC:
        if facts.business_contact:
            basis = Basis.BUSINESS_CONTACT
        elif facts.customer:
            basis = Basis.CUSTOMER
        else:
            basis = Refusal.NO_CONSENT
    else:
        basis = Basis.LEGITIMATE_INTEREST
    if isinstance(basis, Basis) and not facts.reachable:
        return Refusal.NO_ADDRESS
    return basis


def direct_marketing_purposes() -> list[str]:
    return [key for key, p in policy_get().purposes.items() if p.direct_marketing]


def own_marketing_purpose() -> str:
    """The purpose of marketing the company's own services: the direct-marketing purpose
    that rests on legitimate interest. Objections to direct marketing are recorded on it,
    and it is the one the portal's channel choices and the customer exception serve."""
    for key, purpose in policy_get().purposes.items():
        if purpose.direct_marketing and purpose.legal_basis == LegalBasis.LEGITIMATE_INTEREST:
            return key
    raise InvalidInput("the policy has no direct-marketing purpose on legitimate interest")


def channel_require(channel: str) -> MarketingChannel:
    try:
        return MarketingChannel(channel)
    except ValueError:
        raise InvalidInput(
            f"channel: must be one of {', '.join(MarketingChannel)}", data={"field": "channel"}
        ) from None


def purpose_require_direct_marketing(purpose: str) -> str:
    if purpose not in direct_marketing_purposes():
        raise InvalidInput(
            "purpose: must be a direct-marketing purpose of the policy: "
            + ", ".join(direct_marketing_purposes()),
            data={"field": "purpose"},
        )
    return purpose


def _later_on_same_scope(action: ConsentAction) -> models.QuerySet[ConsentEvent]:
    """Events of ``action`` on the outer event's scope that came after it."""
    return ConsentEvent.objects.filter(
        person_id=OuterRef("person_id"), scope=OuterRef("scope"), action=action
    ).filter(
        Q(occurred_at__gt=OuterRef("occurred_at"))
        | Q(occurred_at=OuterRef("occurred_at"), pk__gt=OuterRef("pk"))
    )


def objection_in_force(channel: MarketingChannel) -> Exists:
    """Rule 2 for the outer person: an objection not lifted since."""
    scopes = [s for p in direct_marketing_purposes() for s in (p, f"{p}:{channel}")]
    return Exists(
        ConsentEvent.objects.filter(
            person_id=OuterRef("pk"), scope__in=scopes, action=ConsentAction.OBJECTED
        ).exclude(Exists(_later_on_same_scope(ConsentAction.LIFTED)))
    )


@purpose_exclusion
def people_objected_or_not_consented(purpose: str) -> models.QuerySet[Any] | None:
    """For the purpose gate: who a purpose is closed for, by the ledger.

    A purpose-wide objection not lifted since closes the purpose (for direct
    marketing, an objection to any direct-marketing purpose closes them all);
    a purpose that rests on consent is open only to people whose consent to
    it, on some channel, stands.
    """
    policy = policy_get()
    if purpose not in policy.purposes:
        return None
    direct = direct_marketing_purposes()
    scopes = direct if purpose in direct else [purpose]
    objected = ConsentEvent.objects.filter(scope__in=scopes, action=ConsentAction.OBJECTED).exclude(
        Exists(_later_on_same_scope(ConsentAction.LIFTED))
    )
    closed = objected.values("person_id")
    if policy.purposes[purpose].legal_basis != LegalBasis.CONSENT:
        return closed
    consenting = (
        ConsentEvent.objects.filter(action=ConsentAction.GRANTED)
        .filter(Q(scope=purpose) | Q(scope__startswith=f"{purpose}:"))
        .exclude(Exists(_later_on_same_scope(ConsentAction.WITHDRAWN)))
        .values("person_id")
    )
    return m.Person.objects.filter(Q(pk__in=closed) | ~Q(pk__in=consenting)).values("pk")


def _address_rows(channel: MarketingChannel) -> models.QuerySet[Any]:
    """The rows that hold the outer person's address on ``channel``, newest first."""
    rows: models.QuerySet[Any]
    if channel == MarketingChannel.EMAIL:
        rows = m.EmailAddress.objects.annotate(value=models.F("address"))
    elif channel == MarketingChannel.POST:
        rows = m.PostalAddress.objects.annotate(
            value=Concat(
                "street_address",
                Value(", "),
                "postal_code",
                Value(" "),
                "city",
                Value(", "),
                "country",
                output_field=models.CharField(),
            )
        )
    else:
        rows = m.PhoneNumber.objects.annotate(value=models.F("number"))
    return rows.filter(person_id=OuterRef("pk")).order_by("-stored_at", "-pk")


def _facts(purpose: str, channel: MarketingChannel) -> models.QuerySet[Any]:
    """Every living person with the facts the rules look at, as columns."""
    choice = (
        ConsentEvent.objects.filter(
            person_id=OuterRef("pk"),
            scope__in=[purpose, f"{purpose}:{channel}"],
            action__in=[ConsentAction.GRANTED, ConsentAction.WITHDRAWN],
        )
        .order_by("-occurred_at", "-pk")
        .values("action")[:1]
    )
    return m.Person.objects.filter(erased_at__isnull=True).annotate(
        is_restricted=ExpressionWrapper(
            Q(restricted_since__isnull=False), output_field=models.BooleanField()
        ),
        objected=objection_in_force(channel),
        choice=Subquery(choice),
        customer=Exists(
            m.Customership.objects.filter(person_id=OuterRef("pk"), ended_on__isnull=True)
        ),
        business_contact=Exists(m.OrganisationRole.objects.filter(person_id=OuterRef("pk"))),
        reachable=Exists(_address_rows(channel)),
    )


def _row_facts(row: dict[str, Any]) -> MarketingFacts:
    return MarketingFacts(
        restricted=bool(row["is_restricted"]),
        objected=bool(row["objected"]),
        choice=row["choice"],
        customer=bool(row["customer"]),
        business_contact=bool(row["business_contact"]),
        reachable=bool(row["reachable"]),
    )


FACT_COLUMNS = ("pk", "is_restricted", "objected", "choice", "customer", "business_contact")


def marketing_decisions(
    *, purpose: str, channel: str, person_ids: list[int]
) -> dict[int, Basis | Refusal]:
    """The decision for each of these people, by the Python statement of the rules."""
    purpose_require_direct_marketing(purpose)
    chosen = channel_require(channel)
    rows = _facts(purpose, chosen).filter(pk__in=person_ids).values(*FACT_COLUMNS, "reachable")
    return {
        row["pk"]: marketing_decision(_row_facts(row), purpose=purpose, channel=chosen)
        for row in rows
    }


def marketing_audience(*, purpose: str, channel: str) -> models.QuerySet[Any]:
    """Everyone who may be marketed to, by the rules as one query; ``basis`` says why."""
    purpose_require_direct_marketing(purpose)
    chosen = channel_require(channel)
    allowed = Q(choice=ConsentAction.GRANTED)
    if policy_get().purposes[purpose].legal_basis != LegalBasis.CONSENT:
        if chosen in ELECTRONIC:
            allowed |= Q(choice__isnull=True) & (Q(customer=True) | Q(business_contact=True))
        else:
            allowed |= Q(choice__isnull=True)
    audience: models.QuerySet[Any] = (
        _facts(purpose, chosen)
        .filter(is_restricted=False, objected=False, reachable=True)
        .filter(allowed)
        .annotate(
            basis=Case(
                When(choice=ConsentAction.GRANTED, then=Value(str(Basis.CONSENT))),
                When(
                    business_contact=True,
                    then=Value(
                        str(
                            Basis.BUSINESS_CONTACT
                            if chosen in ELECTRONIC
                            else Basis.LEGITIMATE_INTEREST
                        )
                    ),
                ),
                When(
                    customer=True,
                    then=Value(
                        str(Basis.CUSTOMER if chosen in ELECTRONIC else Basis.LEGITIMATE_INTEREST)
                    ),
                ),
                default=Value(str(Basis.LEGITIMATE_INTEREST)),
            ),
            address=Subquery(_address_rows(chosen).values("value")[:1]),
        )
    )
    return audience


@dataclass(frozen=True)
class Recipient:
    person_id: int
    first_name: str
    last_name: str
    address: str
    basis: str
    opt_out_url: str


def audience_page(
    *,
    actor: Actor,
    purpose: str,
    channel: str,
    after: int = 0,
    limit: int = 1000,
    language: str = "fi",
) -> list[Recipient]:
    """One page of the audience in id order, from after ``after``: keyset, never OFFSET.

    The purpose gate's check comes first (the actor must hold the purpose);
    every person handed out is audited as read for it.
    """
    purpose_require(actor=actor, purpose=purpose)
    rows = (
        marketing_audience(purpose=purpose, channel=channel)
        .filter(pk__gt=after)
        .order_by("pk")
        .values_list("pk", "first_name", "last_name", "address", "basis")[:limit]
    )
    found = [
        Recipient(pk, first, last, address, basis, opt_out_url(pk, purpose, channel, language))
        for pk, first, last, address, basis in rows
    ]
    if found:
        audit_record_many(
            actor=actor,
            event=AuditEvent.PERSON_READ,
            person_ids=[r.person_id for r in found],
            categories=["contact"],
            purpose=purpose,
            data={"audience": str(channel)},
        )
    return found


def audience_iter(
    *, actor: Actor, purpose: str, channel: str, page: int = 2000, language: str = "fi"
) -> Iterator[list[Recipient]]:
    after = 0
    while True:
        found = audience_page(
            actor=actor,
            purpose=purpose,
            channel=channel,
            after=after,
            limit=page,
            language=language,
        )
        if not found:
            return
        yield found
        after = found[-1].person_id


# --- The opt-out link every message carries ---------------------------------

_OPT_OUT_SALT = "rekisteri.consent.opt-out"
OPT_OUT_PATHS = {"fi": "/markkinointikielto/", "en": "/en/opt-out/"}


@dataclass(frozen=True)
class OptOut:
    person_id: int
    purpose: str
    channel: MarketingChannel


def opt_out_token(person_id: int, purpose: str, channel: str) -> str:
    """Signed, not secret: it holds ids only, and it works for as long as the key stays."""
    return signing.dumps([person_id, purpose, str(channel)], salt=_OPT_OUT_SALT)


def opt_out_url(person_id: int, purpose: str, channel: str, lang: str = "fi") -> str:
    return (
        settings.REKISTERI_BASE_URL
        + OPT_OUT_PATHS.get(lang, OPT_OUT_PATHS["fi"])
        + opt_out_token(person_id, purpose, channel)
    )


def opt_out_read(token: str) -> OptOut:
    try:
        person_id, purpose, channel = signing.loads(token[:300], salt=_OPT_OUT_SALT)
        return OptOut(int(person_id), str(purpose), MarketingChannel(channel))
    except (signing.BadSignature, ValueError, TypeError):
        raise InvalidInput("the opt-out link is not valid", data={"field": "token"}) from None
