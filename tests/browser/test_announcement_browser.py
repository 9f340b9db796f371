"""An announced change of the notice, read in a real browser on a phone and a desktop."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from rekisteri.core import clock
from rekisteri.core.actors import SYSTEM
from rekisteri.core.jobs import jobs_run_queued
from rekisteri.policy.loader import parse_policy
from rekisteri.policy.schema import Language
from rekisteri.policy.services import notice_version_record
from rekisteri.rights.announcements import notice_announce
from tests import policy_keys as keys
from tests.browser.signing_in import sign_in
from tests.portal.conftest import LANGUAGES, page
from tests.rights.conftest import register_aino

pytestmark = pytest.mark.browser


def _sign_in(tab: Any, served: str, lang: Language) -> None:
    sign_in(tab, served, lang, "kaunis lumi sataa hiljaa")


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_banner_tells_what_changes_and_goes_once_read(
    served: str, browser: Any, screenshot_dir: Path, lang: Language
) -> None:
    # given Aino, and a longer retention announced for a month from now
    register_aino()
    text = Path(settings.REKISTERI_POLICY).read_text(encoding="utf-8")
    changed, _unused = notice_version_record(
        loaded=parse_policy(text.replace("months = 24\n", "months = 36\n", 1))
    )
    notice_announce(
        actor=SYSTEM,
        version_number=changed.number,
        effective_on=clock.today() + dt.timedelta(days=30),
    )
    jobs_run_queued()
    title = keys.words(_("Our privacy notice changes on %(day)s"), lang).split("%(day)s")[0]
    change = keys.words(_("%(what)s: %(field)s changed from %(old)s to %(new)s"), lang)
    months = change.split("%(what)s: ", 1)[1] % {
        "field": keys.words(_("months"), lang),
        "old": 24,
        "new": 36,
    }

    for width in (375, 1280):
        tab = browser.new_page(viewport={"width": width, "height": 900})
        _sign_in(tab, served, lang)

        # when she opens her pages, the change is there in her language, within the screen
        banner = tab.locator("section.announcement")
        assert title.strip() in banner.inner_text()
        assert months in banner.inner_text()
        box = banner.bounding_box()
        assert box is not None
        assert box["x"] + box["width"] <= width
        tab.screenshot(
            path=str(screenshot_dir / f"portal-announcement-{lang}-{width}.png"), full_page=True
        )
        tab.close()

    # then, once she has read it, it is gone
    tab = browser.new_page()
    _sign_in(tab, served, lang)
    tab.get_by_role("button", name=keys.words(_("I have read this"), lang)).click()
    tab.wait_for_url(f"{served}{page('my', lang)}")
    assert tab.locator("section.announcement").count() == 0
