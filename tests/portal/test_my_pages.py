"""The data subject's own pages: sign-in, own data, requests and downloads."""

from __future__ import annotations

import hashlib
import html
import re
from typing import Any

from django.test import Client
from django.urls import URLResolver, get_resolver, reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from rekisteri.core.jobs import jobs_run_queued
from rekisteri.rights.models import RequestState, SignInLink, SubjectRequest
from tests import policy_keys as keys
from tests.portal.conftest import LANGUAGES, page
from tests.rights.conftest import SUBJECT_EMAIL, Subject

# Aino lives in Finland under any register: her number is read as a Finnish one.
AINO_PHONE = "+358401234567"


def _every_pattern(patterns: list[Any], prefix: str = "") -> list[str]:
    found = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            found += _every_pattern(entry.url_patterns, prefix + str(entry.pattern))
        else:
            found.append(prefix + str(entry.pattern))
    return found


def test_a_signed_in_subject_sees_own_data_by_category_with_purpose_source_and_date(
    aino_client: Client,
) -> None:
    shown = html.unescape(aino_client.get(page("my")).content.decode())

    policy, lang = keys.policy(), keys.language()
    assert "Virtanen" in shown
    assert AINO_PHONE in shown
    # Category and purpose names come from the policy, in the register's language.
    assert f">{capfirst(policy.categories[keys.contact_category()].name(lang))}<" in shown
    assert policy.purposes[keys.relationship_purpose()].name(lang) in shown
    assert keys.words(_("Used for")) in shown
    assert keys.words(_("Source")) in shown
    assert policy.supervisory_authority.name(lang) in shown
    assert "kaunis lumi" not in shown
    assert "argon2" not in shown


def test_pages_are_not_shown_without_signing_in(aino: Subject) -> None:
    response = Client().get(page("my"))

    assert response.status_code == 302
    assert response["Location"] == page("sign_in")


def test_a_wrong_password_is_refused_without_telling_which_part_was_wrong(aino: Subject) -> None:
    client = Client()
    wrong_password = client.post(
        page("sign_in"), {"method": "password", "username": "aino", "password": "x"}
    )
    wrong_user = client.post(
        page("sign_in"), {"method": "password", "username": "nobody", "password": "x"}
    )

    assert wrong_password.status_code == wrong_user.status_code == 401
    wrong = keys.words(_("The username or the password is wrong."))
    assert wrong in html.unescape(wrong_password.content.decode())
    assert client.get(page("my")).status_code == 302


def test_five_failures_lock_the_username_out(aino: Subject) -> None:
    client = Client()
    for _attempt in range(5):
        client.post(
            page("sign_in"), {"method": "password", "username": "aino", "password": "wrong"}
        )
    locked = client.post(
        page("sign_in"),
        {"method": "password", "username": "aino", "password": "kaunis lumi sataa hiljaa"},
    )

    assert locked.status_code == 429


