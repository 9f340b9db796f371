"""The subject with a full history from the rights tests serves the portal's tests too.

Pages are asked at their addresses in the loaded description's languages
(``page``), and the words a test looks for are the register's own, as it says them
in the page's language (``keys.words``), so the tests run under any description.
"""

import pytest
from django.test import Client
from django.urls import reverse

from rekisteri.policy.schema import Language
from rekisteri.portal.languages import PAGE_PATHS
from tests import policy_keys as keys
from tests.rights.conftest import Subject, aino

__all__ = ["LANGUAGES", "aino", "aino_client", "page"]

# The languages the loaded description offers, its own first.
LANGUAGES: tuple[Language, ...] = tuple(keys.policy().policy.languages)


def page(name: str, lang: Language | None = None) -> str:
    """A portal page's address in ``lang`` (by default the register's own language)."""
    return PAGE_PATHS[name][lang or keys.language()]


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
