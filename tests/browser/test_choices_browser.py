"""A data subject signs in with an e-mailed link and changes her marketing choices."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from rekisteri.consent.marketing import MarketingChannel, Refusal, marketing_decisions
from rekisteri.core.jobs import jobs_run_queued
from rekisteri.portal.choices import CHANNEL_LABELS
from tests import policy_keys as keys
from tests.portal.conftest import page
from tests.portal.test_choices import _before_any_choice
from tests.rights.conftest import SUBJECT_EMAIL, register_aino

pytestmark = pytest.mark.browser


def _link_from_mail() -> str:
    # The link leaves from a job (the worker's, in production): run it here.
    jobs_run_queued()
    link = re.escape(reverse(f"my-link-{keys.language()}"))
    for message in mail.outbox:
        found = re.search(rf"https?://\S+{link}\?t=\S+", str(message.body))
        if found:
            return found.group(0)
    raise AssertionError("no sign-in link was mailed")


def test_signing_in_by_link_and_refusing_email_marketing(
    served: str, browser: Any, screenshot_dir: Path
) -> None:
    aino = register_aino()
    words = keys.words
    email = words(CHANNEL_LABELS[MarketingChannel.EMAIL])
    tab = browser.new_page(locale=keys.language())
    tab.goto(f"{served}{page('sign_in')}")
    tab.get_by_label(words(_("E-mail address you have given us"))).fill(SUBJECT_EMAIL)
    tab.get_by_role("button", name=words(_("Send me a sign-in link"))).click()
    tab.get_by_role("status").wait_for()
    link = _link_from_mail()
    tab.goto(served + reverse(f"my-link-{keys.language()}") + "?" + link.split("?", 1)[1])
    tab.get_by_role("button", name=words(_("Continue to your data"))).click()
    tab.wait_for_url(f"{served}{page('my')}")

    tab.get_by_role(
        "link", name=words(_("Your consents and prohibitions: see and change them"))
    ).click()
    tab.wait_for_url(f"{served}{page('choices')}")
    if _before_any_choice() == Refusal.NO_CONSENT:
        # Marketing on consent alone: she allows e-mail first, to refuse it below.
        allow = words(_("Allow marketing by %(channel)s")) % {"channel": email}
        tab.get_by_role("button", name=allow).click()
        tab.wait_for_url(f"{served}{page('choices')}?done=1")
    refuse = words(_("Refuse marketing by %(channel)s")) % {"channel": email}
    tab.get_by_role("button", name=refuse).click()
    tab.wait_for_url(f"{served}{page('choices')}?done=1")
    assert tab.get_by_role("status").is_visible()
    decided = marketing_decisions(
        purpose=keys.marketing_purpose(), channel="email", person_ids=[aino.pk]
    )
    assert decided[aino.pk] == Refusal.WITHDRAWN
    survey = keys.policy().purposes[keys.survey_purpose()].name(keys.language())
    tab.get_by_role("button", name=words(_("Give consent: %(what)s")) % {"what": survey}).click()
    tab.wait_for_url(f"{served}{page('choices')}?done=1")
    agreed = words(_("You agreed on %(since)s.")).split("%(since)s")[0].strip()
    assert tab.get_by_text(agreed).is_visible()
    sms = marketing_decisions(purpose=keys.marketing_purpose(), channel="sms", person_ids=[aino.pk])
    assert sms[aino.pk] == _before_any_choice()
    tab.screenshot(path=str(screenshot_dir / "portal-choices.png"), full_page=True)
