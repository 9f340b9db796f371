"""Who may be marketed to: each rule, their order, and the SQL and Python statements agreeing.

The purposes are the loaded description's: its own marketing (``keys.marketing_purpose``,
on legitimate interest where it relies on one) and, where it has one, a direct-marketing
purpose that rests on consent alone.
"""

from __future__ import annotations

import itertools

import pytest

from rekisteri.audit.models import AuditEntry, AuditEvent
from rekisteri.consent.marketing import (
    Basis,
    MarketingChannel,
    Refusal,
    audience_gate,
    audience_rows,
    marketing_audience,
    marketing_decisions,
    opt_out_token,
)
from rekisteri.consent.models import ConsentAction, ConsentEvent
from rekisteri.consent.selectors import deliveries_despite_objection, deliveries_while_restricted
from rekisteri.consent.services import consent_record, deliveries_record, marketing_opt_out
from rekisteri.core.actors import SYSTEM, Actor, ActorKind
from rekisteri.core.errors import InvalidInput
from rekisteri.policy.schema import LegalBasis
from rekisteri.register import services as s
from rekisteri.register.models import Delivery, EmailAddress, Person
from rekisteri.retention.erasure import person_erase
from tests import policy_keys as keys
from tests.factories import AddressFactory, local_phone

pytestmark = pytest.mark.django_db
SHOWN = "Haluan uutiskirjeen sähköpostiini."
_numbers = itertools.count(1)


def own() -> str:
    """The company's own marketing: objections are recorded on it."""
    return keys.marketing_purpose()


def on_consent_alone() -> str:
    """A direct-marketing purpose that needs a consent even from a customer."""
    found = keys.consent_marketing_purpose()
    assert found is not None, "a description markets on consent, or its own marketing does"
    return found


def on_interest() -> bool:
    """Whether the company markets its own services on legitimate interest: then a
    customer or a business contact may be marketed to until they refuse (soft opt-in)."""
    return keys.policy().purposes[own()].legal_basis == LegalBasis.LEGITIMATE_INTEREST


def someone(
    *,
    customer: bool = False,
    business: bool = False,
    email: bool = True,
    phone: bool = True,
    address: bool = True,
) -> Person:
    n = next(_numbers)
    person = s.person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=s.PersonIn(
            first_name="Testi",
            last_name=f"Henkilö{n}",
            email=f"testi{n}@example.fi" if email else None,
            phone=local_phone() if phone else None,
            address=AddressFactory() if address else None,
            organisation=s.OrganisationIn(f"Yritys {n}", "", "", "ostaja") if business else None,
        ),
    )
    if customer:
        s.customership_start(actor=SYSTEM, person_id=person.pk, source=keys.service_source())
    return person


def choose(person: Person, scope: str, action: ConsentAction) -> None:
    consent_record(
        actor=SYSTEM,
        person_id=person.pk,
        scope=scope,
        action=action,
        channel="portal",
        text=SHOWN if action == ConsentAction.GRANTED else "",
    )


def decision(person: Person, channel: str = "email", purpose: str = "") -> str:
    purpose = purpose or own()
    return marketing_decisions(purpose=purpose, channel=channel, person_ids=[person.pk])[person.pk]


def in_audience(person: Person, channel: str = "email", purpose: str = "") -> bool:
    purpose = purpose or own()
    return marketing_audience(purpose=purpose, channel=channel).filter(pk=person.pk).exists()


def asked_where_needed(person: Person) -> None:
    """Where the company markets on consent alone, ``person`` asks for its marketing:
    being a customer or a business contact is no consent there (rule 4)."""
    if not on_interest():
        for channel in MarketingChannel:
            assert decision(person, channel) == Refusal.NO_CONSENT
        choose(person, own(), ConsentAction.GRANTED)


