"""A person reads the notice in a real browser and switches its language."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rekisteri.policy.selectors import policy_loaded
from rekisteri.policy.services import notice_version_record

pytestmark = pytest.mark.browser


def test_reader_opens_the_finnish_notice_and_switches_to_english(
    served: str, browser: Any, screenshot_dir: Path
) -> None:
    notice_version_record(loaded=policy_loaded())
    page = browser.new_page()

    page.goto(f"{served}/")
    page.get_by_role("link", name="Lue tietosuojaseloste").click()
    page.wait_for_url(f"{served}/tietosuojaseloste")
    finnish_title = page.locator("h1").inner_text()
    page.screenshot(path=str(screenshot_dir / "notice-fi.png"), full_page=True)
    page.get_by_role("link", name="In English").click()
    page.wait_for_url(f"{served}/en/privacy")

    assert finnish_title == "Tietosuojaseloste: Mainioco Oy:n asiakasrekisteri"
    assert page.locator("h1").inner_text() == "Privacy notice: Mainioco Oy customer register"
    assert page.get_by_role("heading", name="6. Retention period").is_visible()
    page.screenshot(path=str(screenshot_dir / "notice-en.png"), full_page=True)
    page.close()


def test_keyboard_user_can_skip_to_the_notice(
    served: str, browser: Any, screenshot_dir: Path
) -> None:
    page = browser.new_page()
    page.goto(f"{served}/tietosuojaseloste")

    page.keyboard.press("Tab")

    focused = page.evaluate("document.activeElement.textContent")
    assert focused == "Siirry sisältöön"
    page.close()
