"""A data subject with a history in every category, and a DPO to handle requests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
import time_machine

from rekisteri.core.actors import SYSTEM, Actor, ActorKind
from rekisteri.policy.schema import RecipientKind, SourceKind
from rekisteri.register import services as s
from rekisteri.register.disclosures import disclosure_record
from rekisteri.register.models import Person
from tests import policy_keys as keys
from tests.factories import country

DPO = Actor(
    ActorKind.STAFF,
    "7",
    purposes=frozenset({keys.relationship_purpose()}),
    sees_restricted=True,
    handles_requests=True,
    origin="test",
)
CUSTOMER_SERVICE = Actor(
    ActorKind.STAFF, "8", purposes=frozenset({keys.relationship_purpose()}), origin="test"
)
SUBJECT_EMAIL = "aino.virtanen@example.fi"
REGISTER_SET_UP = dt.datetime(2023, 6, 1, 9, 0, tzinfo=dt.UTC)
# A Finnish company's business id, checked by the controller's country's rule.
BUSINESS_IDS = {"FI": "2817330-9", "SE": "556036-0793"}


@dataclass
class Subject:
    person: Person
    other: Person

    @property
    def pk(self) -> int:
        return self.person.pk


def register_aino() -> Subject:
    """Aino, a Finn in Jyväskylä, with a datum in every category the policy collects."""
    policy = keys.policy()
    # Under another country's register she is a customer who lives in Finland.
    home = None if country() == "FI" else "FI"
    aino = s.person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=s.PersonIn(
            first_name="Aino",
            last_name="Virtanen",
            email=SUBJECT_EMAIL,
            phone="040 123 4567",
            address=s.AddressIn("Kauppakatu 39", "40100", "Jyväskylä", home),
            personal_identity_code=(
                "131052-308T" if keys.collects("person.personal_identity_code") else None
            ),
            birth_year=1952 if keys.collects("person.birth_year") else None,
            organisation=s.OrganisationIn(
                "Virtasen Puutarha Oy", BUSINESS_IDS.get(country()), "", "toimitusjohtaja"
            ),
        ),
        username="aino",
        password="kaunis lumi sataa hiljaa",
    )
    pid = aino.pk
    at = dt.datetime(2025, 3, 4, 10, 0, tzinfo=dt.UTC)
    s.customership_start(
        actor=SYSTEM, person_id=pid, source=keys.service_source(), started_on=dt.date(2024, 1, 2)
    )
    s.usage_event_record(
        actor=SYSTEM,
        person_id=pid,
        source=keys.usage_source(),
        action="report.opened",
        occurred_at=at,
    )
    s.web_visit_record(
        actor=SYSTEM,
        person_id=pid,
        source=keys.web_source(),
        ip_address="192.0.2.44",
        page="/hinnasto",
        occurred_at=at,
    )
    s.invoice_record(
        actor=SYSTEM,
        person_id=pid,
        source=keys.billing_source(),
        number="2025-0042",
        amount=Decimal("120.00"),
        issued_on=dt.date(2025, 3, 1),
        due_on=dt.date(2025, 3, 15),
        billing_name="Aino Virtanen",
        billing_address="Kauppakatu 39, 40100 Jyväskylä",
    )
    s.payment_record(
        actor=SYSTEM,
        person_id=pid,
        source=keys.billing_source(),
        amount=Decimal("120.00"),
        paid_at=at,
        method="card",
    )
    s.feedback_record(
        actor=SYSTEM,
        person_id=pid,
        source=keys.subject_source(),
        text=(
            "Aino Virtanen tässä, soittakaa 040 123 4567 tai aino.virtanen@example.fi. "
            "Raportti oli hyvä."
        ),
        rating=5,
        theme="raportit",
        given_at=at,
    )
    s.service_case_record(
        actor=SYSTEM,
        person_id=pid,
        source=keys.source_of("service_case.subject"),
        subject="Laskutus",
        description="Ainon lasku 2025-0042, IBAN FI21 1234 5600 0007 85",
        opened_at=at,
    )
    disclosure_record(
        actor=SYSTEM,
        recipient=next(
            k for k, r in policy.recipients.items() if r.kind == RecipientKind.PROCESSOR
        ),
        categories=[keys.contact_category()],
        person_ids=[pid],
        disclosed_on=dt.date(2025, 4, 1),
        reference="newsletter service",
    )
    other = s.person_register(
        actor=SYSTEM,
        source=keys.staff_source(),
        person=s.PersonIn(first_name="Bertta", last_name="Korhonen", email="bertta@example.fi"),
    )
    s.contact_event_record(
        actor=SYSTEM,
        person_id=other.pk,
        source=keys.source_of("contact_event.channel", SourceKind.STAFF),
        channel="phone",
        direction="in",
        summary="Kysyi kollegastaan Aino Virtanen (aino.virtanen@example.fi) ja laskusta.",
        occurred_at=at,
    )
    return Subject(person=aino, other=other)


@pytest.fixture
def aino(db: None) -> Subject:
    from rekisteri.policy.selectors import policy_loaded
    from rekisteri.policy.services import notice_version_record

    notice_version_record(loaded=policy_loaded())
    register_set_up()
    return register_aino()


def register_set_up() -> None:
    """The register was set up before the history the tests give people (``rekisteri
    setup`` made its identity then): a request may have arrived since, under any
    description, however recent the date its notice states."""
    from rekisteri.core.identity import register_identity

    with time_machine.travel(REGISTER_SET_UP, tick=False):
        register_identity()
