"""Every page a signed-in person sees fits a 375 px phone and a 1280 px desktop, in
Finnish and in English: nothing scrolls sideways. Screenshots of each are saved."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from rekisteri.core.actors import SYSTEM
from rekisteri.core.jobs import jobs_run_queued
from rekisteri.register import services as s
from tests import policy_keys as keys
from tests.rights.conftest import register_aino

pytestmark = pytest.mark.browser

SIGN_IN = {
    "fi": ("/oma/kirjaudu", "Käyttäjätunnus", "Salasana", "Kirjaudu sisään", "/oma/"),
    "en": ("/en/my/sign-in", "Username", "Password", "Sign in", "/en/my/"),
}
CHOICES = {"fi": "/oma/valinnat", "en": "/en/my/choices"}
ACCESS = {"fi": "Oikeus tarkastaa omat tiedot", "en": "Access to own data"}
# The buttons of the rights that are confirmed on a page of their own.
CONFIRMED = {
    "fi": (
        "Vastustamisoikeus",
        "Käsittelyn rajoittaminen",
        "Asiakkuuden päättäminen",
        "Tietojen poistaminen (oikeus tulla unohdetuksi)",
    ),
    "en": (
        "Objection to processing",
        "Restriction of processing",
        "Ending the customership",
        "Erasure (right to be forgotten)",
    ),
}
GO_AHEAD = {"fi": "Kyllä, jatka", "en": "Yes, go ahead"}


def _overflow(page: Any) -> int:
    """How many pixels the document is wider than the window (0 when it fits)."""
    return int(
        page.evaluate(
            "Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
            " - window.innerWidth"
        )
    )


@pytest.mark.parametrize("lang", ["fi", "en"])
def test_every_signed_in_page_fits_a_phone_and_a_desktop(
    served: str, browser: Any, tmp_path: Path, lang: str
) -> None:
    # Given Aino with long words in her data, a consent history and a ready access package
    aino = register_aino()
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
    path, user, password, button, home = SIGN_IN[lang]
    shots = tmp_path / "screenshots"
    shots.mkdir()
    seen: dict[str, int] = {}
    for width in (375, 1280):
        page = browser.new_page(viewport={"width": width, "height": 900})
        page.goto(f"{served}{path}")
        page.get_by_label(user).fill("aino")
        page.get_by_label(password).fill("kaunis lumi sataa hiljaa")
        page.get_by_role("button", name=button).click()
        page.wait_for_url(f"{served}{home}")
        if width == 375:
            page.get_by_role("button", name=ACCESS[lang]).click()
            page.wait_for_url(f"{served}{home}?done=1")
            jobs_run_queued()

        def look(name: str, current: Any = page, width: int = width) -> None:
            seen[f"{name} at {width} px"] = _overflow(current)
            current.screenshot(path=str(shots / f"{lang}-{width}-{name}.png"), full_page=True)

        # When she opens each page she can reach
        page.goto(f"{served}{home}")
        look("own-data")
        page.goto(f"{served}{CHOICES[lang]}")
        look("choices")
        for number, right in enumerate(CONFIRMED[lang]):
            page.goto(f"{served}{home}")
            page.get_by_role("button", name=right, exact=True).click()
            page.get_by_role("button", name=GO_AHEAD[lang], exact=False).wait_for()
            look(f"confirm-{number}")
        # ... what follows a right she used (restriction, on the phone only: it stays)
        if width == 375:
            page.goto(f"{served}{home}")
            page.get_by_role("button", name=CONFIRMED[lang][1], exact=True).click()
            page.get_by_role("button", name=GO_AHEAD[lang], exact=False).click()
            page.wait_for_url(f"{served}{home}?done=restriction#done")
        else:
            page.goto(f"{served}{home}?done=restriction#done")
        look("after-restriction")
        # ... and her access package, opened in the browser
        href = page.locator("a[href$='/access.html']").first.get_attribute("href")
        document = page.request.get(f"{served}{href}").text()
        package = browser.new_page(viewport={"width": width, "height": 900})
        package.set_content(document)
        look("access-package", package)
        package.close()
        page.close()

    # Then no page is wider than the window it is shown in
    assert {name: px for name, px in seen.items() if px > 0} == {}
    assert len(seen) == 2 * 8
