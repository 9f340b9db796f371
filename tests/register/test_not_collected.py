"""What a register description declares not collected is refused on every way in, and
`rekisteri check` reports values stored there before the description said so."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from rekisteri.core.actors import SYSTEM
from rekisteri.core.errors import PolicyRefusal
from rekisteri.policy.loader import load_policy
from rekisteri.register import services as s
from rekisteri.register.error_codes import RegisterCode
from rekisteri.register.importing import people_import
from rekisteri.register.models import (
    BillingAccount,
    EmailAddress,
    Organisation,
    OrganisationRole,
    PaymentCard,
    Person,
    PhoneNumber,
)
from tests.api.conftest import Api, make_key
from tests.countries import MAINIOCO
from tests.images import PNG
from tests.notcollected import NORRSKEN
from tests.notcollected import without_phones as no_phones_policy

pytestmark = pytest.mark.django_db

# The API's key fixture, for the API tests among these.
__all__ = ["make_key"]


@pytest.fixture
def norrsken(settings: Any) -> None:
    """Norrsken Analys AB's description: no identity codes, demographics, payment cards,
    billing identifiers or organisations' web sites."""
    settings.REKISTERI_POLICY = NORRSKEN


@pytest.fixture
def without_phones(settings: Any, tmp_path: Path) -> None:
    """Mainioco's description, but the company does not collect phone numbers."""
    path = no_phones_policy(tmp_path)
    assert not load_policy(path).policy.collects("phone_number.number")
    settings.REKISTERI_POLICY = path


def _astrid(**fields: Any) -> s.PersonIn:
    return s.PersonIn(**({"first_name": "Astrid", "last_name": "Lindqvist"} | fields))


@pytest.mark.usefixtures("norrsken")
@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"personal_identity_code": "811228-9874"}, "personal_identity_code"),
        ({"birth_year": 1981}, "birth_year"),
        ({"gender": "female"}, "gender"),
        (
            {"organisation": s.OrganisationIn("Ö AB", None, "https://o.example")},
            "organisation.website",
        ),
    ],
)
def test_a_person_with_a_datum_the_register_does_not_collect_is_refused_naming_it(
    fields: dict[str, Any], named: str
) -> None:
    with pytest.raises(PolicyRefusal) as refused:
        s.person_register(actor=SYSTEM, source="subject", person=_astrid(**fields))

    assert refused.value.code == RegisterCode.NOT_COLLECTED
    assert refused.value.message.startswith(f"{named}: the register does not collect this datum")
    assert refused.value.data["field"] == named
    assert Person.objects.count() == 0
    assert Organisation.objects.count() == 0


@pytest.mark.usefixtures("norrsken")
def test_what_the_register_collects_is_stored_as_before() -> None:
    person = s.person_register(
        actor=SYSTEM,
        source="subject",
        person=_astrid(email="astrid@example.se", organisation=s.OrganisationIn("Ö AB")),
    )

    assert Person.objects.get(pk=person.pk).personal_identity_code is None


@pytest.mark.usefixtures("norrsken")
def test_a_category_the_register_leaves_out_takes_no_row_even_an_empty_one() -> None:
    person = s.person_register(actor=SYSTEM, source="subject", person=_astrid())

    with pytest.raises(PolicyRefusal) as card:
        s.payment_card_add(
            actor=SYSTEM,
            person_id=person.pk,
            source="subject",
            provider_token="tok_1",
            brand="Visa",
            last_four="4242",
            expires=dt.date(2029, 1, 31),
        )
    with pytest.raises(PolicyRefusal) as billing:
        s.billing_account_set(actor=SYSTEM, person_id=person.pk, source="subject")

    assert card.value.data["field"] == "provider_token"
    assert billing.value.data["field"] == "e_invoice_address"
    assert PaymentCard.objects.count() == BillingAccount.objects.count() == 0


@pytest.mark.usefixtures("without_phones")
def test_a_contact_change_with_a_phone_number_changes_nothing_where_phones_are_not_collected() -> (
    None
):
    person = s.person_register(
        actor=SYSTEM, source="subject", person=_astrid(email="astrid@example.fi")
    )

    with pytest.raises(PolicyRefusal) as refused:
        s.person_contact_update(
            actor=SYSTEM,
            person_id=person.pk,
            source="customer_service",
            purpose=None,
            email="uusi@example.fi",
            phone="040 123 4567",
        )

    assert refused.value.data["field"] == "phone"
    assert PhoneNumber.objects.count() == 0
    assert [e.address for e in EmailAddress.objects.all()] == ["astrid@example.fi"]


@pytest.mark.mainioco  # what Mainioco's own description collects, which Norrsken's does not
def test_mainioco_collects_everything_it_did() -> None:
    person = s.person_register(
        actor=SYSTEM,
        source="subject",
        person=_astrid(personal_identity_code="131052-308T", birth_year=1952, gender="female"),
    )
    s.payment_card_add(
        actor=SYSTEM,
        person_id=person.pk,
        source="subject",
        provider_token="tok_1",
        brand="Visa",
        last_four="4242",
        expires=dt.date(2029, 1, 31),
    )

    assert Person.objects.get(pk=person.pk).birth_year == 1952
    assert PaymentCard.objects.count() == 1