def test_email_to_a_private_person_needs_a_prior_consent() -> None:
    private = someone()
    assert decision(private) == Refusal.NO_CONSENT
    assert not in_audience(private)
    choose(private, f"{own()}:email", ConsentAction.GRANTED)
    assert decision(private) == Basis.CONSENT
    assert in_audience(private)
    # A consent to e-mail is not a consent to SMS.
    assert decision(private, "sms") == Refusal.NO_CONSENT


def test_a_customer_gets_email_until_they_opt_out() -> None:
    customer = someone(customer=True)
    asked_where_needed(customer)
    allowed = Basis.CUSTOMER if on_interest() else Basis.CONSENT
    assert decision(customer) == allowed
    assert decision(customer, "sms") == allowed
    choose(customer, f"{own()}:email", ConsentAction.WITHDRAWN)
    assert decision(customer) == Refusal.WITHDRAWN
    assert decision(customer, "sms") == allowed
    # The latest choice stands: a consent given later allows it again.
    choose(customer, own(), ConsentAction.GRANTED)
    assert decision(customer) == Basis.CONSENT


def test_a_business_contact_may_be_marketed_to_unless_they_refuse() -> None:
    contact = someone(business=True)
    asked_where_needed(contact)
    assert decision(contact) == (Basis.BUSINESS_CONTACT if on_interest() else Basis.CONSENT)
    choose(contact, own(), ConsentAction.WITHDRAWN)
    assert decision(contact) == Refusal.WITHDRAWN
    assert decision(contact, "letter") == Refusal.WITHDRAWN


def test_letters_and_phone_calls_rest_on_legitimate_interest_until_refused() -> None:
    prospect = someone()
    asked_where_needed(prospect)
    allowed = Basis.LEGITIMATE_INTEREST if on_interest() else Basis.CONSENT
    assert decision(prospect, "letter") == allowed
    assert decision(prospect, "phone") == allowed
    choose(prospect, f"{own()}:letter", ConsentAction.WITHDRAWN)
    assert decision(prospect, "letter") == Refusal.WITHDRAWN
    assert decision(prospect, "phone") == allowed


def test_a_purpose_that_rests_on_consent_needs_one_even_from_a_customer() -> None:
    customer = someone(customer=True, business=True)
    assert decision(customer, purpose=on_consent_alone()) == Refusal.NO_CONSENT
    assert decision(customer, "letter", purpose=on_consent_alone()) == Refusal.NO_CONSENT
    choose(customer, on_consent_alone(), ConsentAction.GRANTED)
    assert decision(customer, purpose=on_consent_alone()) == Basis.CONSENT


def test_an_objection_beats_any_consent_on_every_direct_marketing_purpose() -> None:
    person = someone(customer=True)
    choose(person, f"{own()}:email", ConsentAction.GRANTED)
    choose(person, on_consent_alone(), ConsentAction.GRANTED)
    choose(person, own(), ConsentAction.OBJECTED)
    # A consent given after the objection does not undo it: only lifting does.
    choose(person, f"{own()}:email", ConsentAction.GRANTED)
    for channel in MarketingChannel:
        for purpose in keys.marketing_purposes():
            assert decision(person, channel, purpose=purpose) == Refusal.OBJECTED
    choose(person, own(), ConsentAction.LIFTED)
    assert decision(person) == Basis.CONSENT
    assert decision(person, purpose=on_consent_alone()) == Basis.CONSENT


def test_an_objection_on_one_channel_stops_that_channel_only() -> None:
    customer = someone(customer=True)
    asked_where_needed(customer)
    # Made on the purpose that rests on consent, it stops the company's own marketing too.
    choose(customer, f"{on_consent_alone()}:sms", ConsentAction.OBJECTED)
    assert decision(customer, "sms") == Refusal.OBJECTED
    assert decision(customer, "email") == (Basis.CUSTOMER if on_interest() else Basis.CONSENT)


def test_a_restriction_beats_everything_even_an_objection() -> None:
    person = someone(customer=True)
    choose(person, own(), ConsentAction.GRANTED)
    assert in_audience(person)
    s.person_restrict(actor=SYSTEM, person_id=person.pk)
    assert decision(person) == Refusal.RESTRICTED
    choose(person, own(), ConsentAction.OBJECTED)
    assert decision(person) == Refusal.RESTRICTED
    assert not in_audience(person)


