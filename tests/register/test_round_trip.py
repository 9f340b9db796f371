"""Every data category of the notice can be written and read back, with its provenance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from rekisteri.consent.services import consent_record
from rekisteri.core.actors import SYSTEM, Actor, ActorKind
from rekisteri.policy.selectors import policy_get
from rekisteri.register import services as s
from rekisteri.register.selectors import person_access, person_data
from tests import policy_keys as keys
from tests.factories import DeliveryFactory, country
from tests.rights.conftest import BUSINESS_IDS

pytestmark = pytest.mark.django_db


# What each write shows when read back, by the field it writes: only the fields the
# loaded description collects are written and looked for.
SHOWN = {
    "person.first_name": "Aino",
    "email_address.address": "aino@example.fi",
    "phone_number.number": "+358401234567",
    "postal_address.city": "Jyväskylä",
    "person.birth_year": "1952",
    "person.job_title": "toimitusjohtaja",
    "identity_verification.method": "bank_id",
    "user_content.title": "Raportti",
    "customership.ended_on": "2025-01-01",
    "usage_event.action": "report.open",
    "payment_card.last_four": "4242",
    "billing_account.e_invoice_address": "003712345678",
    "service_subscription.service": "Mainio Pro",
    "payment.amount": "49.90",
    "web_visit.ip_address": "192.0.2.7",
    "delivery.campaign": "kevät",
    "feedback.text": "Hyvä palvelu",
    "service_case.subject": "Salasana",
    "consented_datum.value": "suunnistus",
    "consent_event.action": "granted",
    "organisation.name": "Virtanen Oy",
}


def _one_of_everything() -> int:
    c = keys.collects
    person = s.person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=s.PersonIn(
            first_name="Aino",
            last_name="Virtanen",
            email="aino@example.fi",
            phone="0401234567",
            # A Finn, whichever country's register she is in.
            address=s.AddressIn("Kauppakatu 39", "40100", "Jyväskylä", "FI"),
            personal_identity_code="131052-308T" if c("person.personal_identity_code") else None,
            birth_year=1952 if c("person.birth_year") else None,
            gender="female" if c("person.gender") else "",
            job_title="toimitusjohtaja" if c("person.job_title") else "",
            organisation=s.OrganisationIn(
                "Virtanen Oy",
                BUSINESS_IDS.get(country()),
                "https://example.fi" if c("organisation.website") else "",
                "CEO",
            ),
        ),
        username="aino",
        password="kaunis lumi sataa hiljaa",
    )
    pid = person.pk
    base = {"actor": SYSTEM, "person_id": pid}
    if c("identity_verification.method"):
        s.identity_verification_record(
            **base, source=keys.service_source(), method="bank_id", result="success"
        )
    if c("user_content.title"):
        s.user_content_add(
            **base, source=keys.subject_source(), title="Raportti", url="https://example.fi/r/1"
        )
    started = s.customership_start(
        **base, source=keys.service_source(), started_on=dt.date(2024, 1, 1)
    )
    s.customership_end(**base, customership_id=started.pk, ended_on=dt.date(2025, 1, 1))
    s.usage_event_record(**base, source=keys.usage_source(), action="report.open")
    if c("payment_card.last_four"):
        s.payment_card_add(
            **base,
            source=keys.source_of("payment_card.last_four"),
            provider_token="tok_a1",
            brand="visa",
            last_four="4242",
            expires=dt.date(2028, 1, 31),
        )
    if c("billing_account.e_invoice_address"):
        s.billing_account_set(
            **base, source=keys.subject_source(), e_invoice_address="003712345678"
        )
    s.service_subscription_start(
        **base, source=keys.service_source_for("service_subscription.service"), service="Mainio Pro"
    )
    s.payment_record(**base, source=keys.billing_source(), amount=Decimal("49.90"))
    s.web_visit_record(**base, source=keys.web_source(), ip_address="192.0.2.7", page="/hinnasto")
    DeliveryFactory(**base, campaign="kevät")
    s.feedback_record(**base, source=keys.subject_source(), text="Hyvä palvelu", rating=5)
    s.service_case_record(**base, source=keys.staff_source(), subject="Salasana")
    if c("consented_datum.value"):
        s.consented_datum_add(
            **base, source=keys.subject_source(), label="harrastus", value="suunnistus"
        )
    # Purposes that rest on consent open only to a person who gave it.
    for scope in keys.consent_purposes() + [
        p for p in keys.marketing_purposes() if p == keys.consent_marketing_purpose()
    ]:
        consent_record(
            actor=SYSTEM,
            person_id=pid,
            scope=scope,
            action="granted",
            channel="portal",
            text=f"Suostun: {scope}",
        )
    return pid


def test_every_category_of_the_policy_round_trips_with_source_and_time() -> None:
    pid = _one_of_everything()
    everyone = Actor(
        ActorKind.STAFF, keys.request_role(), purposes=frozenset(policy_get().purposes)
    )

    data = person_data(
        person_access(actor=everyone, purpose=keys.relationship_purpose(), person_id=pid)
    )
    for purpose in policy_get().purposes:
        for category, rows in person_data(
            person_access(actor=everyone, purpose=purpose, person_id=pid)
        ).items():
            data.setdefault(category, rows)

    # Provenance is not a group of its own: every row carries its source and time.
    assert set(data) | {"provenance"} == set(policy_get().categories)
    assert all(row["source"] and row["stored_at"] for rows in data.values() for row in rows)
    values = {str(v) for rows in data.values() for row in rows for v in row.values()}
    for written in (shown for field, shown in SHOWN.items() if keys.collects(field)):
        assert written in values, written
    if keys.collects("person.personal_identity_code"):
        assert "131052-308T" not in values  # shown masked
        assert "131052-****" in values
    assert not any(v.startswith("argon2") for v in values)


def test_a_purpose_opens_only_its_categories() -> None:
    pid = _one_of_everything()
    marketer = Actor(ActorKind.STAFF, "m", purposes=frozenset({keys.marketing_purpose()}))

    data = person_data(
        person_access(actor=marketer, purpose=keys.marketing_purpose(), person_id=pid)
    )

    opened = {
        k for k, c in policy_get().categories.items() if keys.marketing_purpose() in c.purposes
    }
    assert set(data) == opened
    assert set(policy_get().categories) - opened