@pytest.mark.usefixtures("norrsken")
def test_the_api_answers_a_datum_the_register_does_not_collect_with_422_naming_it(
    make_key: Callable[..., str],
) -> None:
    api = Api(make_key(purposes=["agreement"]))

    response = api.call(
        "post",
        "/people",
        {
            "source": "subject",
            "first_name": "Astrid",
            "last_name": "Lindqvist",
            "personal_identity_code": "811228-9874",
        },
    )

    assert response.status_code == 422
    assert response.json() == {
        "code": "not_collected",
        "message": "personal_identity_code: the register does not collect this datum "
        "(its description declares person.personal_identity_code not collected)",
        "data": {
            "field": "personal_identity_code",
            "not_collected": "person.personal_identity_code",
        },
    }
    assert Person.objects.count() == 0


@pytest.mark.usefixtures("without_phones")
def test_the_api_refuses_a_phone_number_in_a_contact_change_where_phones_are_not_collected(
    make_key: Callable[..., str],
) -> None:
    person = s.person_register(actor=SYSTEM, source="subject", person=_astrid())
    api = Api(make_key(purposes=["customer_relationship"]))

    response = api.call(
        "patch",
        f"/people/{person.pk}/contact?purpose=customer_relationship",
        {"source": "analysis_service", "phone": "040 123 4567"},
    )

    assert response.status_code == 422
    assert response.json()["data"]["field"] == "phone"
    assert PhoneNumber.objects.count() == 0


@pytest.mark.usefixtures("without_phones")
def test_the_api_reads_no_phone_numbers_where_phones_are_not_collected(
    make_key: Callable[..., str],
) -> None:
    person = s.person_register(
        actor=SYSTEM, source="subject", person=_astrid(email="astrid@example.fi")
    )
    api = Api(make_key(purposes=["customer_relationship"]))

    body = api.call("get", f"/people/{person.pk}?purpose=customer_relationship").json()

    assert [e["address"] for e in body["emails"]] == ["astrid@example.fi"]
    assert body.get("phones") is None


@pytest.mark.usefixtures("norrsken")
def test_the_api_refuses_a_logo_where_organisations_logos_are_not_collected(
    make_key: Callable[..., str],
) -> None:
    person = s.person_register(
        actor=SYSTEM, source="subject", person=_astrid(organisation=s.OrganisationIn("Ö AB"))
    )
    organisation = OrganisationRole.objects.get(person=person).organisation
    api = Api(make_key(purposes=["agreement"]))

    response = api.client.post(
        f"/api/organisations/{organisation.pk}/logo",
        data={"file": SimpleUploadedFile("logo.png", PNG)},
        headers=api.headers,
    )

    assert response.status_code == 422
    assert response.json()["data"]["field"] == "logo"
    organisation.refresh_from_db()
    assert not organisation.logo


@pytest.mark.usefixtures("norrsken")
def test_an_import_rejects_the_rows_with_a_datum_the_register_does_not_collect(
    tmp_path: Path,
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "first_name,last_name,email,personal_identity_code\n"
        "Astrid,Lindqvist,astrid@example.se,\n"
        "Nils,Berg,nils@example.se,811228-9874\n",
        encoding="utf-8",
    )

    report = people_import(actor=SYSTEM, path=path, source="subject")

    assert report.imported == 1
    assert [(r.line, r.reason) for r in report.rejected] == [
        (
            3,
            "personal_identity_code: the register does not collect this datum "
            "(its description declares person.personal_identity_code not collected)",
        )
    ]
    assert list(Person.objects.values_list("first_name", flat=True)) == ["Astrid"]


@pytest.mark.mainioco  # values stored under Mainioco's description, then checked under Norrsken's
def test_check_reports_values_stored_before_the_description_stopped_collecting_them(
    settings: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    # Given a person registered with an identity code under Mainioco's description
    s.person_register(
        actor=SYSTEM, source="subject", person=_astrid(personal_identity_code="131052-308T")
    )
    # When the register runs a description that does not collect identity codes
    settings.REKISTERI_POLICY = NORRSKEN
    with contextlib.suppress(SystemExit):
        call_command("check")
    out = capsys.readouterr().out

    # Then the check names the field and how many rows hold a value in it
    [line] = [line for line in out.splitlines() if "not collected" in line]
    assert line.split()[:2] == ["FINDING", "1"]
    assert line.endswith(
        "Stored values in a field the register description declares not collected "
        "(person.personal_identity_code)"
    )


@pytest.mark.usefixtures("norrsken")
def test_check_finds_nothing_not_collected_in_a_register_that_keeps_its_word(
    capsys: pytest.CaptureFixture[str],
) -> None:
    s.person_register(actor=SYSTEM, source="subject", person=_astrid(email="a@example.se"))

    with contextlib.suppress(SystemExit):
        call_command("check")

    [line] = [line for line in capsys.readouterr().out.splitlines() if "not collected" in line]
    assert line.split()[:2] == ["ok", "0"]


def test_policy_check_refuses_a_description_that_would_not_keep_the_consent_ledger(
    tmp_path: Path,
) -> None:
    # Given Mainioco's description, declaring the scope of consents not collected
    text = MAINIOCO.read_text(encoding="utf-8")
    text = 'not_collected = ["consent_event.scope"]\n' + text.replace(
        '"consent_event.scope", ', "", 1
    )
    path = tmp_path / "no-ledger.toml"
    path.write_text(text, encoding="utf-8")

    # When it is checked
    with pytest.raises(CommandError) as refused:
        call_command("policy", "check", str(path))

    # Then the check names the field and why the register needs it, by its line
    assert (
        "no-ledger.toml:1: categories: consent_event.scope: the register cannot work without "
        "collecting it: the consent ledger proves consents and keeps objections "
        "(GDPR Art. 7(1), 21)"
    ) in str(refused.value)
