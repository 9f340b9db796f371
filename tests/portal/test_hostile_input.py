"""Whatever a client sends a portal page - unknown or other people's ids, over-long or
broken values, forged tokens, no CSRF token - the answer is a page in the reader's
language, never a server error, and nothing changes."""

from __future__ import annotations

import html

import pytest
from django.core import signing
from django.test import Client
from django.urls import reverse
from django.utils import translation

from rekisteri.analytics.error_codes import AnalyticsCode
from rekisteri.audit.models import AuditEntry
from rekisteri.consent.marketing import opt_out_token
from rekisteri.consent.models import ConsentEvent
from rekisteri.policy.schema import Language
from rekisteri.portal import errors
from rekisteri.register.models import EmailAddress, Person
from rekisteri.rights.models import SubjectRequest
from tests import policy_keys as keys
from tests.rights.conftest import Subject

LONG = "x" * 20000

# Form values no page offers; each field is one some portal page reads.
HOSTILE_FORMS: list[dict[str, str]] = [
    {"kind": LONG},
    {"kind": "rectification", "email": LONG, "phone": LONG, "reason": LONG},
    {"kind": "rectification", "street_address": "Katu 1", "postal_code": LONG, "city": "Oulu"},
    {"kind": "rectification", "email": "aino@example.fi\u202e", "reason": "a\u202eb"},
    {"kind": "access\x00"},
    {"scope": LONG, "action": LONG},
    {"scope": "x:y:z", "action": "granted"},
    {"t": LONG},
    {"t": "forged.token:value"},
    {"rating": "99999999999999999999", "text": LONG},
    {"rating": "-1"},
    {"method": LONG, "username": LONG, "password": LONG},
    {"method": "password", "username": "aino\x00", "password": "x"},
    {"method": "link", "email": LONG},
    {"everywhere": LONG, "confirm": LONG},
]


def _pages(lang: Language, other: Subject) -> list[str]:
    """Every page of the portal that a POST can reach, as the person's language names it."""
    forged = "forged"
    return [
        reverse(f"my-sign-in-{lang}"),
        reverse(f"my-link-{lang}"),
        reverse(f"my-email-confirm-{lang}"),
        reverse(f"my-email-undo-{lang}"),
        reverse(f"my-request-{lang}"),
        reverse(f"my-choose-{lang}"),
        reverse(f"my-announcement-{lang}", kwargs={"announcement_id": 999999999}),
        reverse(f"survey-{lang}", kwargs={"token": forged}),
        reverse(f"opt-out-{lang}", kwargs={"token": forged}),
        reverse(
            f"my-download-{lang}",
            kwargs={"package_id": 999999999, "name": str(other.person.pk)},
        ),
    ]


def _state() -> tuple[int, ...]:
    return (
        Person.objects.count(),
        EmailAddress.objects.count(),
        SubjectRequest.objects.count(),
        ConsentEvent.objects.count(),
    )


@pytest.mark.parametrize("form", range(len(HOSTILE_FORMS)))
def test_no_form_a_client_sends_is_a_server_error_or_changes_anything(
    aino: Subject, aino_client: Client, form: int
) -> None:
    # Given Aino signed in, and a stranger
    lang = keys.language()
    aino_client.raise_request_exception = False
    stranger = Client(raise_request_exception=False)
    before = _state()

    # When either sends a form no page offers to every page of the portal
    answers = {
        (who, page): client.post(page, HOSTILE_FORMS[form]).status_code
        for page in _pages(lang, aino)
        for who, client in (("aino", aino_client), ("stranger", stranger))
    }

    # Then none is a server error, and nothing was stored
    assert {key: status for key, status in answers.items() if status >= 500} == {}
    assert _state() == before


@pytest.mark.parametrize(
    ("page", "field", "code"),
    [
        ("my-link", "t", "SIGN_IN_LINK_INVALID"),
        ("my-email-confirm", "t", "LINK_INVALID"),
        ("my-email-undo", "t", "LINK_INVALID"),
    ],
)
def test_a_forged_link_is_refused_in_the_readers_language(
    aino: Subject, page: str, field: str, code: str
) -> None:
    for lang in keys.policy().policy.languages:
        # When someone posts a token the register never signed
        response = Client().post(reverse(f"{page}-{lang}"), {field: "forged-token"})

        # Then the page says so in its own language, with a 400
        expected = next(text for key, text in errors.CODES.items() if key.name == code)
        with translation.override(lang):
            said = str(expected)
        assert response.status_code == 400
        assert response["Content-Language"] == lang
        assert said.split(":")[0] in html.unescape(response.content.decode())


def test_a_survey_link_signed_for_something_else_is_a_400_that_says_it_is_broken(
    aino: Subject,
) -> None:
    lang = keys.language()
    for token in ("forged", signing.dumps([aino.pk, 1], salt="another purpose")):
        response = Client().post(reverse(f"survey-{lang}", kwargs={"token": token}), {})

        with translation.override(lang):
            said = str(errors.CODES[AnalyticsCode.SURVEY_LINK_INVALID])
        assert said in html.unescape(response.content.decode())
        assert response.status_code == 400


def test_an_opt_out_link_for_marketing_the_description_no_longer_names_is_a_400(
    aino: Subject,
) -> None:
    # Given a link signed by the register for a purpose its description has since dropped
    lang = keys.language()
    token = opt_out_token(aino.pk, "purpose_dropped_since", "email")
    before = _state()

    # When the person follows it and confirms
    response = Client(raise_request_exception=False).post(
        reverse(f"opt-out-{lang}", kwargs={"token": token})
    )

    # Then they are told the link does not work, and nothing was recorded
    assert response.status_code == 400
    assert response["Content-Language"] == lang
    assert _state() == before


def test_a_post_without_the_csrf_token_is_a_403_and_changes_nothing(
    aino: Subject, aino_client: Client
) -> None:
    lang = keys.language()
    careful = Client(enforce_csrf_checks=True)
    careful.cookies = aino_client.cookies
    entries = AuditEntry.objects.count()
    before = _state()

    response = careful.post(reverse(f"my-request-{lang}"), {"kind": "access"})

    assert response.status_code == 403
    with translation.override(lang):
        assert translation.gettext("Privacy notice") in response.content.decode()
    assert _state() == before
    assert AuditEntry.objects.count() == entries
