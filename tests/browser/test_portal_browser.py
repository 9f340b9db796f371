"""A data subject's journey in a real browser: sign in, see, download, object, be forgotten."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from rekisteri.consent.models import ConsentAction, ConsentEvent
from rekisteri.core.jobs import jobs_run_queued
from rekisteri.rights.models import RightKind
from tests import policy_keys as keys
from tests.portal.conftest import page
from tests.portal.test_rights_confirmed import _hold
from tests.rights.conftest import register_aino
from tests.rights.test_services_requests import _all_text_in_database

pytestmark = pytest.mark.browser


def test_a_subject_signs_in_sees_downloads_objects_and_is_forgotten(
    served: str, browser: Any, screenshot_dir: Path, tmp_path: Path
) -> None:
    aino = register_aino()
    policy, lang, words = keys.policy(), keys.language(), keys.words
    tab = browser.new_page(locale=lang, accept_downloads=True)

    # Sign in with the analysis service's account.
    tab.goto(f"{served}{page('home')}")
    tab.get_by_role("link", name=words(_("See your own data and use your rights"))).click()
    tab.get_by_label(words(_("Username"))).fill("aino")
    tab.get_by_label(words(_("Password"))).fill("kaunis lumi sataa hiljaa")
    tab.get_by_role("button", name=words(_("Sign in")), exact=True).click()
    tab.wait_for_url(f"{served}{page('my')}")

    # Her own data, by category, with purposes, source and date.
    contact = capfirst(policy.categories[keys.contact_category()].name(lang))
    assert tab.get_by_role("heading", name=contact, exact=False).first.is_visible()
    assert tab.get_by_text("+358401234567").is_visible()
    tab.screenshot(path=str(screenshot_dir / "portal-own-data.png"), full_page=True)

    # Ask for the access package; the worker builds it; download it.
    tab.get_by_role("button", name=capfirst(words(RightKind.ACCESS.label))).click()
    tab.wait_for_url(f"{served}{page('my')}?done=1")
    jobs_run_queued()
    tab.reload()
    with tab.expect_download() as info:
        tab.get_by_role("link", name="access.json").click()
    saved = tmp_path / "access.json"
    info.value.save_as(saved)
    package = json.loads(saved.read_text(encoding="utf-8"))
    assert package["data"][keys.contact_category()][0]["first_name"] == "Aino"
    authority = policy.supervisory_authority
    assert package["information"]["complaint"]["website"] == authority.website

    # Object to direct marketing: in force at once.
    objection = capfirst(words(RightKind.OBJECTION_DIRECT_MARKETING.label))
    tab.get_by_role("button", name=objection).click()
    tab.wait_for_url(f"{served}{page('my')}?done=1")
    assert ConsentEvent.objects.filter(
        person_id=aino.pk, scope=keys.marketing_purpose(), action=ConsentAction.OBJECTED
    ).exists()
    tab.screenshot(path=str(screenshot_dir / "portal-requests.png"), full_page=True)

    # Ask to be forgotten: confirm, and the data are gone.
    erasure = words(RightKind.ERASURE.label)
    tab.get_by_role("button", name=capfirst(erasure)).click()
    hold, _until = _hold()
    assert tab.get_by_text(hold).is_visible()
    go_ahead = words(_("Yes, go ahead: %(what)s")) % {"what": erasure}
    tab.get_by_role("button", name=go_ahead).click()
    assert tab.get_by_role("heading", name=words(_("Your data have been erased"))).is_visible()
    tab.screenshot(path=str(screenshot_dir / "portal-erased.png"), full_page=True)

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
    tab.goto(f"{served}{page('my')}")
    tab.wait_for_url(f"{served}{page('sign_in')}")
