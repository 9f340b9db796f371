"""Signing in to the portal in a real browser, in any language the register offers."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from rekisteri.policy.schema import Language
from tests import policy_keys as keys
from tests.portal.conftest import page


def sign_in(tab: Any, served: str, lang: Language, password: str) -> None:
    """Sign Aino in with her account on the sign-in page in ``lang``."""
    tab.goto(f"{served}{page('sign_in', lang)}")
    tab.get_by_label(keys.words(_("Username"), lang)).fill("aino")
    tab.get_by_label(keys.words(_("Password"), lang)).fill(password)
    tab.get_by_role("button", name=keys.words(_("Sign in"), lang), exact=True).click()
    tab.wait_for_url(f"{served}{page('my', lang)}")
