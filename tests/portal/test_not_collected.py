"""The portal and the console offer no field for what the register does not collect, and
a correction that names it anyway is refused in the reader's words, changing nothing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client

from rekisteri.core.actors import SYSTEM
from rekisteri.policy.selectors import policy_get
from rekisteri.register import services as s
from rekisteri.register.models import PhoneNumber
from rekisteri.rights.models import SubjectRequest
from tests.console.conftest import signed_in
from tests.notcollected import without_phones
from tests.portal.test_what_people_read import _visible

pytestmark = pytest.mark.django_db

PASSWORD = "kaunis lumi sataa hiljaa"


@pytest.fixture
def astrid(settings: Any, tmp_path: Path) -> int:
    """A customer of a register that does not collect phone numbers, signed up in the portal."""
    settings.REKISTERI_POLICY = without_phones(tmp_path)
    person = s.person_register(
        actor=SYSTEM,
        source="subject",
        person=s.PersonIn(
            first_name="Astrid",
            last_name="Lindqvist",
            email="astrid@example.fi",
            address=s.AddressIn("Kauppakatu 39", "40100", "Jyväskylä"),
        ),
        username="astrid",
        password=PASSWORD,
    )
    return person.pk


def _portal(lang: str) -> Client:
    client = Client()
    prefix = "/oma/kirjaudu" if lang == "fi" else "/en/my/sign-in"
    response = client.post(
        prefix, {"method": "password", "username": "astrid", "password": PASSWORD}
    )
    assert response.status_code == 302
    return client


@pytest.mark.parametrize(
    ("lang", "my", "phone", "email"),
    [
        ("fi", "/oma/", "Uusi puhelinnumero", "Uusi sähköpostiosoite"),
        ("en", "/en/my/", "New phone number", "New e-mail address"),
    ],
)
def test_the_correction_form_offers_no_phone_number_where_phones_are_not_collected(
    astrid: int, lang: str, my: str, phone: str, email: str
) -> None:
    page = _visible(_portal(lang).get(my).content.decode())

    assert email in page
    assert phone not in page


@pytest.mark.parametrize(
    ("lang", "request_path", "said"),
    [
        ("fi", "/oma/pyynto", "Emme kerää tätä tietoa: puhelinnumero."),
        ("en", "/en/my/request", "We do not collect your phone number."),
    ],
)
def test_a_correction_naming_a_phone_number_anyway_is_refused_in_the_persons_words(
    astrid: int, lang: str, request_path: str, said: str
) -> None:
    response = _portal(lang).post(
        request_path, {"kind": "rectification", "phone": "040 123 4567", "reason": "uusi"}
    )

    assert response.status_code == 422
    assert said in _visible(response.content.decode())
    assert not SubjectRequest.objects.exists()
    assert not PhoneNumber.objects.exists()


def test_the_console_offers_no_phone_field_where_phones_are_not_collected(
    astrid: int, enrolled: Callable[[str, str], User]
) -> None:
    writers = s.contact_write_purposes()
    role = next(k for k, r in policy_get().roles.items() if set(r.purposes) & set(writers))
    purpose = next(p for p in policy_get().roles[role].purposes if p in writers)
    client = signed_in(enrolled("asta", role))

    page = client.get(f"/console/people/{astrid}?purpose={purpose}").content.decode()
    posted = client.post(
        f"/console/people/{astrid}/rectify?purpose={purpose}",
        {"phone": "040 123 4567", "reason": "asiakas soitti"},
    )

    assert 'name="email"' in page
    assert 'name="phone"' not in page
    # A phone number posted anyway is no field of the form: nothing is stored.
    assert not PhoneNumber.objects.exists()
    assert posted.status_code in (302, 400)