def test_nobody_is_selected_on_a_channel_they_have_no_address_on() -> None:
    customer = someone(customer=True, phone=False)
    asked_where_needed(customer)
    assert decision(customer, "sms") == Refusal.NO_ADDRESS
    assert decision(customer, "email") == (Basis.CUSTOMER if on_interest() else Basis.CONSENT)
    # The law comes first: a refusal says why, not that no address is known.
    assert decision(someone(phone=False), "sms") == Refusal.NO_CONSENT


def test_the_audience_query_and_the_rules_agree_on_everyone() -> None:
    people = [
        someone(),
        someone(customer=True),
        someone(business=True),
        someone(customer=True, email=False),
        someone(address=False, phone=False),
        someone(customer=True),
    ]
    choose(people[0], f"{own()}:sms", ConsentAction.GRANTED)
    choose(people[1], f"{own()}:email", ConsentAction.WITHDRAWN)
    choose(people[2], on_consent_alone(), ConsentAction.GRANTED)
    choose(people[2], f"{own()}:letter", ConsentAction.OBJECTED)
    choose(people[3], own(), ConsentAction.OBJECTED)
    choose(people[3], own(), ConsentAction.LIFTED)
    choose(people[5], own(), ConsentAction.GRANTED)
    restricted = someone(customer=True)
    choose(restricted, own(), ConsentAction.GRANTED)
    s.person_restrict(actor=SYSTEM, person_id=restricted.pk)
    forgotten = someone(customer=True)
    choose(forgotten, own(), ConsentAction.GRANTED)
    person_erase(actor=SYSTEM, person_id=forgotten.pk, reason="test")
    ids = [p.pk for p in [*people, restricted]]
    reached: set[int] = set()
    for purpose, channel in itertools.product(keys.marketing_purposes(), MarketingChannel):
        decided = marketing_decisions(purpose=purpose, channel=channel, person_ids=ids)
        expected = {pid for pid, d in decided.items() if isinstance(d, Basis)}
        reached |= expected
        marketer = Actor(ActorKind.SYSTEM, "marketing-tool", purposes=frozenset({purpose}))
        read = audience_gate(actor=marketer, purpose=purpose, channel=channel)
        rows = audience_rows(read, channel=channel, limit=1000)
        selected = {pid: basis for pid, _, _, _, basis in rows}
        assert set(selected) == expected, (purpose, channel)
        audience = marketing_audience(purpose=purpose, channel=channel)
        assert set(audience.values_list("pk", flat=True)) == expected
        # Read a few ids at a time, page by page, the audience is the same.
        paged, after = [], 0
        while page := audience_rows(read, channel=channel, after=after, limit=2, span=3):
            paged += page
            after = page[-1][0]
        assert paged == rows
        assert selected == {pid: str(decided[pid]) for pid in expected}
        assert forgotten.pk not in selected
    # The rules had someone to select, under any description.
    assert {people[0].pk, people[5].pk} <= reached


