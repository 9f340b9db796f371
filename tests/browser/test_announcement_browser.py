"""An announced change of the notice, read in a real browser on a phone and a desktop."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from rekisteri.core import clock
from rekisteri.core.actors import SYSTEM
from rekisteri.core.jobs import jobs_run_queued
from rekisteri.policy.loader import parse_policy
from rekisteri.policy.services import notice_version_record
from rekisteri.rights.announcements import notice_announce
from tests.rights.conftest import register_aino

pytestmark = pytest.mark.browser

SIGN_IN = {
    "fi": ("/oma/kirjaudu", "Käyttäjätunnus", "Salasana", "Kirjaudu sisään", "/oma/"),
    "en": ("/en/my/sign-in", "Username", "Password", "Sign in", "/en/my/"),
}
BANNER = {"fi": "Tietosuojaselosteemme muuttuu", "en": "Our privacy notice changes on"}
READ = {"fi": "Olen lukenut tämän", "en": "I have read this"}
CHANGE = {"fi": "muutettu: 24 → 36", "en": "changed from 24 to 36"}


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_the_banner_tells_what_changes_and_goes_once_read(
    served: str, browser: Any, screenshot_dir: Path, mainioco_text: str, lang: str
) -> None:
    # given Aino, and a longer retention announced for a month from now
    register_aino()
    changed, _ = notice_version_record(
        loaded=parse_policy(mainioco_text.replace("months = 24\n", "months = 36\n", 1))
    )
    notice_announce(
        actor=SYSTEM,
        version_number=changed.number,
        effective_on=clock.today() + dt.timedelta(days=30),
    )
    jobs_run_queued()

    path, user, password, button, home = SIGN_IN[lang]
    for width in (375, 1280):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(f"{served}{path}")
        page.get_by_label(user).fill("aino")
        page.get_by_label(password).fill("kaunis lumi sataa hiljaa")
        page.get_by_role("button", name=button).click()
        page.wait_for_url(f"{served}{home}")

        # when she opens her pages, the change is there in her language, within the screen
        banner = page.locator("section.announcement")
        assert BANNER[lang] in banner.inner_text()
        assert CHANGE[lang] in banner.inner_text()
        box = banner.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= width
        page.screenshot(
            path=str(screenshot_dir / f"portal-announcement-{lang}-{width}.png"), full_page=True
        )
        page.close()

    # then, once she has read it, it is gone
    page = browser.new_page()
    page.goto(f"{served}{path}")
    page.get_by_label(user).fill("aino")
    page.get_by_label(password).fill("kaunis lumi sataa hiljaa")
    page.get_by_role("button", name=button).click()
    page.wait_for_url(f"{served}{home}")
    page.get_by_role("button", name=READ[lang]).click()
    page.wait_for_url(f"{served}{home}")
    assert page.locator("section.announcement").count() == 0
