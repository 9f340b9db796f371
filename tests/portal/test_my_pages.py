"""The data subject's own pages: sign-in, own data, requests and downloads."""

from __future__ import annotations

import hashlib
import re
from typing import Any

from django.test import Client
from django.urls import URLResolver, get_resolver

from rekisteri.core.jobs import jobs_run_queued
from rekisteri.rights.models import RequestState, SignInLink, SubjectRequest
from tests.rights.conftest import SUBJECT_EMAIL, Subject


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
    page = aino_client.get("/oma/").content.decode()

    assert "Virtanen" in page
    assert "+358401234567" in page
    # Category and purpose names come from the policy, in Finnish.
    assert "Yhteystiedot" in page
    assert "Käyttötarkoitukset" in page
    assert "Lähde" in page
    assert "Tietosuojavaltuutetun toimisto" in page
    assert "kaunis lumi" not in page
    assert "argon2" not in page


def test_pages_are_not_shown_without_signing_in(aino: Subject) -> None:
    response = Client().get("/oma/")

    assert response.status_code == 302
    assert response["Location"] == "/oma/kirjaudu"


def test_a_wrong_password_is_refused_without_telling_which_part_was_wrong(aino: Subject) -> None:
    client = Client()
    wrong_password = client.post(
        "/oma/kirjaudu", {"method": "password", "username": "aino", "password": "x"}
    )
    wrong_user = client.post(
        "/oma/kirjaudu", {"method": "password", "username": "nobody", "password": "x"}
    )

    assert wrong_password.status_code == wrong_user.status_code == 401
    assert "Käyttäjätunnus tai salasana on väärä" in wrong_password.content.decode()
    assert client.get("/oma/").status_code == 302


def test_five_failures_lock_the_username_out(aino: Subject) -> None:
    client = Client()
    for _ in range(5):
        client.post(
            "/oma/kirjaudu", {"method": "password", "username": "aino", "password": "wrong"}
        )
    locked = client.post(
        "/oma/kirjaudu",
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
    assert aino_client.post("/oma/pyynto", {"kind": "access"})["Location"] == "/oma/?done=1"
    request = SubjectRequest.objects.get(person_id=aino.pk, kind="access")
    assert request.state == RequestState.VERIFIED
    assert request.channel == "portal"
    jobs_run_queued()

    page = aino_client.get("/oma/").content.decode()
    [href] = set(re.findall(r'href="(/oma/paketti/\d+/access\.html)"', page))
    download = aino_client.get(href)
    assert download.status_code == 200
    assert download["Content-Disposition"] == 'attachment; filename="access.html"'
    assert "Virtanen" in download.content.decode()


def test_erasure_asks_for_confirmation_first(aino_client: Client, aino: Subject) -> None:
    response = aino_client.post("/oma/pyynto", {"kind": "erasure"})

    assert response.status_code == 200
    page = response.content.decode()
    assert "Mitä tapahtuu" in page
    assert 'name="confirm" value="yes"' in page
    assert not SubjectRequest.objects.filter(person_id=aino.pk).exists()


def test_a_subject_never_reaches_another_subjects_data_through_any_portal_url(
    aino_client: Client, aino: Subject
) -> None:
    # Aino's package exists; Bertta signs in by link and tries every URL with Aino's ids.
    aino_client.post("/oma/pyynto", {"kind": "access"})
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
    bertta.post("/oma/linkki", {"t": "bertta-token"})
    assert "Korhonen" in bertta.get("/oma/").content.decode()

    portal_patterns = [
        p for p in _every_pattern(get_resolver().url_patterns) if p.startswith(("oma/", "en/my/"))
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
    own = bertta.get("/oma/").content.decode()
    assert "+358401234567" not in own
    assert "2025-0042" not in own


def test_a_general_objection_waits_for_the_dpo_and_restricts_meanwhile(
    aino_client: Client, aino: Subject
) -> None:
    from rekisteri.register.models import Person

    aino_client.post("/oma/pyynto", {"kind": "objection", "confirm": "yes"})

    request = SubjectRequest.objects.get(person_id=aino.pk, kind="objection")
    assert request.state == RequestState.VERIFIED
    assert Person.objects.get(pk=aino.pk).restricted_since is not None
    # She still sees her own data: a restriction never hides a person from themselves.
    assert "Virtanen" in aino_client.get("/oma/").content.decode()


def test_a_username_with_spaces_counts_against_the_same_lockout(aino: Subject) -> None:
    client = Client()
    for variant in ("aino", " aino", "aino ", "\taino", " aino "):
        client.post(
            "/oma/kirjaudu", {"method": "password", "username": variant, "password": "wrong"}
        )
    locked = client.post(
        "/oma/kirjaudu",
        {"method": "password", "username": " aino", "password": "kaunis lumi sataa hiljaa"},
    )

    assert locked.status_code == 429


def test_a_package_number_past_any_id_is_not_found(aino_client: Client) -> None:
    response = aino_client.get("/oma/paketti/999999999999999999999/access.json")

    assert response.status_code == 404


def test_sign_in_links_are_rate_limited_per_person(
    aino: Subject, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            Client().post("/oma/kirjaudu", {"method": "link", "email": SUBJECT_EMAIL})
            for _ in range(6)
        ]
    jobs_run_queued()

    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429, 429]
    assert len(smtp.to(SUBJECT_EMAIL)) == 3


def test_a_correction_with_a_bad_postal_code_is_refused_when_proposed(
    aino_client: Client, aino: Subject
) -> None:
    response = aino_client.post(
        "/oma/pyynto",
        {
            "kind": "rectification",
            "street_address": "Uusi katu 1",
            "postal_code": "ABCDE",
            "city": "Oulu",
        },
    )

    assert response.status_code == 400
    assert "postal" in response.content.decode() or "posti" in response.content.decode()
    assert not SubjectRequest.objects.filter(person_id=aino.pk).exists()
