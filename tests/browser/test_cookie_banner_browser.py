"""The cookie banner on the demo site, in a real Chromium: what a visitor sees and leaves behind."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils.translation import gettext_lazy as _

from rekisteri.consent.models import CookieDecision
from rekisteri.policy.schema import Language
from tests import policy_keys as keys
from tests.portal.conftest import page

pytestmark = pytest.mark.browser
# The demo page's scripts, by the cookie category each waits for, and the cookie it sets.
DEMO_SCRIPTS = {"analytics": "_mainio_analytics", "marketing": "_mainio_ads"}


def _optional() -> list[str]:
    """The description's cookie categories a visitor may refuse, in its order."""
    return [k for k, c in keys.policy().cookies.items() if not c.necessary]


@pytest.fixture
def marketing_cookies(request: pytest.FixtureRequest) -> None:
    """A description with marketing cookies, for what a privacy signal refuses: where the
    loaded one has none (Norrsken's), a Finnish register with Mainioco's categories.
    Asked before ``served``, so that the served register runs it."""
    if "marketing" not in _optional():
        request.getfixturevalue("in_finland")


def demo(lang: Language | None = None) -> str:
    """The demo page of the company's web site, where the banner is embedded."""
    return page("cookie_demo", lang)


def _cookies(context: Any) -> set[str]:
    return {c["name"] for c in context.cookies()}


def _banner(tab: Any) -> Any:
    return tab.get_by_role("region", name=keys.words(_("Cookies on this site")))


def test_the_banner_asks_first_and_reject_sets_no_optional_cookie(
    served: str, browser: Any, screenshot_dir: Path
) -> None:
    words = keys.words
    context = browser.new_context(locale=keys.language())
    page = context.new_page()
    page.goto(f"{served}{demo()}")
    banner = _banner(page)
    banner.wait_for()
    # Nothing but the page itself before a choice: no cookie at all.
    assert _cookies(context) == set()
    accept = banner.get_by_role("button", name=words(_("Accept all")))
    reject = banner.get_by_role("button", name=words(_("Reject all")))
    # Equally prominent: the same size and the same colours.
    assert accept.bounding_box()["height"] == reject.bounding_box()["height"]
    assert accept.evaluate("b => getComputedStyle(b).backgroundColor") == reject.evaluate(
        "b => getComputedStyle(b).backgroundColor"
    )
    page.screenshot(path=str(screenshot_dir / "cookie-banner.png"))

    # Nothing is pre-ticked when the visitor chooses by category.
    banner.get_by_role("button", name=words(_("Choose")), exact=True).click()
    optional = banner.locator("input[type=checkbox]:not([disabled])")
    assert optional.count() == len(_optional())
    assert all(not optional.nth(i).is_checked() for i in range(len(_optional())))
    page.screenshot(path=str(screenshot_dir / "cookie-banner-choose.png"))

    reject.click()
    banner.wait_for(state="detached")
    page.wait_for_function("() => document.cookie.includes('rekisteri_consent')")
    _wait_recorded(page, 1)
    page.goto(f"{served}{demo()}/2")
    assert not _banner(page).is_visible()
    assert page.get_by_text(words(_("not running"))).count() == 2
    assert _cookies(context) == {"rekisteri_consent"}
    assert CookieDecision.objects.get().categories == []
    context.close()


def _wait_recorded(page: Any, count: int) -> None:
    for _attempt in range(50):
        if CookieDecision.objects.count() >= count:
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"{count} decisions were not recorded")


def test_accept_by_keyboard_records_consent_and_the_choice_can_be_withdrawn(
    served: str, browser: Any, screenshot_dir: Path
) -> None:
    context = browser.new_context(locale="en-GB")
    page = context.new_page()
    page.goto(f"{served}{demo('en')}")
    banner = page.get_by_role("region", name="Cookies on this site")
    banner.wait_for()
    # Keyboard only: the banner comes first in the tab order.
    page.keyboard.press("Tab")  # the page's skip link comes after the banner's own link
    for _step in range(10):
        if page.evaluate("document.activeElement.textContent") == "Accept all":
            break
        page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.get_by_text("running", exact=True).first.wait_for()
    _wait_recorded(page, 1)
    decision = CookieDecision.objects.get()
    assert decision.categories == _optional()
    assert decision.notice_version == 1
    assert decision.language == "en"
    set_by_scripts = {c for k, c in DEMO_SCRIPTS.items() if k in _optional()}
    assert set_by_scripts
    assert set_by_scripts <= _cookies(context)
    page.screenshot(path=str(screenshot_dir / "cookie-accepted.png"))

    # Withdraw from the link left on every page: reject all.
    page.get_by_role("button", name="Cookie settings").click()
    page.get_by_role("button", name="Reject all").click()
    page.wait_for_load_state()
    _wait_recorded(page, 2)
    page.wait_for_function("() => !document.cookie.includes('_mainio_')")
    assert _cookies(context) == {"rekisteri_consent"}
    assert CookieDecision.objects.order_by("-pk").first().categories == []
    page.screenshot(path=str(screenshot_dir / "cookie-withdrawn.png"))
    context.close()


def test_global_privacy_control_refuses_marketing_even_on_accept_all(
    marketing_cookies: None, served: str, browser: Any, screenshot_dir: Path
) -> None:
    words = keys.words
    context = browser.new_context(locale=keys.language(), extra_http_headers={"Sec-GPC": "1"})
    # Chromium has no GPC setting of its own: give the page what a GPC browser gives.
    context.add_init_script(
        "Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', {get: () => true})"
    )
    page = context.new_page()
    page.goto(f"{served}{demo()}")
    banner = _banner(page)
    assert banner.get_by_text("Global Privacy Control").is_visible()
    page.screenshot(path=str(screenshot_dir / "cookie-gpc.png"))
    banner.get_by_role("button", name=words(_("Accept all"))).click()
    _wait_recorded(page, 1)
    page.locator("#analytics-state", has_text=words(_("running"))).wait_for()
    decision = CookieDecision.objects.get()
    assert decision.gpc is True
    assert "marketing" not in decision.categories
    assert "analytics" in decision.categories
    assert "_mainio_ads" not in _cookies(context)
    assert page.locator("#marketing-state").text_content() == words(_("not running"))
    context.close()
