"""Registering people and their data: each category round-trips with its provenance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from rekisteri.core.actors import SYSTEM
from rekisteri.core.errors import Conflict, InvalidInput, NotFound, PolicyRefusal
from rekisteri.register import services as s
from rekisteri.register.error_codes import RegisterCode
from rekisteri.register.models import (
    ContactEvent,
    Customership,
    Delivery,
    EmailAddress,
    Feedback,
    Invoice,
    OrganisationRole,
    Payment,
    PaymentCard,
    Person,
    PhoneNumber,
    PostalAddress,
    ServiceAccount,
    ServiceCase,
    UsageEvent,
    WebVisit,
)
from tests import policy_keys as keys
from tests.factories import DeliveryFactory, country
from tests.rights.conftest import BUSINESS_IDS

pytestmark = pytest.mark.django_db
NOW = dt.datetime(2026, 5, 4, 9, 30, tzinfo=dt.UTC)


def _aino(
    source: str = "",
    username: str | None = None,
    password: str | None = None,
    **extra: object,
) -> Person:
    fields: dict[str, object] = {
        "first_name": "Aino",
        "last_name": "Virtanen",
        "email": "aino.virtanen@example.fi",
        "phone": "040 123 4567",
        # A Finn, whichever country's register she is in.
        "address": s.AddressIn("Kauppakatu 39", "40100", "Jyväskylä", "FI"),
    }
    fields.update(extra)
    return s.person_register(
        actor=SYSTEM,
        source=source or keys.subject_source(),
        person=s.PersonIn(**fields),  # type: ignore[arg-type]
        username=username,
        password=password,
    )


@time_machine.travel(NOW, tick=False)
def test_registered_person_has_contact_data_with_source_and_time() -> None:
    identity_code = "131052-308T" if keys.collects("person.personal_identity_code") else None
    person = _aino(
        personal_identity_code=identity_code,
        birth_year=1952 if keys.collects("person.birth_year") else None,
        username="aino",
        password="kaunis lumi sataa hiljaa",
        organisation=s.OrganisationIn(
            "Virtanen Oy",
            BUSINESS_IDS.get(country()),
            "https://example.fi" if keys.collects("organisation.website") else "",
            "CEO",
        ),
    )

    email = EmailAddress.objects.get(person=person)
    account = ServiceAccount.objects.get(person=person)
    assert (email.address, email.source, email.stored_at) == (
        "aino.virtanen@example.fi",
        keys.subject_source(),
        NOW,
    )
    assert PhoneNumber.objects.get(person=person).number == "+358401234567"
    assert PostalAddress.objects.get(person=person).city == "Jyväskylä"
    assert account.password_hash.startswith("argon2$argon2id$")
    assert "kaunis" not in account.password_hash
    assert OrganisationRole.objects.get(person=person).title == "CEO"
    assert person.personal_identity_code == identity_code


def test_unknown_source_is_refused_and_nothing_is_stored() -> None:
    with pytest.raises(InvalidInput) as refused:
        _aino(source="rumour")

    assert refused.value.code == RegisterCode.UNKNOWN_SOURCE
    assert "rumour" in refused.value.message
    assert Person.objects.count() == 0


def test_a_bad_field_changes_nothing() -> None:
    with pytest.raises(InvalidInput, match=r"address\.postal_code"):
        _aino(address=s.AddressIn("Kauppakatu 39", "401", "Jyväskylä"))

    assert Person.objects.count() == 0
    assert EmailAddress.objects.count() == 0


def test_the_same_email_cannot_be_registered_twice_whatever_its_case() -> None:
    _aino()

    with pytest.raises(Conflict) as refused:
        _aino(email="AINO.VIRTANEN@example.fi")

    assert refused.value.code == RegisterCode.EMAIL_TAKEN
    assert "aino" not in refused.value.message.lower()
    assert Person.objects.count() == 1


def test_a_weak_password_is_refused() -> None:
    # In the active language (Finnish by default): "... vähintään 12 merkkiä".
    with pytest.raises(InvalidInput, match=r"password: .*\b12\b"):
        _aino(username="aino", password="lyhyt")


def test_contact_update_replaces_the_datum_with_new_provenance() -> None:
    person = _aino()

    s.person_contact_update(
        actor=SYSTEM,
        person_id=person.pk,
        source=keys.staff_source(),
        purpose=None,
        phone="+358 50 765 4321",
    )

    phone = PhoneNumber.objects.get(person=person)
    assert (phone.number, phone.source) == ("+358507654321", "customer_service")


def test_update_of_unknown_person_is_not_found() -> None:
    with pytest.raises(NotFound):
        s.person_contact_update(
            actor=SYSTEM,
            person_id=999,
            source=keys.subject_source(),
            purpose=None,
            phone="0401234567",
        )


def test_customership_starts_and_ends_once() -> None:
    person = _aino()
    customership = s.customership_start(
        actor=SYSTEM,
        person_id=person.pk,
        source=keys.service_source(),
        started_on=dt.date(2024, 1, 1),
    )

    s.customership_end(
        actor=SYSTEM,
        person_id=person.pk,
        customership_id=customership.pk,
        ended_on=dt.date(2025, 6, 30),
        reason="asiakas lopetti",
    )

    assert Customership.objects.get().ended_on == dt.date(2025, 6, 30)
    with pytest.raises(Conflict, match="already ended"):
        s.customership_end(actor=SYSTEM, person_id=person.pk, customership_id=customership.pk)


def test_customership_cannot_end_before_it_started() -> None:
    person = _aino()
    customership = s.customership_start(
        actor=SYSTEM,
        person_id=person.pk,
        source=keys.service_source(),
        started_on=dt.date(2024, 1, 1),
    )

    with pytest.raises(InvalidInput, match="cannot end before it started"):
        s.customership_end(
            actor=SYSTEM,
            person_id=person.pk,
            customership_id=customership.pk,
            ended_on=dt.date(2023, 12, 31),
        )


def test_every_event_kind_round_trips() -> None:
    pid = _aino().pk
    base = {"actor": SYSTEM, "person_id": pid}

    s.usage_event_record(**base, source=keys.service_source(), action="report.open", detail="r1")
    s.contact_event_record(
        **base,
        source=keys.staff_source(),
        channel="phone",
        direction="in",
        summary="Kysyi laskusta",
    )
    s.web_visit_record(
        **base,
        source=keys.web_source(),
        ip_address="192.0.2.10",
        page="/hinnasto",
        cookie_id="c-1",
        user_agent="Firefox",
    )
    DeliveryFactory(**base, campaign="kevät-2026")
    s.payment_record(**base, source=keys.billing_source(), amount=Decimal("49.90"))
    s.invoice_record(
        **base,
        source=keys.service_source(),
        number="2026-0001",
        amount=Decimal("49.90"),
        issued_on=dt.date(2026, 5, 1),
        due_on=dt.date(2026, 5, 15),
        billing_name="Aino Virtanen",
        billing_address="Kauppakatu 39, 40100 Jyväskylä",
    )
    # Payment cards only where the description collects them (Norrsken's does not).
    cards = keys.collects("payment_card.provider_token")
    if cards:
        s.payment_card_add(
            **base,
            source=keys.billing_source(),
            provider_token="tok_abc",
            brand="visa",
            last_four="4242",
            expires=dt.date(2028, 1, 31),
        )
    s.feedback_record(**base, source=keys.subject_source(), text="Hyvä palvelu", rating=5)
    s.service_case_record(**base, source=keys.staff_source(), subject="Salasana unohtui")

    for model in (
        UsageEvent,
        ContactEvent,
        WebVisit,
        Delivery,
        Payment,
        Invoice,
        *([PaymentCard] if cards else []),
        Feedback,
        ServiceCase,
    ):
        row = model.objects.get(person_id=pid)
        assert row.source != ""
        assert row.stored_at is not None


def test_a_full_card_number_never_reaches_the_register() -> None:
    pid = _aino().pk

    # A description that collects no cards refuses every card, the number with it.
    cards = keys.collects("payment_card.provider_token")
    with pytest.raises(InvalidInput if cards else PolicyRefusal) as refused:
        s.payment_card_add(
            actor=SYSTEM,
            person_id=pid,
            source=keys.subject_source(),
            provider_token="4111 1111 1111 1111",
            brand="visa",
            last_four="1111",
            expires=dt.date(2028, 1, 31),
        )

    if cards:
        assert refused.value.code == RegisterCode.CARD_NUMBER_REFUSED
    assert "4111" not in str(refused.value)
    assert PaymentCard.objects.count() == 0


@pytest.mark.parametrize("amount", [Decimal("1.005"), Decimal("NaN"), Decimal("1e12")])
def test_payment_amount_must_be_a_sum(amount: Decimal) -> None:
    pid = _aino().pk

    with pytest.raises(InvalidInput, match="amount"):
        s.payment_record(actor=SYSTEM, person_id=pid, source=keys.subject_source(), amount=amount)