def test_a_link_sent_to_the_address_on_file_signs_in_once(
    aino: Subject, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post("/en/my/sign-in", {"method": "link", "email": SUBJECT_EMAIL.upper()})
        unknown = client.post("/en/my/sign-in", {"method": "link", "email": "someone@example.org"})
    assert sent.content == unknown.content  # nothing tells whether an address is registered
    jobs_run_queued()  # the link leaves from a job, never inside the request
    [mail] = smtp.messages
    link = re.search(r"https?://\S+/en/my/link\?t=(\S+)", smtp.body(mail))
    assert link is not None
    token = link.group(1)

    # A mail scanner's GET does not use it up; the page carries the token to the form.
    confirm = client.get("/en/my/link", {"t": token})
    assert confirm.status_code == 200
    assert token in confirm.content.decode()
    assert client.post("/en/my/link", {"t": token})["Location"] == "/en/my/"
    assert "Virtanen" in client.get("/en/my/").content.decode()
    assert Client().post("/en/my/link", {"t": token}).status_code == 400  # once only


def test_an_access_request_from_the_portal_is_verified_and_its_package_downloaded(
    aino_client: Client, aino: Subject
) -> None:
    asked = aino_client.post(page("request"), {"kind": "access"})
    assert asked["Location"] == page("my") + "?done=1"
    request = SubjectRequest.objects.get(person_id=aino.pk, kind="access")
    assert request.state == RequestState.VERIFIED
    assert request.channel == "portal"
    jobs_run_queued()

    shown = aino_client.get(page("my")).content.decode()
    [href] = set(re.findall(rf'href="({re.escape(page("package"))}\d+/access\.html)"', shown))
    download = aino_client.get(href)
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="access.html"'
    assert "Virtanen" in download.content.decode()


def test_erasure_asks_for_confirmation_first(aino_client: Client, aino: Subject) -> None:
    response = aino_client.post(page("request"), {"kind": "erasure"})

    assert response.status_code == 200
    shown = response.content.decode()
    assert keys.words(_("What will happen")) in shown
    assert 'name="confirm" value="yes"' in shown
    assert not SubjectRequest.objects.filter(person_id=aino.pk).exists()


def test_a_subject_never_reaches_another_subjects_data_through_any_portal_url(
    aino_client: Client, aino: Subject
) -> None:
    # Aino's package exists; Bertta signs in by link and tries every URL with Aino's ids.
    aino_client.post(page("request"), {"kind": "access"})
    jobs_run_queued()
    request = SubjectRequest.objects.get(person_id=aino.pk, kind="access")
    package_id = request.result["package"]
    SignInLink.objects.create(
        person_id=aino.other.pk,
        token_hash=hashlib.sha256(b"bertta-token").hexdigest(),
        created_at=request.received_at,
        expires_at=request.received_at.replace(year=2100),
    )
    bertta = Client()
    bertta.post(reverse(f"my-link-{keys.language()}"), {"t": "bertta-token"})
    assert "Korhonen" in bertta.get(page("my")).content.decode()

    # The own pages in every language the register offers.
    own_pages = tuple(page("my", lang).lstrip("/") for lang in LANGUAGES)
    portal_patterns = [
        p for p in _every_pattern(get_resolver().url_patterns) if p.startswith(own_pages)
    ]
    id_patterns = [p for p in portal_patterns if "<id:" in p]
    assert id_patterns, "the portal has URLs with ids; each must be tried"
    for pattern in id_patterns:
        for name in ("access.html", "access.json"):
            url = "/" + pattern.replace("<id:package_id>", str(package_id)).replace(
                "<str:name>", name
            )
            response = bertta.get(url)
            assert response.status_code == 404, url
            assert b"Virtanen" not in response.content
    # Bertta's own page shows her data only (her note mentions Aino by name, but
    # none of Aino's own records is there).
    own = bertta.get(page("my")).content.decode()
    assert AINO_PHONE not in own
    assert "2025-0042" not in own


def test_a_general_objection_waits_for_the_dpo_and_restricts_meanwhile(
    aino_client: Client, aino: Subject
) -> None:
    from rekisteri.register.models import Person

    aino_client.post(page("request"), {"kind": "objection", "confirm": "yes"})

    request = SubjectRequest.objects.get(person_id=aino.pk, kind="objection")
    assert request.state == RequestState.VERIFIED
    assert Person.objects.get(pk=aino.pk).restricted_since is not None
    # She still sees her own data: a restriction never hides a person from themselves.
    assert "Virtanen" in aino_client.get(page("my")).content.decode()


def test_a_username_with_spaces_counts_against_the_same_lockout(aino: Subject) -> None:
    client = Client()
    for variant in ("aino", " aino", "aino ", "\taino", " aino "):
        client.post(
            page("sign_in"), {"method": "password", "username": variant, "password": "wrong"}
        )
    locked = client.post(
        page("sign_in"),
        {"method": "password", "username": " aino", "password": "kaunis lumi sataa hiljaa"},
    )

    assert locked.status_code == 429


def test_a_package_number_past_any_id_is_not_found(aino_client: Client) -> None:
    response = aino_client.get(page("package") + "999999999999999999999/access.json")

    assert response.status_code == 404


def test_sign_in_links_are_rate_limited_per_person(
    aino: Subject, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            Client().post(page("sign_in"), {"method": "link", "email": SUBJECT_EMAIL})
            for _attempt in range(6)
        ]
    jobs_run_queued()

    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429, 429]
    assert len(smtp.to(SUBJECT_EMAIL)) == 3


def test_a_correction_with_a_bad_postal_code_is_refused_when_proposed(
    aino_client: Client, aino: Subject
) -> None:
    response = aino_client.post(
        page("request"),
        {
            "kind": "rectification",
            "street_address": "Uusi katu 1",
            "postal_code": "ABCDE",
            "city": "Oulu",
        },
    )

    assert response.status_code == 400
    assert keys.words(_("postal code")) in html.unescape(response.content.decode())
    assert not SubjectRequest.objects.filter(person_id=aino.pk).exists()
