"""The register serves its current notice in Finnish and English."""

from __future__ import annotations

from typing import Any

import pytest
from django.template.loader import render_to_string
from django.test import Client

from rekisteri.policy.loader import parse_policy
from rekisteri.policy.selectors import policy_loaded
from rekisteri.policy.services import notice_version_record

pytestmark = pytest.mark.django_db


def test_finnish_notice_page_shows_the_version_in_force(client: Client) -> None:
    version, _ = notice_version_record(loaded=policy_loaded())

    response = client.get("/tietosuojaseloste")

    page = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "fi"
    assert '<html lang="fi">' in page
    assert '<h2 id="s6">6. Tietojen säilytysaika</h2>' in page
    assert f"versio {version.number}" in page
    assert 'href="/en/privacy"' in page


def test_english_notice_page_is_in_english(client: Client) -> None:
    notice_version_record(loaded=policy_loaded())

    response = client.get("/en/privacy")

    page = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert '<h2 id="s11">11. Rights of the data subject</h2>' in page
    assert "Rekisteröidyn oikeudet" not in page
    assert 'href="/tietosuojaseloste"' in page


def test_notice_pages_only_answer_reads(client: Client) -> None:
    strict = Client(enforce_csrf_checks=True)

    assert strict.post("/tietosuojaseloste").status_code == 405
    assert strict.delete("/en/privacy").status_code == 405


def test_unknown_page_is_a_404_in_both_languages(client: Client, settings: object) -> None:
    response = client.get("/no/such/page")

    assert response.status_code == 404
    assert "Sivua ei löytynyt" in response.content.decode()
    assert "Page not found" in response.content.decode()


def test_before_setup_records_a_version_no_notice_is_shown(client: Client) -> None:
    response = client.get("/tietosuojaseloste")

    assert response.status_code == 503
    assert "Tietosuojaselostetta otetaan käyttöön" in response.content.decode()


def test_the_page_shows_the_recorded_version_not_an_unrecorded_edit(
    client: Client, mainioco_text: str
) -> None:
    notice_version_record(loaded=policy_loaded())
    edited = parse_policy(mainioco_text.replace("asko@mainio.co", "tietosuoja@mainio.co"))
    assert edited.content_hash != policy_loaded().content_hash

    before = client.get("/tietosuojaseloste").content.decode()
    notice_version_record(loaded=edited)
    after = client.get("/tietosuojaseloste").content.decode()

    assert "asko@mainio.co" in before
    assert "versio 1" in before
    assert "tietosuoja@mainio.co" in after
    assert "versio 2" in after


@pytest.mark.parametrize("page", ["400.html", "403.html", "404.html", "500.html"])
def test_error_pages_speak_the_languages_the_register_offers(page: str, settings: Any) -> None:
    # A Swedish company's register (policy languages sv, en): no Finnish on its error pages.
    settings.LANGUAGES = [("sv", "svenska"), ("en", "English")]

    shown = render_to_string(page)

    assert '<html lang="sv">' in shown
    assert 'href="/sv/integritetspolicy"' in shown
    assert 'href="/en/privacy"' in shown
    assert "Tietosuojaseloste" not in shown
    assert 'href="/tietosuojaseloste"' not in shown
    assert any(
        title in shown
        for title in (
            "Felaktig begäran",
            "Åtkomst nekad",
            "Sidan hittades inte",
            "Något gick fel hos oss",
        )
    )
