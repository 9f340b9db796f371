"""People's data by country: identity codes, postal codes, phone numbers and business
ids follow the person's country, and the controller's where the person gives none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rekisteri.core.actors import SYSTEM
from rekisteri.core.errors import InvalidInput
from rekisteri.register import services as s
from rekisteri.register.error_codes import RegisterCode
from rekisteri.register.importing import people_import
from rekisteri.register.models import Organisation, Person, PhoneNumber, PostalAddress
from tests import policy_keys as keys
from tests.countries import GERMAN, SWEDISH, policy_file

pytestmark = pytest.mark.django_db


@pytest.fixture
def swedish(settings: Any, tmp_path: Path) -> None:
    settings.REKISTERI_POLICY = policy_file(tmp_path, SWEDISH)


@pytest.fixture
def german(settings: Any, tmp_path: Path) -> None:
    settings.REKISTERI_POLICY = policy_file(tmp_path, GERMAN)


def _register(**fields: Any) -> Person:
    person: dict[str, Any] = {"first_name": "Astrid", "last_name": "Lindqvist"} | fields
    return s.person_register(
        actor=SYSTEM, source=keys.subject_source(), person=s.PersonIn(**person)
    )


@pytest.mark.usefixtures("swedish")
def test_a_swedish_customer_is_registered_by_sweden_s_rules() -> None:
    person = _register(
        personal_identity_code="811228-9874",
        phone="070-123 45 67",
        address=s.AddressIn("Drottninggatan 1", "11455", "Stockholm"),
    )

    address = PostalAddress.objects.get(person=person)
    assert (address.postal_code, address.country) == ("114 55", "SE")
    assert PhoneNumber.objects.get(person=person).number == "+46701234567"
    assert Person.objects.get(pk=person.pk).personal_identity_code == "811228-9874"


@pytest.mark.parametrize(
    ("controller", "code", "message"),
    [
        pytest.param(
            SWEDISH,
            "811228-9875",
            "personal_identity_code: is not a valid Swedish personal identity code",
            id="swedish-personnummer-with-a-bad-check-digit",
        ),
        pytest.param(
            GERMAN,
            "36574261808",
            "personal_identity_code: is not a valid German personal identity code",
            id="german-tax-id-with-a-bad-check-digit",
        ),
        pytest.param(
            GERMAN,
            "131052-308T",
            "personal_identity_code: is not a valid German personal identity code",
            id="finnish-code-for-a-person-in-germany",
        ),
    ],
)
def test_an_invalid_identity_code_is_refused_naming_the_field_not_the_value(
    settings: Any, tmp_path: Path, controller: dict[str, str], code: str, message: str
) -> None:
    settings.REKISTERI_POLICY = policy_file(tmp_path, controller)

    with pytest.raises(InvalidInput) as refused:
        _register(personal_identity_code=code)

    assert refused.value.message == message
    assert refused.value.code == RegisterCode.INVALID_PERSONAL_IDENTITY_CODE
    assert refused.value.data == {"field": "personal_identity_code"}
    assert code not in str(refused.value.as_dict())
    assert not Person.objects.exists()


@pytest.mark.usefixtures("german")
def test_a_german_tax_id_is_accepted_for_a_person_in_germany() -> None:
    person = _register(personal_identity_code="36 574 261 809")

    assert Person.objects.get(pk=person.pk).personal_identity_code == "36574261809"


@pytest.mark.usefixtures("swedish")
def test_the_person_s_address_decides_whose_identity_code_it_is() -> None:
    # A Finnish customer of a Swedish company: the code is checked as a Finnish one.
    _register(
        personal_identity_code="131052-308T",
        address=s.AddressIn("Kauppakatu 39", "40100", "Jyväskylä", "FI"),
    )

    with pytest.raises(InvalidInput, match="is not a valid Finnish personal identity code"):
        _register(
            first_name="Other",
            personal_identity_code="811228-9874",
            address=s.AddressIn("Kauppakatu 39", "40100", "Jyväskylä", "FI"),
        )


@pytest.mark.usefixtures("swedish")
def test_the_person_s_address_decides_whose_phone_number_it_is() -> None:
    # A Finnish customer of a Swedish company gives her number as Finns write it.
    finn = _register(
        phone="040 123 4567", address=s.AddressIn("Kauppakatu 39", "40100", "Jyväskylä", "FI")
    )
    swede = _register(first_name="Other", phone="070-123 45 67")

    assert PhoneNumber.objects.get(person=finn).number == "+358401234567"
    assert PhoneNumber.objects.get(person=swede).number == "+46701234567"


@pytest.mark.usefixtures("german")
def test_a_postal_code_of_the_wrong_shape_is_refused_by_the_controller_s_rule() -> None:
    with pytest.raises(InvalidInput) as refused:
        _register(address=s.AddressIn("Große Elbstraße 145", "2276", "Hamburg"))

    assert refused.value.message == "address.postal_code: is not a German postal code (five digits)"
    assert not Person.objects.exists()


@pytest.mark.usefixtures("german")
def test_an_organisation_s_register_number_is_checked_as_the_controller_s_country_does() -> None:
    _register(organisation=s.OrganisationIn("Elbwerft GmbH", business_id="HRB 12345 Hamburg"))

    assert Organisation.objects.get().business_id == "Hamburg HRB 12345"
    with pytest.raises(InvalidInput) as refused:
        _register(
            first_name="Other",
            organisation=s.OrganisationIn("Mainioco Oy", business_id="2817330-9"),
        )
    assert refused.value.message.startswith(
        "organisation.business_id: is not a German business id (Handelsregisternummer or VAT"
    )


@pytest.mark.usefixtures("swedish")
def test_an_import_names_the_line_of_a_bad_personnummer_and_imports_the_rest(
    tmp_path: Path,
) -> None:
    path = tmp_path / "people.csv"
    path.write_text(
        "first_name,last_name,postal_code,street_address,city,personal_identity_code\n"
        "Astrid,Lindqvist,114 55,Drottninggatan 1,Stockholm,811228-9874\n"
        "Nils,Holm,114 55,Drottninggatan 1,Stockholm,811228-9875\n",
        encoding="utf-8",
    )

    report = people_import(actor=SYSTEM, path=path, source=keys.subject_source())

    assert [(r.line, r.reason) for r in report.rejected] == [
        (3, "personal_identity_code: is not a valid Swedish personal identity code")
    ]
    assert report.imported == 1
