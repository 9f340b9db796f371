"""The demo under each shipped description: it stores only what that description allows.

Norrsken Analys AB (``policies/norrsken.toml``) is a Swedish company with its own
purposes, sources, roles and consent scopes, marketing on consent only, and
categories it does not collect at all.
"""

from __future__ import annotations

import phonenumbers
import pytest
from django.core.management import call_command
from django.db import models
from stdnum.se import orgnr

from rekisteri.compliance import compliance_checks
from rekisteri.consent.models import ConsentAction, ConsentEvent, ConsentText
from rekisteri.demo.names import SWEDISH
from rekisteri.demo.rules import MODEL_NAMES, table_key
from rekisteri.demo.store import DemoStats, demo_generate
from rekisteri.policy.schema import LegalBasis
from rekisteri.policy.selectors import policy_get, policy_loaded
from rekisteri.policy.services import notice_version_record
from rekisteri.register import catalogue
from rekisteri.register.models import (
    Delivery,
    Organisation,
    Person,
    PhoneNumber,
    PostalAddress,
    ServiceAccount,
    ServiceSubscription,
)
from rekisteri.register.services import AddressIn, address_clean

pytestmark = pytest.mark.django_db


def _models() -> dict[str, type[models.Model]]:
    return {model.__name__: model for model in catalogue.personal_data_models()}


def _collected(name: str) -> bool:
    """Whether the policy declares any of the table's fields in a category."""
    policy = policy_get()
    model = _models()[name]
    return bool(catalogue.model_categories(model, policy))


def test_every_row_names_a_source_the_policy_lists_for_each_category_it_writes(
    description: str,
) -> None:
    # given / when: the demo of 200 people under the description
    demo_generate(people=200, seed=4)
    policy = policy_get()

    # then
    for name, model in _models().items():
        stored = set(model._default_manager.values_list("source", flat=True).distinct())
        for category in catalogue.model_categories(model, policy):
            assert stored <= set(policy.categories[category].sources), (name, category)


def test_consents_name_only_the_policys_scopes_with_texts_in_its_words(description: str) -> None:
    # given / when
    demo_generate(people=200, seed=4)
    policy = policy_get()
    scopes = {
        key
        for key, purpose in policy.purposes.items()
        if purpose.legal_basis == LegalBasis.CONSENT or purpose.direct_marketing
    }

    # then: every scope is one the policy lets a person consent to, objections only
    # to direct marketing, and each grant shows a text naming the controller and purpose
    events = list(ConsentEvent.objects.all())
    assert {event.scope for event in events} <= scopes
    assert {event.scope for event in events if event.action == ConsentAction.OBJECTED} <= {
        key for key, purpose in policy.purposes.items() if purpose.direct_marketing
    }
    language = policy.policy.languages[0]
    texts = {text.text_hash: text for text in ConsentText.objects.all()}
    for event in events:
        if event.action == ConsentAction.GRANTED:
            shown = texts[event.text_hash]
            assert shown.language == language
            assert policy.controller.name in shown.text
            assert policy.purposes[event.scope].name(language) in shown.text


@pytest.mark.usefixtures("norrsken")
def test_under_norrsken_what_it_does_not_collect_stays_empty_and_the_rest_is_filled() -> None:
    # given / when: Norrsken collects no identity codes, cards or content of users
    stats = demo_generate(people=300, seed=9)

    # then
    for name in MODEL_NAMES:
        stored = _models()[name]._default_manager.count()
        assert stored == stats.counts[name], name
        assert (stored > 0) == _collected(name), name
    not_collected = policy_get().not_collected
    person_fields = [f.split(".")[1] for f in not_collected if f.startswith("person.")]
    for field in person_fields:
        assert set(Person.objects.values_list(field, flat=True).distinct()) <= {None, ""}, field
    assert "person.personal_identity_code" in not_collected
    assert not Organisation.objects.exclude(website="").exists()


@pytest.mark.usefixtures("norrsken")
def test_under_norrsken_people_are_swedish_and_its_own_service_is_named() -> None:
    # given / when
    demo_generate(people=200, seed=9)

    # then: Swedish names, addresses, mobile numbers and organisation numbers
    assert set(Person.objects.values_list("first_name", flat=True)) <= set(
        SWEDISH.female_names + SWEDISH.male_names
    )
    for street, code, city, country in PostalAddress.objects.values_list(
        "street_address", "postal_code", "city", "country"
    ):
        address = AddressIn(street, code, city, country)
        assert address_clean(address) == address
        assert country == "SE"
    for number in PhoneNumber.objects.values_list("number", flat=True):
        parsed = phonenumbers.parse(number)
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.region_code_for_number(parsed) == "SE", number
    ids = list(Organisation.objects.exclude(business_id=None).values_list("business_id", flat=True))
    assert ids
    assert all(orgnr.is_valid(business_id) for business_id in ids), ids
    services = set(ServiceSubscription.objects.values_list("service", flat=True))
    assert services
    assert all(service.startswith("Norrsken ") for service in services)
    assert all(
        external.startswith("norrsken-")
        for external in ServiceAccount.objects.values_list("external_id", flat=True)
    )


@pytest.mark.usefixtures("norrsken")
def test_under_norrsken_marketing_goes_only_to_people_who_consented_to_it() -> None:
    # given / when: Norrsken's newsletter rests on consent alone
    demo_generate(people=300, seed=9)
    scope = next(key for key, p in policy_get().purposes.items() if p.direct_marketing)

    # then: every delivery lies inside a grant of the newsletter and before its withdrawal
    deliveries = list(Delivery.objects.values_list("person_id", "sent_at"))
    assert deliveries
    for person_id, sent_at in deliveries:
        events = ConsentEvent.objects.filter(person_id=person_id, scope=scope)
        granted = events.filter(action=ConsentAction.GRANTED, occurred_at__lte=sent_at)
        assert granted.exists(), person_id
        stopped = events.filter(
            action__in=(ConsentAction.WITHDRAWN, ConsentAction.OBJECTED),
            occurred_at__lt=sent_at,
            occurred_at__gt=granted.latest("occurred_at").occurred_at,
        )
        assert not stopped.exists(), person_id


# Committed as the command line commits: the audit chain's check sees what others would.
@pytest.mark.django_db(transaction=True)
def test_rekisteri_check_finds_nothing_the_demo_caused(
    description: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # given: a register set up under the description, and what the check says of it
    notice_version_record(loaded=policy_loaded())
    before = {check.key for check in compliance_checks() if not check.ok}

    # when: the demo fills it
    call_command("demo", "--people", "150", "--seed", "3")
    assert "Demo data stored: 150 people" in capsys.readouterr().out

    # then: every promise the check kept before is still kept
    after = {check.key: check.count for check in compliance_checks() if not check.ok}
    assert set(after) <= before, after
    assert Person.objects.count() == 150


def test_the_demo_stats_count_only_the_tables_it_fills(description: str) -> None:
    # given / when
    stats: DemoStats = demo_generate(people=50, seed=1)

    # then: one count per table of the register, by the policy's names of them
    assert set(stats.counts) == set(MODEL_NAMES)
    assert {table_key(name) for name in MODEL_NAMES} == {
        catalogue.model_key(model) for model in catalogue.personal_data_models()
    }
