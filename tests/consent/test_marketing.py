"""Who may be marketed to: each rule, their order, and the SQL and Python statements agreeing."""

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
from rekisteri.register import services as s
from rekisteri.register.models import Delivery, EmailAddress, Person
from rekisteri.retention.erasure import person_erase
from tests import policy_keys as keys

pytestmark = pytest.mark.django_db
SHOWN = "Haluan Mainioco Oy:n uutiskirjeen sähköpostiini."
_numbers = itertools.count(1)


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
            phone=f"040 555 {n:04d}" if phone else None,
            address=s.AddressIn("Hämeenkatu 1", "33100", "Tampere") if address else None,
            organisation=s.OrganisationIn(f"Yritys {n} Oy", "", "", "ostaja") if business else None,
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


def decision(person: Person, channel: str = "email", purpose: str = "marketing") -> str:
    return marketing_decisions(purpose=purpose, channel=channel, person_ids=[person.pk])[person.pk]


def in_audience(person: Person, channel: str = "email", purpose: str = "marketing") -> bool:
    return marketing_audience(purpose=purpose, channel=channel).filter(pk=person.pk).exists()


def test_email_to_a_private_person_needs_a_prior_consent() -> None:
    private = someone()
    assert decision(private) == Refusal.NO_CONSENT
    assert not in_audience(private)
    choose(private, "marketing:email", ConsentAction.GRANTED)
    assert decision(private) == Basis.CONSENT
    assert in_audience(private)
    # A consent to e-mail is not a consent to SMS.
    assert decision(private, "sms") == Refusal.NO_CONSENT


def test_a_customer_gets_email_until_they_opt_out() -> None:
    customer = someone(customer=True)
    assert decision(customer) == Basis.CUSTOMER
    assert decision(customer, "sms") == Basis.CUSTOMER
    choose(customer, "marketing:email", ConsentAction.WITHDRAWN)
    assert decision(customer) == Refusal.WITHDRAWN
    assert decision(customer, "sms") == Basis.CUSTOMER
    # The latest choice stands: a consent given later allows it again.
    choose(customer, "marketing", ConsentAction.GRANTED)
    assert decision(customer) == Basis.CONSENT


def test_a_business_contact_may_be_marketed_to_unless_they_refuse() -> None:
    contact = someone(business=True)
    assert decision(contact) == Basis.BUSINESS_CONTACT
    choose(contact, "marketing", ConsentAction.WITHDRAWN)
    assert decision(contact) == Refusal.WITHDRAWN
    assert decision(contact, "letter") == Refusal.WITHDRAWN


def test_letters_and_phone_calls_rest_on_legitimate_interest_until_refused() -> None:
    prospect = someone()
    assert decision(prospect, "letter") == Basis.LEGITIMATE_INTEREST
    assert decision(prospect, "phone") == Basis.LEGITIMATE_INTEREST
    choose(prospect, "marketing:letter", ConsentAction.WITHDRAWN)
    assert decision(prospect, "letter") == Refusal.WITHDRAWN
    assert decision(prospect, "phone") == Basis.LEGITIMATE_INTEREST


def test_a_purpose_that_rests_on_consent_needs_one_even_from_a_customer() -> None:
    customer = someone(customer=True, business=True)
    assert decision(customer, purpose="targeting") == Refusal.NO_CONSENT
    assert decision(customer, "letter", purpose="targeting") == Refusal.NO_CONSENT
    choose(customer, "targeting", ConsentAction.GRANTED)
    assert decision(customer, purpose="targeting") == Basis.CONSENT


def test_an_objection_beats_any_consent_on_every_direct_marketing_purpose() -> None:
    person = someone(customer=True)
    choose(person, "marketing:email", ConsentAction.GRANTED)
    choose(person, "targeting", ConsentAction.GRANTED)
    choose(person, "marketing", ConsentAction.OBJECTED)
    # A consent given after the objection does not undo it: only lifting does.
    choose(person, "marketing:email", ConsentAction.GRANTED)
    for channel in MarketingChannel:
        assert decision(person, channel) == Refusal.OBJECTED
        assert decision(person, channel, purpose="targeting") == Refusal.OBJECTED
    choose(person, "marketing", ConsentAction.LIFTED)
    assert decision(person) == Basis.CONSENT
    assert decision(person, purpose="targeting") == Basis.CONSENT


def test_an_objection_on_one_channel_stops_that_channel_only() -> None:
    customer = someone(customer=True)
    choose(customer, "targeting:sms", ConsentAction.OBJECTED)
    assert decision(customer, "sms") == Refusal.OBJECTED
    assert decision(customer, "email") == Basis.CUSTOMER


def test_a_restriction_beats_everything_even_an_objection() -> None:
    person = someone(customer=True)
    choose(person, "marketing", ConsentAction.GRANTED)
    s.person_restrict(actor=SYSTEM, person_id=person.pk)
    assert decision(person) == Refusal.RESTRICTED
    choose(person, "marketing", ConsentAction.OBJECTED)
    assert decision(person) == Refusal.RESTRICTED
    assert not in_audience(person)


