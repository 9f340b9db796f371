"""The register serves its current notice in Finnish and English."""

from __future__ import annotations

import pytest
from django.test import Client

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
    response = client.get("/en/privacy")

    page = response.content.decode()
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert '<h2 id="s11">11. Rights of the data subject</h2>' in page
    assert "Rekisteröidyn oikeudet" not in page
    assert 'href="/tietosuojaseloste"' in page


def test_notice_pages_only_answer_reads(client: Client) -> None:
    assert client.post("/tietosuojaseloste").status_code == 405


def test_unknown_page_is_a_404(client: Client) -> None:
    assert client.get("/no/such/page").status_code == 404
