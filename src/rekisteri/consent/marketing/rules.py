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

They are stated once, as an ordered list of ``Rule`` lines over database
expressions (``marketing_rules``). From that one list come the decision for a
person (``marketing_decisions``: a CASE, with the reason of a refusal) and the
audience (``audience_of``: one set-based query laid on the people the register's
purpose gate lets through; ``audiences.py`` reads and hands it out).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.db import models
from django.db.models import Exists, OuterRef, Q

from rekisteri.consent.models import ConsentAction, ConsentEvent
from rekisteri.core.actors import Actor

# Re-exported: the channels direct marketing uses were named here before core had them.
from rekisteri.core.channels import MarketingChannel as MarketingChannel
from rekisteri.core.channels import channel_parse
from rekisteri.core.errors import Forbidden, InvalidInput
from rekisteri.policy.schema import LegalBasis
from rekisteri.policy.selectors import policy_get
from rekisteri.register import facts
from rekisteri.register.gate import people_decide, purpose_exclusion

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


def direct_marketing_purposes() -> list[str]:
    return [key for key, p in policy_get().purposes.items() if p.direct_marketing]


def own_marketing_purpose() -> str | None:
    """The purpose of marketing the company's own services: the direct-marketing purpose
    that rests on legitimate interest, else (marketing on consent only) the first
    direct-marketing purpose. Objections to direct marketing are recorded on it, and it
    is the one the portal's channel choices serve. None where the policy does no direct
    marketing at all.

    An objection on it closes every direct-marketing purpose (rule 2), so the right
    to object (Art. 21(2)-(3)) never depends on how the policy's purposes rest.
    """
    purposes = policy_get().purposes
    direct = direct_marketing_purposes()
    on_interest = [p for p in direct if purposes[p].legal_basis == LegalBasis.LEGITIMATE_INTEREST]
    chosen = on_interest or direct
    return chosen[0] if chosen else None


def marketing_purpose_of(actor: Actor) -> str:
    """The direct-marketing purpose an actor records its messages for: the company's own
    marketing if it holds that, else the first direct-marketing purpose it holds."""
    held = [p for p in direct_marketing_purposes() if p in actor.purposes]
    if not held:
        raise Forbidden(
            "this client holds no direct-marketing purpose of the policy",
            data={"purposes": direct_marketing_purposes()},
        )
    purposes = policy_get().purposes
    own = [p for p in held if purposes[p].legal_basis == LegalBasis.LEGITIMATE_INTEREST]
    return (own or held)[0]


def channel_require(channel: str) -> MarketingChannel:
    return channel_parse(channel, MarketingChannel)


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
def people_objected_or_not_consented(purpose: str) -> Q | None:
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
    closed = Q(pk__in=objected.values("person_id"))
    if policy.purposes[purpose].legal_basis != LegalBasis.CONSENT:
        return closed
    consenting = (
        ConsentEvent.objects.filter(action=ConsentAction.GRANTED)
        .filter(Q(scope=purpose) | Q(scope__startswith=f"{purpose}:"))
        .exclude(Exists(_later_on_same_scope(ConsentAction.WITHDRAWN)))
        .filter(person_id=OuterRef("pk"))
    )
    # NOT EXISTS, not NOT IN: the latter is a scan per person once the set of
    # consenting people outgrows PostgreSQL's working memory.
    return closed | ~Q(Exists(consenting))


# The declared field of each channel's address: what an audience reads and reaches.
ADDRESS_FIELDS = {
    MarketingChannel.EMAIL: "email_address.address",
    MarketingChannel.SMS: "phone_number.number",
    MarketingChannel.PHONE: "phone_number.number",
    MarketingChannel.LETTER: "postal_address.street_address",
}


def _latest_choice_is(action: ConsentAction, purpose: str, channel: MarketingChannel) -> Q:
    """Rule 3's fact: the person's latest choice for the purpose, on the channel or
    as a whole, is ``action`` (ordered by time, then by the ledger's order)."""
    scopes = [purpose, f"{purpose}:{channel}"]
    choices = [ConsentAction.GRANTED, ConsentAction.WITHDRAWN]
    later = ConsentEvent.objects.filter(
        person_id=OuterRef("person_id"), scope__in=scopes, action__in=choices
    ).filter(
        Q(occurred_at__gt=OuterRef("occurred_at"))
        | Q(occurred_at=OuterRef("occurred_at"), pk__gt=OuterRef("pk"))
    )
    return Q(
        Exists(
            ConsentEvent.objects.filter(
                person_id=OuterRef("pk"), scope__in=scopes, action=action
            ).exclude(Exists(later))
        )
    )