def test_nobody_is_selected_on_a_channel_they_have_no_address_on() -> None:
    customer = someone(customer=True, phone=False)
    assert decision(customer, "sms") == Refusal.NO_ADDRESS
    assert decision(customer, "email") == Basis.CUSTOMER
    # The law comes first: a refusal says why, not that no address is known.
    assert decision(someone(phone=False), "sms") == Refusal.NO_CONSENT


def test_the_audience_query_and_the_rules_agree_on_everyone() -> None:
    people = [
        someone(),
        someone(customer=True),
        someone(business=True),
        someone(customer=True, email=False),
        someone(address=False, phone=False),
    ]
    choose(people[0], "marketing:sms", ConsentAction.GRANTED)
    choose(people[1], "marketing:email", ConsentAction.WITHDRAWN)
    choose(people[2], "targeting", ConsentAction.GRANTED)
    choose(people[2], "marketing:letter", ConsentAction.OBJECTED)
    choose(people[3], "marketing", ConsentAction.OBJECTED)
    choose(people[3], "marketing", ConsentAction.LIFTED)
    restricted = someone(customer=True)
    s.person_restrict(actor=SYSTEM, person_id=restricted.pk)
    forgotten = someone(customer=True)
    person_erase(actor=SYSTEM, person_id=forgotten.pk, reason="test")
    ids = [p.pk for p in [*people, restricted]]
    for purpose, channel in itertools.product(("marketing", "targeting"), MarketingChannel):
        decided = marketing_decisions(purpose=purpose, channel=channel, person_ids=ids)
        expected = {pid for pid, d in decided.items() if isinstance(d, Basis)}
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


def test_a_delivery_is_recorded_only_where_the_rules_allow_it_at_sending_time() -> None:
    customer, objector, stranger = someone(customer=True), someone(customer=True), someone()
    restricted = someone(customer=True)
    drawn = set(
        marketing_audience(purpose=keys.marketing_purpose(), channel="email").values_list(
            "pk", flat=True
        )
    )
    assert {customer.pk, objector.pk, restricted.pk} <= drawn
    # Between drawing the audience and sending, one objects and one is restricted.
    choose(objector, "marketing", ConsentAction.OBJECTED)
    s.person_restrict(actor=SYSTEM, person_id=restricted.pk)

    sender = Actor(ActorKind.SYSTEM, "sender", purposes=frozenset({keys.marketing_purpose()}))

    result = deliveries_record(
        actor=sender,
        purpose=keys.marketing_purpose(),
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
    token = opt_out_token(customer.pk, "marketing", "email")
    first = marketing_opt_out(actor=SYSTEM, token=token)
    again = marketing_opt_out(actor=SYSTEM, token=token)
    assert (first.recorded, again.recorded) == (True, False)
    assert decision(customer, "email") == Refusal.OBJECTED
    assert decision(customer, "sms") == Basis.CUSTOMER
    marketing_opt_out(actor=SYSTEM, token=token, everywhere=True)
    assert decision(customer, "sms") == Refusal.OBJECTED

    other = someone(customer=True)
    forged = opt_out_token(other.pk, "marketing", "email")[:-2] + "xx"
    with pytest.raises(InvalidInput):
        marketing_opt_out(actor=SYSTEM, token=forged)
    assert not ConsentEvent.objects.filter(person_id=other.pk).exists()


def test_the_purpose_gate_closes_a_purpose_the_person_objected_to_or_never_consented_to() -> None:
    from rekisteri.core.errors import NotFound
    from rekisteri.register.selectors import people_search, person_access

    staff = Actor(
        ActorKind.STAFF,
        "9",
        purposes=frozenset({keys.marketing_purpose(), "targeting", keys.relationship_purpose()}),
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

    assert opens("marketing")
    assert found("marketing")
    # Targeting rests on consent: closed until she gives it, and again once withdrawn.
    assert not opens("targeting")
    choose(person, "targeting:email", ConsentAction.GRANTED)
    assert opens("targeting")
    choose(person, "targeting:email", ConsentAction.WITHDRAWN)
    assert not opens("targeting")
    choose(person, "targeting", ConsentAction.GRANTED)
    assert opens("targeting")

    # An objection to direct marketing closes every direct-marketing purpose, not the rest.
    choose(person, "marketing", ConsentAction.OBJECTED)
    assert (opens("marketing"), opens("targeting"), opens(keys.relationship_purpose())) == (
        False,
        False,
        True,
    )
    assert not found("marketing")
    assert found(keys.relationship_purpose())
    # One channel's prohibition does not close the purpose: other channels stay open.
    choose(person, "marketing", ConsentAction.LIFTED)
    choose(person, "marketing:sms", ConsentAction.OBJECTED)
    assert opens("marketing")
