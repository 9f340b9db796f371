"""The subject with a full history from the rights tests serves the portal's tests too."""

import pytest
from django.test import Client
from django.urls import reverse

from tests import policy_keys as keys
from tests.rights.conftest import Subject, aino

__all__ = ["aino", "aino_client"]


@pytest.fixture
def aino_client(aino: Subject) -> Client:
    client = Client()
    response = client.post(
        reverse(f"my-sign-in-{keys.language()}"),
        {"method": "password", "username": "aino", "password": "kaunis lumi sataa hiljaa"},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse(f"my-{keys.language()}")
    return client
