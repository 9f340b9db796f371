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

pytestmark = pytest.mark.django_db


def _one_of_everything() -> int:
    person = s.person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=s.PersonIn(
            first_name="Aino",
            last_name="Virtanen",
            email="aino@example.fi",
            phone="0401234567",
            address=s.AddressIn("Kauppakatu 39", "40100", "Jyväskylä"),
            personal_identity_code="131052-308T",
            birth_year=1952,
            gender="female",
            job_title="toimitusjohtaja",
            organisation=s.OrganisationIn("Virtanen Oy", "2817330-9", "https://example.fi", "CEO"),
        ),
        username="aino",
        password="kaunis lumi sataa hiljaa",
    )
    pid = person.pk
    base = {"actor": SYSTEM, "person_id": pid}
    s.identity_verification_record(
        **base, source=keys.service_source(), method="bank_id", result="success"
    )
    s.user_content_add(
        **base, source=keys.subject_source(), title="Raportti", url="https://example.fi/r/1"
    )
    c = s.customership_start(**base, source=keys.service_source(), started_on=dt.date(2024, 1, 1))
    s.customership_end(**base, customership_id=c.pk, ended_on=dt.date(2025, 1, 1))
    s.usage_event_record(**base, source=keys.service_source(), action="report.open")
    s.payment_card_add(
        **base,
        source=keys.billing_source(),
        provider_token="tok_a1",
        brand="visa",
        last_four="4242",
        expires=dt.date(2028, 1, 31),
    )
    s.billing_account_set(**base, source=keys.subject_source(), e_invoice_address="003712345678")
    s.service_subscription_start(**base, source=keys.service_source(), service="Mainio Pro")
    s.payment_record(**base, source=keys.billing_source(), amount=Decimal("49.90"))
    s.web_visit_record(**base, source=keys.web_source(), ip_address="192.0.2.7", page="/hinnasto")
    s.delivery_record(**base, source=keys.marketing_source(), channel="email", campaign="kevät")
    s.feedback_record(**base, source=keys.subject_source(), text="Hyvä palvelu", rating=5)
    s.service_case_record(**base, source=keys.staff_source(), subject="Salasana")
    s.consented_datum_add(
        **base, source=keys.subject_source(), label="harrastus", value="suunnistus"
    )
    # Purposes that rest on consent open only to a person who gave it.
    for scope in ("targeting", "research"):
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
    for written in (
        "Aino",
        "aino@example.fi",
        "+358401234567",
        "Jyväskylä",
        "1952",
        "toimitusjohtaja",
        "bank_id",
        "Raportti",
        "2025-01-01",
        "report.open",
        "4242",
        "003712345678",
        "Mainio Pro",
        "49.90",
        "192.0.2.7",
        "kevät",
        "Hyvä palvelu",
        "Salasana",
        "suunnistus",
        "granted",
        "Virtanen Oy",
    ):
        assert written in values, written
    assert "131052-308T" not in values  # shown masked
    assert "131052-****" in values
    assert not any(v.startswith("argon2") for v in values)


def test_a_purpose_opens_only_its_categories() -> None:
    pid = _one_of_everything()
    marketer = Actor(ActorKind.STAFF, "m", purposes=frozenset({keys.marketing_purpose()}))

    data = person_data(
        person_access(actor=marketer, purpose=keys.marketing_purpose(), person_id=pid)
    )

    opened = {k for k, c in policy_get().categories.items() if "marketing" in c.purposes}
    assert set(data) == opened
    assert "demographics" not in data