@dataclass(frozen=True)
class Rule:
    """One line of the rules: where ``when`` holds, and no earlier line's did, ``then``
    decides. The last line has no ``when``: it decides for everyone left."""

    when: Q | None
    then: Basis | Refusal


def marketing_rules(purpose: str, channel: MarketingChannel) -> list[Rule]:
    """Rules 1-4 of the module docstring for a purpose and channel, in their order.
    Rule 5 (an address on the channel) holds of every basis: ``reachable``."""
    rules = [
        Rule(facts.is_restricted(), Refusal.RESTRICTED),
        Rule(Q(objection_in_force(channel)), Refusal.OBJECTED),
        Rule(_latest_choice_is(ConsentAction.WITHDRAWN, purpose, channel), Refusal.WITHDRAWN),
        Rule(_latest_choice_is(ConsentAction.GRANTED, purpose, channel), Basis.CONSENT),
    ]
    if policy_get().purposes[purpose].legal_basis == LegalBasis.CONSENT:
        return [*rules, Rule(None, Refusal.NO_CONSENT)]
    if channel in ELECTRONIC:
        return [
            *rules,
            Rule(Q(facts.is_business_contact()), Basis.BUSINESS_CONTACT),
            Rule(Q(facts.is_customer()), Basis.CUSTOMER),
            Rule(None, Refusal.NO_CONSENT),
        ]
    return [*rules, Rule(None, Basis.LEGITIMATE_INTEREST)]


def reachable(channel: MarketingChannel) -> Q:
    """Rule 5: the person has an address on the channel."""
    return Q(facts.holds(ADDRESS_FIELDS[channel]))


@dataclass(frozen=True)
class _Lines:
    """The rules cut where the database wants them: the leading refusals, which apply
    to everyone and become plain exclusions (anti-joins, one pass over each table),
    and the lines after them, with the condition under which one of those gives a
    basis (None: all of them do)."""

    refusals: list[Rule]
    rest: list[Rule]
    basis: Q | None


def _lines(rules: list[Rule]) -> _Lines:
    lead = 0
    while isinstance(rules[lead].then, Refusal) and rules[lead].when is not None:
        lead += 1
    rest = rules[lead:]
    # A basis line gives the basis when no refusal line before it holds; an earlier
    # basis line that holds gives one as well, so only refusals need be negated.
    basis: Q | None = Q(pk__in=[])
    refused = Q()
    for rule in rest:
        if isinstance(rule.then, Refusal):
            if rule.when is None:
                break
            refused &= ~rule.when
        elif rule.when is None:
            basis = None if not refused else basis | refused  # type: ignore[operator]
            break
        else:
            basis = basis | (refused & rule.when)  # type: ignore[operator]
    return _Lines(rules[:lead], rest, basis)


def _case(rules: list[Rule]) -> models.Case:
    *lines, last = rules
    return models.Case(
        *[models.When(rule.when, then=models.Value(str(rule.then))) for rule in lines],
        default=models.Value(str(last.then)),
        output_field=models.CharField(),
    )


def _decision(purpose: str, channel: MarketingChannel) -> models.Case:
    """The first line that holds, as one CASE: a Basis, or the Refusal that says why not."""
    cut = _lines(marketing_rules(purpose, channel))
    unreachable = ~reachable(channel) if cut.basis is None else ~reachable(channel) & cut.basis
    return _case([*cut.refusals, Rule(unreachable, Refusal.NO_ADDRESS), *cut.rest])


def marketing_decisions(
    *, purpose: str, channel: str, person_ids: list[int]
) -> dict[int, Basis | Refusal]:
    """The decision for each of these people, by the rules, with the reason of a refusal."""
    purpose_require_direct_marketing(purpose)
    decision = _decision(purpose, channel_require(channel))
    decided = people_decide(person_ids=person_ids, decision=decision)
    return {pk: _outcome(value) for pk, value in decided.items()}


def _outcome(value: str) -> Basis | Refusal:
    return Basis(value) if value in Basis._value2member_map_ else Refusal(value)


def audience_of(
    people: models.QuerySet[Any], purpose: str, channel: MarketingChannel
) -> models.QuerySet[Any]:
    """The people of ``people`` the rules admit, each with the basis they are admitted on."""
    cut = _lines(marketing_rules(purpose, channel))
    admitted = reachable(channel)
    for rule in cut.refusals:
        admitted &= ~rule.when  # type: ignore[operator]
    if cut.basis is not None:
        admitted &= cut.basis
    chosen: models.QuerySet[Any] = people.filter(admitted).annotate(basis=_case(cut.rest))
    return chosen
