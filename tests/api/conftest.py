from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from rekisteri.core.actors import SYSTEM
from rekisteri.staff.keys import Scope, api_key_create
from tests import policy_keys as keys

ALL_SCOPES = [str(s) for s in Scope]


@pytest.fixture
def make_key(db: None) -> Callable[..., str]:
    counter = iter(range(1000))

    def make(scopes: list[str] | None = None, purposes: list[str] | None = None) -> str:
        _, secret = api_key_create(
            actor=SYSTEM,
            name=f"system-{next(counter)}",
            scopes=scopes if scopes is not None else ALL_SCOPES,
            # By default the analysis service's key: the relationship and the company's
            # own marketing, as the description loaded now names them.
            purposes=purposes
            if purposes is not None
            else [keys.relationship_purpose(), keys.marketing_purpose()],
        )
        return secret

    return make


class Api:
    """Django's test client, speaking JSON with an API key."""

    def __init__(self, key: str | None) -> None:
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {key}"} if key else {}

    def call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        return getattr(self.client, method)(
            f"/api{path}",
            data=body,
            content_type="application/json",
            headers={**self.headers, **headers},
        )


@pytest.fixture
def api(make_key: Callable[..., str]) -> Api:
    return Api(make_key())


# What Aino gives when she signs up: her birth year only where the description
# collects it, and then from a source it lists for that too.
_AINO_FIELDS = ["email_address.address", "service_account.username"]
if keys.collects("person.birth_year"):
    _AINO_FIELDS.append("person.birth_year")

AINO = {
    # The company's service, which the person signs up in.
    "source": keys.service_source_for(*_AINO_FIELDS),
    "first_name": "Aino",
    "last_name": "Virtanen",
    "email": "aino.virtanen@example.fi",
    "phone": "040 123 4567",
    "address": {"street_address": "Kauppakatu 39", "postal_code": "40100", "city": "Jyväskylä"},
    "account": {"username": "aino", "password": "kaunis lumi sataa hiljaa"},
}
if keys.collects("person.birth_year"):
    AINO["birth_year"] = 1980
