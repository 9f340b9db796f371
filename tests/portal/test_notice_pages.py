"""The register serves its current notice in each language its description offers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.test import Client
from django.utils.translation import gettext_lazy as _

from rekisteri.policy.loader import parse_policy
from rekisteri.policy.selectors import policy_loaded
from rekisteri.policy.services import notice_version_record
from tests import policy_keys as keys
from tests.portal.conftest import LANGUAGES, page

pytestmark = pytest.mark.django_db

OWN = keys.language()
# The other language of the register (English beside Finnish or Swedish).
OTHER = next(lang for lang in LANGUAGES if lang != OWN)


def test_the_notice_page_in_the_registers_own_language_shows_the_version_in_force(
    client: Client,
) -> None:
    version, _unused = notice_version_record(loaded=policy_loaded())

    response = client.get(page("notice"))

    shown = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == OWN
    assert f'<html lang="{OWN}">' in shown
    assert f'<h2 id="s6">6. {keys.words(_("Retention period"))}</h2>' in shown
    assert f"{keys.words(_('version'))} {version.number}" in shown
    assert f'href="{page("notice", OTHER)}"' in shown


def test_the_notice_page_in_the_other_language_is_in_that_language(client: Client) -> None:
    notice_version_record(loaded=policy_loaded())

    response = client.get(page("notice", OTHER))

    shown = response.content.decode()
    rights = _("Rights of the data subject")
    assert response.status_code == 200
    assert response["Content-Language"] == OTHER
    assert f'<h2 id="s11">11. {keys.words(rights, OTHER)}</h2>' in shown
    assert keys.words(rights) not in shown
    assert f'href="{page("notice")}"' in shown


def test_notice_pages_only_answer_reads(client: Client) -> None:
    strict = Client(enforce_csrf_checks=True)

    assert strict.post(page("notice")).status_code == 405
    assert strict.delete(page("notice", OTHER)).status_code == 405


def test_unknown_page_is_a_404_in_each_language(client: Client, settings: object) -> None:
    response = client.get("/no/such/page")

    assert response.status_code == 404
    for lang in LANGUAGES:
        assert keys.words(_("Page not found"), lang) in response.content.decode()


def test_before_setup_records_a_version_no_notice_is_shown(client: Client) -> None:
    response = client.get(page("notice"))

    assert response.status_code == 503
    being_set_up = _("The privacy notice is being set up. Please try again shortly.")
    assert keys.words(being_set_up) in response.content.decode()


def test_the_page_shows_the_recorded_version_not_an_unrecorded_edit(client: Client) -> None:
    loaded = policy_loaded()
    contact = loaded.policy.controller.contact_email
    notice_version_record(loaded=loaded)
    text = Path(settings.REKISTERI_POLICY).read_text(encoding="utf-8")
    edited = parse_policy(text.replace(contact, "privacy@example.org"))
    assert edited.content_hash != loaded.content_hash

    before = client.get(page("notice")).content.decode()
    notice_version_record(loaded=edited)
    after = client.get(page("notice")).content.decode()

    version = keys.words(_("version"))
    assert contact in before
    assert f"{version} 1" in before
    assert "privacy@example.org" in after
    assert f"{version} 2" in after


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
