"""A data subject with a history in every category, and a DPO to handle requests."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest

from rekisteri.core.actors import SYSTEM, Actor, ActorKind
from rekisteri.register import services as s
from rekisteri.register.disclosures import disclosure_record
from rekisteri.register.models import Person

DPO = Actor(
    ActorKind.STAFF,
    "7",
    purposes=frozenset({"customer_relationship"}),
    sees_restricted=True,
    handles_requests=True,
    origin="test",
)
CUSTOMER_SERVICE = Actor(
    ActorKind.STAFF, "8", purposes=frozenset({"customer_relationship"}), origin="test"
)
SUBJECT_EMAIL = "aino.virtanen@example.fi"


@dataclass
class Subject:
    person: Person
    other: Person

    @property
    def pk(self) -> int:
        return self.person.pk


def register_aino() -> Subject:
    aino = s.person_register(
        actor=SYSTEM,
        source="subject",
        person=s.PersonIn(
            first_name="Aino",
            last_name="Virtanen",
            email=SUBJECT_EMAIL,
            phone="040 123 4567",
            address=s.AddressIn("Kauppakatu 39", "40100", "Jyväskylä"),
            personal_identity_code="131052-308T",
            birth_year=1952,
            organisation=s.OrganisationIn(
                "Virtasen Puutarha Oy", "2817330-9", "", "toimitusjohtaja"
            ),
        ),
        username="aino",
        password="kaunis lumi sataa hiljaa",
    )
    pid = aino.pk
    at = dt.datetime(2025, 3, 4, 10, 0, tzinfo=dt.UTC)
    s.customership_start(
        actor=SYSTEM, person_id=pid, source="analysis_service", started_on=dt.date(2024, 1, 2)
    )
    s.usage_event_record(
        actor=SYSTEM,
        person_id=pid,
        source="analysis_service",
        action="report.opened",
        occurred_at=at,
    )
    s.web_visit_record(
        actor=SYSTEM,
        person_id=pid,
        source="cookies",
        ip_address="192.0.2.44",
        page="/hinnasto",
        occurred_at=at,
    )
    s.invoice_record(
        actor=SYSTEM,
        person_id=pid,
        source="service_providers",
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
        source="service_providers",
        amount=Decimal("120.00"),
        paid_at=at,
        method="card",
    )
    s.feedback_record(
        actor=SYSTEM,
        person_id=pid,
        source="subject",
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
        source="customer_service",
        subject="Laskutus",
        description="Ainon lasku 2025-0042, IBAN FI21 1234 5600 0007 85",
        opened_at=at,
    )
    disclosure_record(
        actor=SYSTEM,
        recipient="processors",
        categories=["contact"],
        person_ids=[pid],
        disclosed_on=dt.date(2025, 4, 1),
        reference="newsletter service",
    )
    other = s.person_register(
        actor=SYSTEM,
        source="customer_service",
        person=s.PersonIn(first_name="Bertta", last_name="Korhonen", email="bertta@example.fi"),
    )
    s.contact_event_record(
        actor=SYSTEM,
        person_id=other.pk,
        source="customer_service",
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
    return register_aino()