def test_a_delivery_is_recorded_only_where_the_rules_allow_it_at_sending_time() -> None:
    customer, objector, stranger = someone(customer=True), someone(customer=True), someone()
    restricted = someone(customer=True)
    for person in (customer, objector, restricted):
        asked_where_needed(person)
    drawn = set(marketing_audience(purpose=own(), channel="email").values_list("pk", flat=True))
    assert {customer.pk, objector.pk, restricted.pk} <= drawn
    assert stranger.pk not in drawn
    # Between drawing the audience and sending, one objects and one is restricted.
    choose(objector, own(), ConsentAction.OBJECTED)
    s.person_restrict(actor=SYSTEM, person_id=restricted.pk)

    sender = Actor(ActorKind.SYSTEM, "sender", purposes=frozenset({own()}))

    result = deliveries_record(
        actor=sender,
        purpose=own(),
        channel="email",
        campaign="Syyskampanja 2026",
        person_ids=[customer.pk, objector.pk, stranger.pk, restricted.pk, 10**9],
    )
    assert result.recorded == [customer.pk]
    # The caller is told nothing of why: each refused id reads as an unknown one.
    assert result.refused == dict.fromkeys(
        [objector.pk, stranger.pk, restricted.pk, 10**9], "not_found"
    )
    # The audit trail says why, for each.
    assert {
        e.person_id: e.data["refused"]
        for e in AuditEntry.objects.filter(event=AuditEvent.PERSON_READ_REFUSED)
    } == {
        objector.pk: "objected",
        stranger.pk: "no_consent",
        restricted.pk: "restricted",
        10**9: "not_found",
    }
    assert list(Delivery.objects.values_list("person_id", "campaign")) == [
        (customer.pk, "Syyskampanja 2026")
    ]
    assert deliveries_despite_objection() == 0
    assert deliveries_while_restricted() == 0


def test_the_opt_out_link_stops_the_channel_once_and_a_forged_one_changes_nothing() -> None:
    customer = someone(customer=True)
    asked_where_needed(customer)
    allowed = decision(customer, "sms")
    assert isinstance(allowed, Basis)
    token = opt_out_token(customer.pk, own(), "email")
    first = marketing_opt_out(actor=SYSTEM, token=token)
    again = marketing_opt_out(actor=SYSTEM, token=token)
    assert (first.recorded, again.recorded) == (True, False)
    assert decision(customer, "email") == Refusal.OBJECTED
    assert decision(customer, "sms") == allowed
    marketing_opt_out(actor=SYSTEM, token=token, everywhere=True)
    assert decision(customer, "sms") == Refusal.OBJECTED

    other = someone(customer=True)
    forged = opt_out_token(other.pk, own(), "email")[:-2] + "xx"
    with pytest.raises(InvalidInput):
        marketing_opt_out(actor=SYSTEM, token=forged)
    assert not ConsentEvent.objects.filter(person_id=other.pk).exists()


def test_the_purpose_gate_closes_a_purpose_the_person_objected_to_or_never_consented_to() -> None:
    from rekisteri.core.errors import NotFound
    from rekisteri.register.selectors import people_search, person_access

    relationship = keys.relationship_purpose()
    staff = Actor(
        ActorKind.STAFF,
        "9",
        purposes=frozenset({own(), on_consent_alone(), relationship}),
    )
    person = someone(customer=True)

    def opens(purpose: str) -> bool:
        try:
            person_access(actor=staff, purpose=purpose, person_id=person.pk)
        except NotFound:
            return False
        return True

    def found(purpose: str) -> bool:
        email = EmailAddress.objects.get(person_id=person.pk).address
        hits = people_search(actor=staff, purpose=purpose, query=email)
        return person.pk in [h.person_id for h in hits]

    # The company's own marketing on legitimate interest is open to its customer.
    assert opens(own()) == on_interest()
    # A purpose on consent alone: closed until she gives it, and again once withdrawn.
    assert not opens(on_consent_alone())
    choose(person, f"{on_consent_alone()}:email", ConsentAction.GRANTED)
    assert opens(on_consent_alone())
    choose(person, f"{on_consent_alone()}:email", ConsentAction.WITHDRAWN)
    assert not opens(on_consent_alone())
    choose(person, on_consent_alone(), ConsentAction.GRANTED)
    assert opens(on_consent_alone())
    assert opens(own())
    assert found(own())

    # An objection to direct marketing closes every direct-marketing purpose, not the rest.
    choose(person, own(), ConsentAction.OBJECTED)
    assert (opens(own()), opens(on_consent_alone()), opens(relationship)) == (
        False,
        False,
        True,
    )
    assert not found(own())
    assert found(relationship)
    # One channel's prohibition does not close the purpose: other channels stay open.
    choose(person, own(), ConsentAction.LIFTED)
    choose(person, f"{own()}:sms", ConsentAction.OBJECTED)
    assert opens(own())
