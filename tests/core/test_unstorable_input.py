"""Input no database can store (NUL, lone surrogates) gets a clear 400 at every door, never a 500.

PostgreSQL refuses NUL in text: run this file on PostgreSQL too (DATABASE_URL).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils.translation import gettext_lazy

from rekisteri.analytics.segments import SegmentDefinition
from rekisteri.core.errors import InvalidInput, Unauthenticated
from rekisteri.policy.schema import Language
from rekisteri.rights import subjects
from rekisteri.rights.models import SubjectRequest
from tests import policy_keys as keys
from tests.api.conftest import AINO, Api, api, make_key
from tests.console.conftest import signed_in
from tests.portal.conftest import aino_client
from tests.rights.conftest import SUBJECT_EMAIL, Subject, aino

__all__ = ["aino", "aino_client", "api", "make_key"]

UNSTORABLE = gettext_lazy(
    "The request contains characters that cannot be stored (such as a NUL "
    "character). Remove them and try again."
)
# The register's own language: unprefixed pages in Finnish for Mainioco, /sv/ for Norrsken.
OWN = keys.language()
OWN_SIGN_IN = reverse(f"my-sign-in-{OWN}")


def _client() -> Client:
    # What a browser or a script sees: the response, never an exception.
    return Client(raise_request_exception=False)


@pytest.mark.parametrize(
    ("path", "form", "lang"),
    [
        (OWN_SIGN_IN, {"method": "password", "username": "ai\x00no", "password": "x"}, OWN),
        ("/en/my/sign-in", {"method": "password", "username": "aino\x00", "password": "x"}, "en"),
        (OWN_SIGN_IN, {"method": "link", "email": f"{SUBJECT_EMAIL}\x00"}, OWN),
        ("/en/my/sign-in", {"method": "link", "email": f"\x00{SUBJECT_EMAIL}"}, "en"),
    ],
)
def test_a_nul_in_a_portal_sign_in_form_gets_a_clear_400_in_the_pages_language(
    aino: Subject, path: str, form: dict[str, str], lang: Language
) -> None:
    response = _client().post(path, form)

    assert response.status_code == 400
    assert keys.words(UNSTORABLE, lang).split(" (")[0] in response.content.decode()


def test_a_nul_in_an_urlencoded_form_is_refused_as_in_a_multipart_one(aino: Subject) -> None:
    from urllib.parse import urlencode

    response = _client().post(
        "/en/my/sign-in",
        urlencode({"method": "password", "username": "a\x00", "password": "x"}),
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert "The request contains characters that cannot be stored" in response.content.decode()


def test_a_nul_in_a_console_segment_filter_gets_a_400(
    enrolled: Callable[[str, str], User],
) -> None:
    analyst = signed_in(enrolled("anna", keys.analyst_role()))
    analyst.raise_request_exception = False

    response = analyst.get(
        f"/console/segments?purpose={keys.statistics_purpose()}"
        "&customership=active&city=a%00b&show=1"
    )
    posted = analyst.post(
        "/console/segments",
        {"purpose": keys.statistics_purpose(), "customership": "active", "name": "N\x00yt"},
    )

    assert response.status_code == 400
    assert keys.words(UNSTORABLE).split(" (")[0] in response.content.decode()
    assert posted.status_code == 400


def test_a_segment_filter_no_database_can_store_is_refused_by_the_service() -> None:
    with pytest.raises(InvalidInput, match="cannot be stored"):
        SegmentDefinition.from_form({"service": "Pro\x00"})


@pytest.mark.django_db
def test_a_sign_in_with_a_nul_in_the_username_is_refused_like_a_wrong_password() -> None:
    with pytest.raises(Unauthenticated, match="the username or the password is wrong"):
        subjects.subject_sign_in_password(username="ai\x00no", password="x", origin="test")
    # No address has a NUL in it: nothing is sent, and nothing fails.
    subjects.subject_sign_in_link_request(email="a\x00@example.fi", language="fi", client="test")


@pytest.mark.parametrize("bad", ["a\u0000@example.fi", "\ud800@example.fi"])
def test_a_json_body_with_text_no_database_can_store_gets_the_apis_400(api: Api, bad: str) -> None:
    body = json.dumps({"email": bad, "purpose": keys.marketing_purpose()})
    lookup = api.client.post(
        "/api/people/lookup", data=body, content_type="application/json", headers=api.headers
    )
    create = api.client.post(
        "/api/people",
        data=json.dumps({**AINO, "first_name": bad}),
        content_type="application/json",
        headers=api.headers,
    )

    for response in (lookup, create):
        assert response.status_code == 400
        assert response.json() == {
            "code": "unstorable_text",
            "message": (
                "the request contains characters that cannot be stored (NUL or a lone surrogate)"
            ),
            "data": {},
        }


def test_a_nul_in_an_api_query_string_or_header_gets_the_apis_400(api: Api) -> None:
    query = api.client.get("/api/people/1?purpose=market%00ing", headers=api.headers)
    header = api.client.post(
        "/api/people",
        data=json.dumps(AINO),
        content_type="application/json",
        headers={**api.headers, "Idempotency-Key": "key\x00"},
    )

    assert query.status_code == 400
    assert query.json()["code"] == "unstorable_text"
    assert header.status_code == 400


def test_a_nul_in_a_cookie_never_reaches_the_session_store() -> None:
    client = _client()
    client.cookies["sessionid"] = "abcdefgh\x00ijklmnop"

    response = client.get("/console/")

    assert response.status_code == 400


def test_clean_input_passes_as_before(aino: Subject, api: Api) -> None:
    signed = _client().post(
        reverse(f"my-sign-in-{keys.language()}"),
        {"method": "password", "username": "aino", "password": "kaunis lumi sataa hiljaa"},
    )
    other = {
        **AINO,
        "email": "toinen@example.fi",
        "account": {"username": "toinen", "password": "kaunis lumi sataa hiljaa"},
    }
    created: Any = api.call("post", "/people", other)

    assert signed.status_code == 302
    assert created.status_code == 201


@pytest.mark.parametrize("raw", [b"%ed%a0%80", b"%ff", b"\xc3("])
def test_bytes_that_are_not_utf8_in_a_form_are_refused_not_stored_as_replacement_marks(
    aino: Subject, aino_client: Client, raw: bytes
) -> None:
    # A rectification's proposed street, as a hostile client sends it.
    body = b"kind=rectification&street_address=" + raw + b"&postal_code=00100&city=H"
    response = aino_client.generic(
        "POST",
        reverse(f"my-request-{OWN}"),
        body,
        content_type="application/x-www-form-urlencoded",
    )

    assert response.status_code == 400
    assert keys.words(UNSTORABLE, OWN).split(" (")[0] in response.content.decode()
    assert not SubjectRequest.objects.filter(person_id=aino.pk).exists()


def test_bytes_that_are_not_utf8_in_a_query_are_refused() -> None:
    response = _client().get(f"{OWN_SIGN_IN}?next=%ff")

    assert response.status_code == 400
