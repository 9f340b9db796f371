"""The language switcher leads to the same page in another language, never to an error."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

from tests import policy_keys as keys
from tests.rights.conftest import Subject


def _other() -> str:
    return next(lang for lang in keys.policy().policy.languages if lang != keys.language())


def test_the_switch_on_an_emailed_links_page_keeps_its_token(client: Client, db: None) -> None:
    # The page of a sign-in link (the token is a made-up one: the page says it is not valid).
    page = client.get(f"{reverse(f'my-link-{keys.language()}')}?t=abc123").content.decode()

    assert f'href="{reverse(f"my-link-{_other()}")}?t=abc123"' in page


def test_the_switch_on_a_confirmation_leads_to_a_page_that_opens(
    aino: Subject, aino_client: Client
) -> None:
    # A confirmation answers a form; its own address takes forms only.
    asked = aino_client.post(reverse(f"my-request-{keys.language()}"), {"kind": "restriction"})
    assert asked.status_code == 200

    own_pages = reverse(f"my-{_other()}")
    assert f'href="{own_pages}"' in asked.content.decode()
    assert aino_client.get(own_pages).status_code == 200
