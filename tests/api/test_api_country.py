"""The API registers people of a Swedish company by Sweden's rules, through the real NinjaAPI."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rekisteri.register.models import Organisation, Person, PostalAddress
from tests.api.conftest import AINO, Api
from tests.countries import SWEDISH, policy_file

pytestmark = pytest.mark.django_db

STOCKHOLM = {"street_address": "Drottninggatan 1", "postal_code": "11455", "city": "Stockholm"}
ASTRID = {
    **AINO,
    "first_name": "Astrid",
    "last_name": "Lindqvist",
    "email": "astrid@example.se",
    "phone": "070-123 45 67",
    "address": STOCKHOLM,
    "account": None,
}


@pytest.fixture(autouse=True)
def swedish(settings: Any, tmp_path: Path) -> None:
    settings.REKISTERI_POLICY = policy_file(tmp_path, SWEDISH)


def test_a_swedish_person_and_organisation_are_registered_in_sweden_s_forms(api: Api) -> None:
    response = api.call(
        "post",
        "/people",
        {
            **ASTRID,
            "personal_identity_code": "811228-9874",
            "organisation": {"name": "Skärgårdsdata AB", "business_id": "5560360793"},
        },
    )

    assert response.status_code == 201, response.json()
    person = Person.objects.get(pk=response.json()["id"])
    assert PostalAddress.objects.get(person=person).postal_code == "114 55"
    assert Organisation.objects.get().business_id == "556036-0793"


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        pytest.param(
            {"personal_identity_code": "811228-9875"},
            400,
            "personal_identity_code: is not a valid Swedish personal identity code",
            id="bad-personnummer",
        ),
        pytest.param(
            {"personal_identity_code": "8" * 21},
            422,
            "the request does not match the schema",
            id="identity-code-longer-than-any-country-s",
        ),
        pytest.param(
            {"address": {**STOCKHOLM, "postal_code": "1145"}},
            400,
            "address.postal_code: is not a Swedish postal code (NNN NN)",
            id="short-postal-code",
        ),
    ],
)
def test_bad_swedish_data_is_refused_clearly_without_its_value(
    api: Api, change: dict[str, object], status: int, message: str
) -> None:
    response = api.call("post", "/people", {**ASTRID, **change})

    assert response.status_code == status
    assert response.json()["message"] == message
    assert "9875" not in response.content.decode()
    assert Person.objects.count() == 0
