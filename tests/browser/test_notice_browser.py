"""A person reads the notice in a real browser and switches its language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils.translation import gettext_lazy as _

from rekisteri.policy.selectors import policy_loaded
from rekisteri.policy.services import notice_version_record
from rekisteri.portal.languages import SWITCH_LABELS
from tests import policy_keys as keys
from tests.portal.conftest import LANGUAGES, page

pytestmark = pytest.mark.browser

OWN = keys.language()
OTHER = next(lang for lang in LANGUAGES if lang != OWN)


def test_reader_opens_the_notice_in_the_registers_language_and_switches_to_the_other(
    served: str, browser: Any, screenshot_dir: Path
) -> None:
    notice_version_record(loaded=policy_loaded())
    policy = keys.policy()
    tab = browser.new_page()

    tab.goto(f"{served}{page('home')}")
    tab.get_by_role("link", name=keys.words(_("Read the privacy notice"))).click()
    tab.wait_for_url(f"{served}{page('notice')}")
    own_title = tab.locator("h1").inner_text()
    tab.screenshot(path=str(screenshot_dir / f"notice-{OWN}.png"), full_page=True)
    tab.get_by_role("link", name=SWITCH_LABELS[OTHER]).click()
    tab.wait_for_url(f"{served}{page('notice', OTHER)}")

    notice = _("Privacy notice")
    assert own_title == f"{keys.words(notice)}: {policy.register_name(OWN)}"
    other_title = f"{keys.words(notice, OTHER)}: {policy.register_name(OTHER)}"
    assert tab.locator("h1").inner_text() == other_title
    retention = f"6. {keys.words(_('Retention period'), OTHER)}"
    assert tab.get_by_role("heading", name=retention).is_visible()
    tab.screenshot(path=str(screenshot_dir / f"notice-{OTHER}.png"), full_page=True)
    tab.close()


def test_keyboard_user_can_skip_to_the_notice(
    served: str, browser: Any, screenshot_dir: Path
) -> None:
    tab = browser.new_page()
    tab.goto(f"{served}{page('notice')}")

    tab.keyboard.press("Tab")

    focused = tab.evaluate("document.activeElement.textContent")
    assert focused == keys.words(_("Skip to content"))
    tab.close()
