"""A data subject's journey in a real browser: sign in, see, download, object, be forgotten."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from rekisteri.consent.models import ConsentAction, ConsentEvent
from rekisteri.core.jobs import jobs_run_queued
from tests import policy_keys as keys
from tests.rights.conftest import register_aino
from tests.rights.test_services_requests import _all_text_in_database

pytestmark = pytest.mark.browser


def test_a_subject_signs_in_sees_downloads_objects_and_is_forgotten(
    served: str, browser: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    aino = register_aino()
    page = browser.new_page(locale="fi-FI", accept_downloads=True)

    # Sign in with the analysis service's account.
    page.goto(f"{served}/")
    page.get_by_role("link", name="Katso omat tietosi ja käytä oikeuksiasi").click()
    page.get_by_label("Käyttäjätunnus").fill("aino")
    page.get_by_label("Salasana").fill("kaunis lumi sataa hiljaa")
    page.get_by_role("button", name="Kirjaudu sisään").click()
    page.wait_for_url(f"{served}/oma/")

    # Her own data, by category, with purposes, source and date.
    assert page.get_by_role("heading", name="Yhteystiedot", exact=False).first.is_visible()
    assert page.get_by_text("+358401234567").is_visible()
    page.screenshot(path=str(screenshot_dir / "portal-own-data.png"), full_page=True)

    # Ask for the access package; the worker builds it; download it.
    page.get_by_role("button", name="Oikeus tarkastaa omat tiedot").click()
    page.wait_for_url(f"{served}/oma/?done=1")
    jobs_run_queued()
    page.reload()
    with page.expect_download() as info:
        page.get_by_role("link", name="access.json").click()
    saved = tmp_path / "access.json"
    info.value.save_as(saved)
    package = json.loads(saved.read_text(encoding="utf-8"))
    assert package["data"]["contact"][0]["first_name"] == "Aino"
    assert package["information"]["complaint"]["website"] == "https://tietosuoja.fi"

    # Object to direct marketing: in force at once.
    page.get_by_role("button", name="Suoramarkkinointikielto").click()
    page.wait_for_url(f"{served}/oma/?done=1")
    assert ConsentEvent.objects.filter(
        person_id=aino.pk, scope=keys.marketing_purpose(), action=ConsentAction.OBJECTED
    ).exists()
    page.screenshot(path=str(screenshot_dir / "portal-requests.png"), full_page=True)

    # Ask to be forgotten: confirm, and the data are gone.
    page.get_by_role("button", name="Tietojen poistaminen (oikeus tulla unohdetuksi)").click()
    assert page.get_by_text("Kirjanpidon tositteet (laskut ja maksut) säilytetään").is_visible()
    page.get_by_role("button", name="Kyllä, jatka: tietojen poistaminen").click()
    assert page.get_by_role("heading", name="Tietosi on poistettu").is_visible()
    page.screenshot(path=str(screenshot_dir / "portal-erased.png"), full_page=True)

    # The worker sends the messages she was owed; the outbox then forgets her address.
    jobs_run_queued()
    text = _all_text_in_database()
    # What the accounting hold keeps: the voucher's billing name and address, once.
    kept = text.replace("Aino Virtanen", "", 1).replace("Kauppakatu 39, 40100 Jyväskylä", "", 1)
    for identifier in (
        "aino.virtanen@example.fi",
        "Virtanen",
        "131052-308T",
        "+358401234567",
        "192.0.2.44",
    ):
        assert identifier not in kept, identifier
    # Signed out: the page is gone with her.
    page.goto(f"{served}/oma/")
    page.wait_for_url(f"{served}/oma/kirjaudu")
