"""A staff member's journey in a real browser: enrol, sign in, search, correct, be refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from rekisteri.core import clock
from rekisteri.core.actors import SYSTEM
from rekisteri.register.models import Person, PostalAddress
from rekisteri.register.services import AddressIn, PersonIn, person_register
from rekisteri.staff.services import staff_create
from tests import policy_keys as keys
from tests.browser.console_enrol import PASSWORD, code, enrol

pytestmark = pytest.mark.browser


def test_customer_service_enrols_signs_in_searches_and_corrects_an_address(
    served: str, browser: Any, screenshot_dir: Path
) -> None:
    aino = person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=PersonIn(
            first_name="Aino",
            last_name="Virtanen",
            email="aino@example.fi",
            address=AddressIn("Kauppakatu 1", "40100", "Jyväskylä"),
        ),
    )
    user, token = staff_create(actor=SYSTEM, username="asiakaspalvelu", role=keys.service_role())
    words = keys.words
    page = browser.new_page(locale=keys.language())

    # Enrol: the key is on the page for typing into an app; the test is the app.
    secret = enrol(page, served, token)
    page.screenshot(path=str(screenshot_dir / "console-enrol.png"), full_page=True)

    # Sign out and in again: password, then the code of a fresh time window.
    page.get_by_role("button", name=words(_("Sign out"))).click()
    page.wait_for_url(f"{served}/console/login")
    page.get_by_label(words(_("Username"))).fill("asiakaspalvelu")
    page.get_by_label(words(_("Password"))).fill(PASSWORD)
    page.get_by_role("button", name=words(_("Continue"))).click()
    TOTPDevice.objects.filter(user=user).update(last_t=-1)  # the enrolment code may not repeat
    page.get_by_label(words(_("Code from your authenticator app"))).fill(code(secret))
    page.get_by_role("button", name=words(_("Sign in")), exact=True).click()
    page.wait_for_url(f"{served}/console/")

    # Search and open the person for customer relationship.
    page.get_by_label(words(_("Purpose"))).select_option(keys.relationship_purpose())
    page.get_by_label(words(_("Name, e-mail, phone or organisation"))).fill("Virtanen")
    page.get_by_role("button", name=words(_("Search")), exact=True).click()
    page.get_by_role("link", name="Aino Virtanen").click()
    page.wait_for_url(f"{served}/console/people/{aino.pk}?purpose={keys.relationship_purpose()}")
    assert page.get_by_text("aino@example.fi").is_visible()
    page.screenshot(path=str(screenshot_dir / "console-person.png"), full_page=True)

    # Correct the address, with a reason.
    page.get_by_label(words(_("Street address"))).fill("Väinönkatu 7")
    page.get_by_label(words(_("Postal code"))).fill("40100")
    page.get_by_label(words(_("City"))).fill("Jyväskylä")
    page.get_by_label(words(_("Reason for the correction"))).fill("Asiakas ilmoitti muutosta")
    page.get_by_role("button", name=words(_("Save the correction"))).click()
    page.wait_for_url(f"{served}/console/people/{aino.pk}?purpose={keys.relationship_purpose()}")
    page.screenshot(path=str(screenshot_dir / "console-corrected.png"), full_page=True)

    assert PostalAddress.objects.get(person=aino).street_address == "Väinönkatu 7"
    assert page.get_by_text("Väinönkatu 7").first.is_visible()
    page.close()


def test_customer_service_cannot_open_a_restricted_person(
    served: str, browser: Any, screenshot_dir: Path
) -> None:
    onni = person_register(
        actor=SYSTEM,
        source=keys.subject_source(),
        person=PersonIn(first_name="Onni", last_name="Mäkinen", email="onni@example.fi"),
    )
    Person.objects.filter(pk=onni.pk).update(restricted_since=clock.now())
    _user, token = staff_create(actor=SYSTEM, username="palvelu2", role=keys.service_role())
    page = browser.new_page(locale=keys.language())
    enrol(page, served, token)

    response = page.goto(f"{served}/console/people/{onni.pk}?purpose={keys.relationship_purpose()}")
    page.screenshot(path=str(screenshot_dir / "console-restricted.png"), full_page=True)

    assert response is not None
    # He reads as no one: the page does not say that he is restricted.
    assert response.status == 404
    not_found = keys.words(_("Not found, or your role's purposes do not let you see it."))
    assert page.get_by_text(not_found).is_visible()
    assert not page.get_by_text("restricted").count()
    assert not page.get_by_text("onni@example.fi").count()
    page.close()
