"""The demo register: reproducible, and valid by the register's own rules."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from pathlib import Path
from typing import Any

import phonenumbers
import pytest
from django.core.management import CommandError, call_command
from django.db import models
from stdnum.fi import hetu, ytunnus

from rekisteri.consent.models import ConsentEvent
from rekisteri.core import clock
from rekisteri.core.channels import MarketingChannel
from rekisteri.demo.identifiers import hetu_check_character, reference_number, ytunnus_check_digit
from rekisteri.demo.plan import DemoBatch, demo_plan
from rekisteri.demo.rules import MODEL_NAMES, demo_rules
from rekisteri.demo.store import DemoStats, demo_generate
from rekisteri.policy.selectors import policy_get, policy_loaded
from rekisteri.policy.services import notice_version_record
from rekisteri.register import catalogue
from rekisteri.register.models import (
    ContactEvent,
    Customership,
    Delivery,
    EmailAddress,
    Feedback,
    Organisation,
    PaymentCard,
    Person,
    PhoneNumber,
    ServiceAccount,
)
from rekisteri.register.services import (
    CONTACT_CHANNELS,
    AddressIn,
    PersonIn,
    person_clean,
)
from rekisteri.register.validation import clean_last_four, clean_url, refuse_card_number
from rekisteri.retention.sweep import retention_preview, retention_run
from rekisteri.staff.services import demo_role

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 3, 2)


@pytest.fixture
def demo300() -> DemoStats:
    return demo_generate(people=300, seed=2026, today=TODAY)


def _names_and_emails(batches: list[DemoBatch]) -> list[tuple[str, str, list[str]]]:
    result = []
    for batch in batches:
        emails: dict[int, list[str]] = {}
        for position, fields in batch.rows["EmailAddress"]:
            emails.setdefault(position, []).append(fields["address"])
        result += [
            (person["first_name"], person["last_name"], emails[position])
            for position, person in enumerate(batch.people)
        ]
    return result


def _stored_names_and_emails() -> list[tuple[str, str, list[str]]]:
    emails: dict[int, list[str]] = {}
    for person_id, address in EmailAddress.objects.order_by("id").values_list(
        "person_id", "address"
    ):
        emails.setdefault(person_id, []).append(address)
    return [
        (first, last, emails[pk])
        for pk, first, last in Person.objects.order_by("id").values_list(
            "id", "first_name", "last_name"
        )
    ]


def _model(name: str) -> type[models.Model]:
    return {model.__name__: model for model in catalogue.personal_data_models()}[name]


def test_the_same_seed_plans_the_same_rows_whatever_the_batch_size() -> None:
    # given / when: one plan in small batches, the same in one batch, another seed
    small = list(demo_plan(people=120, seed=7, batch_size=25, today=TODAY))
    whole = list(demo_plan(people=120, seed=7, batch_size=500, today=TODAY))
    other = list(demo_plan(people=120, seed=8, batch_size=25, today=TODAY))

    # then
    assert small == list(demo_plan(people=120, seed=7, batch_size=25, today=TODAY))
    assert _names_and_emails(small) == _names_and_emails(whole)
    assert _names_and_emails(small) != _names_and_emails(other)


def test_the_same_seed_stores_the_same_names_and_emails_in_two_runs() -> None:
    # given: a first run, remembered and then emptied
    demo_generate(people=40, seed=11, batch_size=15, today=TODAY)
    first = _stored_names_and_emails()
    Person.objects.all().delete()
    Organisation.objects.all().delete()

    # when: a second run with the same seed
    demo_generate(people=40, seed=11, batch_size=15, today=TODAY)

    # then
    assert len(first) == 40
    assert _stored_names_and_emails() == first


def test_three_hundred_people_give_exactly_three_hundred_people_and_rows_in_every_table(
    demo300: DemoStats,
) -> None:
    # given / when: the demo of 300 people (fixture)

    # then: every table of the register is filled, and the counts are true
    assert Person.objects.count() == 300
    assert demo300.people == 300
    assert set(demo300.counts) == set(MODEL_NAMES)
    tables = {model.__name__ for model in catalogue.personal_data_models()}
    assert tables == set(MODEL_NAMES)
    rules = demo_rules()
    for name in MODEL_NAMES:
        stored = _model(name)._default_manager.count()
        # A table of what the description does not collect stays empty (none under
        # Mainioco's, which collects every table).
        assert (stored > 0) == rules.fills(name), name
        assert stored == demo300.counts[name], name
    # About thirty history rows a person.
    events = sum(
        demo300.counts[name] for name in ("UsageEvent", "ContactEvent", "WebVisit", "Delivery")
    )
    assert 20 * 300 < events < 40 * 300


@pytest.mark.usefixtures("description")
def test_every_planned_person_passes_the_registers_own_cleaning_unchanged() -> None:
    # given: a plan, each person with their first e-mail, phone and address (a field
    # the policy does not collect is left out of the plan, to its default)
    for batch in demo_plan(people=300, seed=3, today=TODAY):
        contact: dict[int, dict[str, Any]] = {}
        for name in ("EmailAddress", "PhoneNumber", "PostalAddress"):
            for position, fields in batch.rows.get(name, []):
                contact.setdefault(position, {}).setdefault(name, fields)
        for position, fields in enumerate(batch.people):
            given = contact.get(position, {})
            address = given.get("PostalAddress")
            person = PersonIn(
                first_name=fields["first_name"],
                last_name=fields["last_name"],
                email=given.get("EmailAddress", {}).get("address"),
                phone=given.get("PhoneNumber", {}).get("number"),
                address=AddressIn(
                    street_address=address["street_address"],
                    postal_code=address["postal_code"],
                    city=address["city"],
                    country=address["country"],
                )
                if address
                else None,
                personal_identity_code=fields.get("personal_identity_code", None),
                birth_year=fields.get("birth_year", None),
                gender=fields.get("gender", ""),
                job_title=fields.get("job_title", ""),
            )

            # when / then: the rules an API client meets leave it as it is
            assert person_clean(person) == person

        for organisation in batch.organisations.values():
            for url in (organisation.get("website"), organisation.get("presentation_video")):
                assert not url or clean_url(url, field="website") == url


def test_channels_cards_and_ratings_are_ones_the_services_accept(demo300: DemoStats) -> None:
    # given / when: the demo of 300 people (fixture)
    contacts = set(ContactEvent.objects.values_list("channel", "direction").distinct())
    deliveries = set(Delivery.objects.values_list("channel", flat=True).distinct())
    cards = list(PaymentCard.objects.values_list("provider_token", "last_four", "expires"))
    ratings = set(Feedback.objects.exclude(rating=None).values_list("rating", flat=True))

    # then
    assert {channel for channel, _ in contacts} <= set(CONTACT_CHANNELS)
    assert {direction for _, direction in contacts} <= {"in", "out"}
    assert deliveries <= set(MarketingChannel)
    assert ratings <= {1, 2, 3, 4, 5}
    for token, last_four, expires in cards:
        assert token.startswith("tok_")
        refuse_card_number(token, field="provider_token")
        assert clean_last_four(last_four) == last_four
        assert expires > TODAY


def test_every_identity_code_is_valid_and_unique_and_about_half_have_one(
    in_finland: Path,
    demo300: DemoStats,
) -> None:
    # given / when: the demo of 300 people (fixture)
    codes = list(
        Person.objects.exclude(personal_identity_code=None).values_list(
            "personal_identity_code", "birth_year", "gender"
        )
    )

    # then: valid, unique, and the birth year and gender the code encodes
    assert 100 < len(codes) < 200
    assert len({code for code, _, _ in codes}) == len(codes)
    for code, birth_year, gender in codes:
        assert hetu.is_valid(code), code
        assert hetu.validate(code) == code
        century = 1900 if code[6] == "-" else 2000
        assert birth_year == century + int(code[4:6])
        assert gender == ("male" if int(code[7:10]) % 2 else "female")
        assert 1940 <= birth_year <= 2005


def test_every_phone_number_is_a_valid_finnish_number(in_finland: Path, demo300: DemoStats) -> None:
    # given / when: the demo of 300 people (fixture)
    numbers = list(PhoneNumber.objects.values_list("number", flat=True))

    # then
    assert numbers
    for number in numbers:
        parsed = phonenumbers.parse(number)
        assert phonenumbers.is_valid_number(parsed), number
        assert phonenumbers.region_code_for_number(parsed) == "FI", number
        assert phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164) == number


def test_every_business_id_is_valid_and_unique(in_finland: Path, demo300: DemoStats) -> None:
    # given / when: the demo of 300 people (fixture)
    ids = list(Organisation.objects.exclude(business_id=None).values_list("business_id", flat=True))

    # then
    assert ids
    assert len(set(ids)) == len(ids)
    assert all(ytunnus.is_valid(business_id) for business_id in ids), ids


def test_every_source_is_one_the_policy_lists_for_the_rows_category(demo300: DemoStats) -> None:
    # given: the policy's sources, and the categories each table's fields belong to
    policy = policy_get()
    rules = demo_rules()

    for model in catalogue.personal_data_models():
        stored = set(model._default_manager.values_list("source", flat=True).distinct())
        if not rules.fills(model.__name__):
            assert not stored, model.__name__  # the description collects nothing of it
            continue
        # Fields the description declares it does not collect stay at their defaults.
        categories = {
            policy.category_of_field(field)
            for field in catalogue.model_fields(model)
            if field.split(".", 1)[1] not in catalogue.PROVENANCE_FIELDS
            and field not in policy.not_collected
        }

        # then: a source of the policy, and one every category of the table allows
        assert stored, model.__name__
        assert stored <= set(policy.sources), model.__name__
        for category in categories:
            assert category is not None
            assert stored <= set(policy.categories[category].sources), (model.__name__, category)


def test_contact_details_and_accounts_are_unique_and_use_example_domains(
    demo300: DemoStats,
) -> None:
    # given / when: the demo of 300 people (fixture)
    emails = list(EmailAddress.objects.values_list("address", flat=True))
    usernames = list(ServiceAccount.objects.values_list("username", flat=True))
    hashes = set(ServiceAccount.objects.values_list("password_hash", flat=True))

    # then
    assert len({email.lower() for email in emails}) == len(emails)
    domains = {demo_rules().words.domain, "example.com"}
    assert all(email.rsplit("@", 1)[1] in domains for email in emails)
    assert len(set(usernames)) == len(usernames)
    # One argon2 hash per run, shared by every account.
    assert len(hashes) == 1
    assert next(iter(hashes)).startswith("argon2$argon2id$")


def test_history_lies_in_the_past_with_ex_customers_and_prospects(demo300: DemoStats) -> None:
    # given: the demo's anchor date
    anchor = dt.datetime.combine(TODAY, dt.time(), tzinfo=clock.zone())

    # when: the customerships and times are read back
    ended = list(Customership.objects.exclude(ended_on=None).values_list("ended_on", flat=True))
    customers = set(Customership.objects.values_list("person_id", flat=True))

    # then: some customerships ended lately, some long ago, some people are prospects
    assert any(TODAY - ended_on > dt.timedelta(days=365) for ended_on in ended)
    assert any(TODAY - ended_on < dt.timedelta(days=365) for ended_on in ended)
    assert 0 < Person.objects.exclude(id__in=customers).count() < 150
    for name in filter(demo_rules().fills, MODEL_NAMES):
        latest = _model(name)._default_manager.aggregate(models.Max("stored_at"))
        assert latest["stored_at__max"] < anchor, name


def test_history_is_within_the_policys_retention_and_the_sweep_falls_due_soon() -> None:
    # given / when: the demo of today
    demo_generate(people=300, seed=2026)

    # then: nothing is due yet; within the coming months people and rows fall due
    due = retention_run(dry_run=True)
    assert due.people == {} or set(due.people.values()) == {0}
    assert due.rows == {} or set(due.rows.values()) == {0}
    coming = retention_preview(months=3)
    assert sum(month.people for month in coming) > 0
    assert sum(month.records for month in coming) > 0


def test_an_overdue_demo_gives_the_retention_sweep_work_at_once() -> None:
    # given / when: the demo of today, with history past the retention periods
    demo_generate(people=300, seed=2026, overdue=True)

    # then: people and web visits are due now
    due = retention_run(dry_run=True)
    assert sum(due.people.values()) > 20
    assert sum(due.rows.values()) > 0


def test_consent_events_use_the_policys_purposes_and_follow_each_grant(
    demo300: DemoStats,
) -> None:
    # given / when: the demo of 300 people (fixture)
    policy = policy_get()
    events = list(ConsentEvent.objects.order_by("occurred_at"))

    # then: every scope is a purpose, and a withdrawal follows its grant
    assert {event.scope for event in events} <= set(policy.purposes)
    assert Counter(event.action for event in events)["withdrawn"] > 0
    granted: set[tuple[int, str]] = set()
    for event in events:
        if event.action == "granted":
            granted.add((event.person_id, event.scope))
        elif event.action == "withdrawn":
            assert (event.person_id, event.scope) in granted


def test_check_characters_match_known_codes() -> None:
    # given: published examples of each code
    # when / then
    assert hetu_check_character("131052308") == "T"  # 131052-308T
    assert ytunnus_check_digit("2817330") == 9  # Mainioco Oy, 2817330-9
    assert reference_number(123456) == "1234561"  # the banks' usual example


@pytest.fixture
def set_up() -> None:
    notice_version_record(loaded=policy_loaded())


@pytest.mark.usefixtures("set_up")
def test_the_demo_command_fills_an_empty_register_and_a_second_run_adds_nothing(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # given: a register that setup has prepared

    # when: the demo runs twice
    call_command("demo", "--people", "30", "--seed", "5")
    first = capsys.readouterr().out
    counts = {name: _model(name)._default_manager.count() for name in MODEL_NAMES}
    call_command("demo", "--people", "30")
    second = capsys.readouterr().out

    # then: the first run reports what it stored, the second adds nothing
    assert "Demo data stored: 30 people" in first
    assert "EmailAddress" in first
    assert "already present" in second
    assert "30 people" in second
    assert {name: _model(name)._default_manager.count() for name in MODEL_NAMES} == counts


@pytest.mark.usefixtures("set_up")
@pytest.mark.parametrize("people", ["0", "-3", "many"])
def test_the_demo_command_refuses_a_count_below_one_and_stores_nothing(people: str) -> None:
    # given: a register that setup has prepared

    # when / then
    with pytest.raises(CommandError, match="--people"):
        call_command("demo", "--people", people)
    assert Person.objects.count() == 0


def test_the_demo_command_asks_for_setup_first(capsys: pytest.CaptureFixture[str]) -> None:
    # given: no notice version recorded

    # when / then
    with pytest.raises(SystemExit) as exit_:
        call_command("demo", "--people", "5")
    assert exit_.value.code == 1
    assert "rekisteri setup" in capsys.readouterr().err
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_the_demo_offers_a_staff_account_to_set_up_until_it_is(
    capsys: pytest.CaptureFixture[str],
) -> None:
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from rekisteri.policy.selectors import policy_loaded
    from rekisteri.policy.services import notice_version_record

    notice_version_record(loaded=policy_loaded())
    call_command("demo", "--people", "3")
    first = capsys.readouterr().out
    call_command("demo")
    second = capsys.readouterr().out
    User.objects.filter(username="demo").update(password="argon2$set")  # enrolled meanwhile
    call_command("demo")
    third = capsys.readouterr().out

    assert f"Demo staff account 'demo' (role {demo_role()})" in first
    assert "/console/enrol/" in second
    assert first.split("/console/enrol/")[1] != second.split("/console/enrol/")[1]
    assert "Demo staff account" not in third
