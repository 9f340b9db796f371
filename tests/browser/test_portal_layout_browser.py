"""Every page a signed-in person sees fits a 375 px phone and a 1280 px desktop, in each
language the register offers: nothing scrolls sideways. Screenshots of each are saved."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from rekisteri.core.actors import SYSTEM
from rekisteri.core.jobs import jobs_run_queued
from rekisteri.policy.schema import Language
from rekisteri.register import services as s
from rekisteri.rights.models import RightKind
from tests import policy_keys as keys
from tests.browser.signing_in import sign_in
from tests.portal.conftest import LANGUAGES, page
from tests.rights.conftest import register_aino

pytestmark = pytest.mark.browser

# The rights that are confirmed on a page of their own, by their buttons.
CONFIRMED = (RightKind.OBJECTION, RightKind.RESTRICTION, RightKind.DELETION, RightKind.ERASURE)


def _button(kind: RightKind, lang: Language) -> str:
    return capfirst(keys.words(kind.label, lang))


def _go_ahead(lang: Language) -> str:
    return keys.words(_("Yes, go ahead: %(what)s"), lang).split("%(what)s")[0].rstrip(": ")


def _overflow(tab: Any) -> int:
    """How many pixels the document is wider than the window (0 when it fits)."""
    return int(
        tab.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - window.innerWidth"
        )
    )


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_signed_in_page_fits_a_phone_and_a_desktop(
    served: str, browser: Any, tmp_path: Path, lang: Language
) -> None:
    # Given Aino with long words in her data, a consent history and a ready access package
    aino = register_aino()
    if keys.collects("user_content.title"):
        s.user_content_add(
            actor=SYSTEM,
            person_id=aino.pk,
            source=keys.subject_source(),
            title="Puutarhasuunnittelupalvelukokonaisuusesittely",
            body="https://example.fi/" + "hyvin-pitka-polku-" * 12,
        )
    s.web_visit_record(
        actor=SYSTEM,
        person_id=aino.pk,
        source=keys.web_source(),
        ip_address="192.0.2.45",
        page="/blogi/" + "asiakasdatan-hallinta-" * 8,
        occurred_at=dt.datetime(2025, 3, 5, 9, 0, tzinfo=dt.UTC),
    )
    home = page("my", lang)
    shots = tmp_path / "screenshots"
    shots.mkdir()
    seen: dict[str, int] = {}
    for width in (375, 1280):
        tab = browser.new_page(viewport={"width": width, "height": 900})
        sign_in(tab, served, lang, "kaunis lumi sataa hiljaa")
        if width == 375:
            tab.get_by_role("button", name=_button(RightKind.ACCESS, lang)).click()
            tab.wait_for_url(f"{served}{home}?done=1")
            jobs_run_queued()

        def look(name: str, current: Any = tab, width: int = width) -> None:
            seen[f"{name} at {width} px"] = _overflow(current)
            current.screenshot(path=str(shots / f"{lang}-{width}-{name}.png"), full_page=True)

        # When she opens each page she can reach
        tab.goto(f"{served}{home}")
        look("own-data")
        tab.goto(f"{served}{page('choices', lang)}")
        look("choices")
        for number, right in enumerate(CONFIRMED):
            tab.goto(f"{served}{home}")
            tab.get_by_role("button", name=_button(right, lang), exact=True).click()
            tab.get_by_role("button", name=_go_ahead(lang), exact=False).wait_for()
            look(f"confirm-{number}")
        # ... what follows a right she used (restriction, on the phone only: it stays)
        if width == 375:
            tab.goto(f"{served}{home}")
            restriction = _button(RightKind.RESTRICTION, lang)
            tab.get_by_role("button", name=restriction, exact=True).click()
            tab.get_by_role("button", name=_go_ahead(lang), exact=False).click()
            tab.wait_for_url(f"{served}{home}?done=restriction#done")
        else:
            tab.goto(f"{served}{home}?done=restriction#done")
        look("after-restriction")
        # ... and her access package, opened in the browser
        href = tab.locator("a[href$='/access.html']").first.get_attribute("href")
        document = tab.request.get(f"{served}{href}").text()
        package = browser.new_page(viewport={"width": width, "height": 900})
        package.set_content(document)
        look("access-package", package)
        package.close()
        tab.close()

    # Then no page is wider than the window it is shown in
    assert {name: px for name, px in seen.items() if px > 0} == {}
    assert len(seen) == 2 * 8
