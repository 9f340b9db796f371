"""A data subject signs in with an e-mailed link and changes her marketing choices."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail

from rekisteri.consent.marketing import Basis, Refusal, marketing_decisions
from rekisteri.core.jobs import jobs_run_queued
from tests import policy_keys as keys
from tests.rights.conftest import SUBJECT_EMAIL, register_aino

pytestmark = pytest.mark.browser


def _link_from_mail() -> str:
    # The link leaves from a job (the worker's, in production): run it here.
    jobs_run_queued()
    for message in mail.outbox:
        found = re.search(r"https?://\S+/oma/linkki\?t=\S+", str(message.body))
        if found:
            return found.group(0)
    raise AssertionError("no sign-in link was mailed")


def test_signing_in_by_link_and_refusing_email_marketing(
    served: str, browser: Any, screenshot_dir: Path
) -> None:
    aino = register_aino()
    page = browser.new_page(locale="fi-FI")
    page.goto(f"{served}/oma/kirjaudu")
    page.get_by_label("Meille antamasi sähköpostiosoite").fill(SUBJECT_EMAIL)
    page.get_by_role("button", name="Lähetä minulle kirjautumislinkki").click()
    page.get_by_role("status").wait_for()
    link = _link_from_mail()
    page.goto(served + "/oma/linkki?" + link.split("?", 1)[1])
    page.get_by_role("button", name="Jatka omiin tietoihisi").click()
    page.wait_for_url(f"{served}/oma/")

    page.get_by_role("link", name="Suostumuksesi ja kieltosi").click()
    page.wait_for_url(f"{served}/oma/valinnat")
    page.get_by_role("button", name="Kiellä markkinointi: sähköposti").click()
    page.wait_for_url(f"{served}/oma/valinnat?done=1")
    assert page.get_by_role("status").is_visible()
    decided = marketing_decisions(
        purpose=keys.marketing_purpose(), channel="email", person_ids=[aino.pk]
    )
    assert decided[aino.pk] == Refusal.WITHDRAWN
    page.get_by_role("button", name="Anna suostumus: mielipide- ja markkinatutkimukset").click()
    page.wait_for_url(f"{served}/oma/valinnat?done=1")
    assert page.get_by_text("Annoit suostumuksen").is_visible()
    sms = marketing_decisions(purpose=keys.marketing_purpose(), channel="sms", person_ids=[aino.pk])
    assert sms[aino.pk] == Basis.BUSINESS_CONTACT
    page.screenshot(path=str(screenshot_dir / "portal-choices.png"), full_page=True)
