"""The portal speaks the languages the register's policy offers, Swedish under /sv/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from rekisteri.core.actors import SYSTEM
from rekisteri.core.jobs import jobs_run_queued
from rekisteri.policy.loader import load_policy
from rekisteri.policy.services import notice_version_record
from rekisteri.register.services import PersonIn, person_register
from tests import policy_keys as keys

pytestmark = pytest.mark.django_db

POLICIES = Path(__file__).resolve().parent.parent.parent / "policies"
NORRSKEN = POLICIES / "norrsken.toml"
MAINIOCO = POLICIES / "mainioco.toml"


@pytest.fixture
def swedish_register(settings: Any) -> None:
    """The register runs Norrsken Analys AB's description, its notice recorded."""
    settings.REKISTERI_POLICY = NORRSKEN
    notice_version_record(loaded=load_policy(NORRSKEN))


def test_the_swedish_notice_is_served_in_swedish_at_its_sv_address(
    client: Client, swedish_register: None
) -> None:
    response = client.get("/sv/integritetspolicy")

    page = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "sv"
    assert '<html lang="sv">' in page
    assert "Norrsken Analys AB:s kundregister" in page
    assert "Personuppgiftsansvarig" in page
    assert "Den registrerades rättigheter" in page
    assert "Integritetsskyddsmyndigheten (IMY)" in page
    # Its bookkeeping hold, in Swedish words from the catalogue and the policy.
    assert "bokföringslagen (1999:1078) 7 kap. 2 §" in page
    assert "Rekisteröidyn oikeudet" not in page
    assert "Rights of the data subject" not in page


def test_the_switcher_offers_the_policys_other_languages_only(
    client: Client, swedish_register: None
) -> None:
    swedish = client.get("/sv/integritetspolicy").content.decode()
    english = client.get("/en/privacy").content.decode()

    assert '<a href="/en/privacy" lang="en" hreflang="en">In English</a>' in swedish
    assert "Suomeksi" not in swedish
    assert '<a href="/sv/integritetspolicy" lang="sv" hreflang="sv">På svenska</a>' in english
    assert "Suomeksi" not in english


def test_a_language_the_policy_does_not_offer_leads_to_its_default_language(
    client: Client, swedish_register: None
) -> None:
    notice = client.get("/tietosuojaseloste")
    home = client.get("/")

    assert notice.status_code == 302
    assert notice["Location"] == "/sv/integritetspolicy"
    assert home["Location"] == "/sv/"


@pytest.fixture
def register_without_swedish(settings: Any) -> None:
    """The register runs Mainioco's description (Finnish and English), its notice recorded."""
    settings.REKISTERI_POLICY = MAINIOCO
    notice_version_record(loaded=load_policy(MAINIOCO))


def test_a_register_without_swedish_offers_no_swedish_pages_and_keeps_its_own(
    client: Client, register_without_swedish: None
) -> None:

    swedish = client.get("/sv/integritetspolicy")
    finnish = client.get("/tietosuojaseloste").content.decode()

    assert swedish.status_code == 302
    assert swedish["Location"] == "/tietosuojaseloste"
    assert '<a href="/en/privacy" lang="en" hreflang="en">In English</a>' in finnish
    assert "På svenska" not in finnish


def test_a_swedish_page_is_not_written_to_when_swedish_is_not_offered(
    client: Client, register_without_swedish: None
) -> None:
    response = client.post("/sv/mina-sidor/logga-in", {"method": "link", "email": "a@b.se"})

    assert response.status_code == 404


def test_the_swedish_home_and_sign_in_pages_are_in_swedish(
    client: Client, swedish_register: None
) -> None:
    home = client.get("/sv/").content.decode()
    sign_in = client.get("/sv/mina-sidor/logga-in").content.decode()

    assert 'href="/sv/integritetspolicy"' in home
    assert 'href="/sv/mina-sidor/"' in home
    assert "Läs integritetspolicyn" in home
    assert "Se dina egna uppgifter" in sign_in
    assert "Skicka mig en inloggningslänk" in sign_in


def test_a_sign_in_link_asked_in_swedish_comes_in_swedish_to_a_swedish_address(
    client: Client,
    swedish_register: None,
    mailoutbox: list[Any],
    django_capture_on_commit_callbacks: Any,
) -> None:
    address = "astrid.lind@example.se"
    person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=PersonIn(first_name="Astrid", last_name="Lind", email=address),
    )

    with django_capture_on_commit_callbacks(execute=True):
        client.post("/sv/mina-sidor/logga-in", {"method": "link", "email": address})
    jobs_run_queued()

    [mail] = mailoutbox
    assert mail.subject == "Inloggningslänk: Norrsken Analys AB:s kundregister"
    assert "logga in på dina sidor med den här länken" in mail.body
    assert "/sv/mina-sidor/lank?t=" in mail.body
