"""Enrolling a staff member in the console in a real browser, in the register's language."""

from __future__ import annotations

from base64 import b32decode
from typing import Any

from django.utils.translation import gettext_lazy as _
from django_otp.oath import totp

from tests import policy_keys as keys

PASSWORD = "pitkä ja vahva salasana"


def code(secret_base32: str) -> str:
    key = b32decode(secret_base32 + "=" * (-len(secret_base32) % 8))
    return f"{totp(key):06d}"


def enrol(tab: Any, served: str, token: str) -> str:
    """Set the password and the second factor from the enrolment link; return the key."""
    words = keys.words
    tab.goto(f"{served}/console/enrol/{token}")
    secret = str(tab.get_by_test_id("totp-secret").inner_text())
    tab.get_by_label(words(_("New password (at least 12 characters)"))).fill(PASSWORD)
    tab.get_by_label(words(_("Code from your authenticator app"))).fill(code(secret))
    tab.get_by_role("button", name=words(_("Save and sign in"))).click()
    tab.wait_for_url(f"{served}/console/")
    return secret
