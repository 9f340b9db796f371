from __future__ import annotations

import html
import re
from collections.abc import Callable

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext, ngettext
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from rekisteri.core.actors import SYSTEM
from rekisteri.staff.services import staff_create
from tests.rights.conftest import aino

__all__ = [
    "READ_AT",
    "aino",
    "code_for",
    "enrolled",
    "short_password_refusal",
    "signed_in",
    "visible",
]

PASSWORD = "vahva salasana talvella"
# Hand-written: 3 November 2026 at 12.05 UTC as each language writes a time; the hour
# is the register's own (14 in Helsinki, 13 in Stockholm).
READ_AT = {"fi": "3.11.2026 klo {h}.05", "sv": "3 nov 2026 kl. {h}:05", "en": "3 Nov 2026, {h}:05"}


def said(msgid: str) -> str:
    """``msgid`` as the console says it in the register's language (the unprefixed one)."""
    from tests.policy_keys import language

    with translation.override(language()):
        return gettext(msgid)


def short_password_refusal(min_length: int = 12) -> str:
    """What the password rules say of a password shorter than ``min_length``, in the
    active language."""
    return ngettext(
        "This password is too short: it must be at least %(min_length)d character long.",
        "This password is too short: it must be at least %(min_length)d characters long.",
        min_length,
    ) % {"min_length": min_length}


def code_for(user: User) -> str:
    device = TOTPDevice.objects.get(user=user)
    return f"{totp(device.bin_key):06d}"


@pytest.fixture
def enrolled(db: None) -> Callable[[str, str], User]:
    """A staff member who has used their enrolment link."""

    def make(username: str, role: str) -> User:
        user, token = staff_create(actor=SYSTEM, username=username, role=role)
        client = Client()
        client.get(f"/console/enrol/{token}")
        client.post(f"/console/enrol/{token}", {"password": PASSWORD, "code": code_for(user)})
        user.refresh_from_db()
        return user

    return make


def signed_in(user: User) -> Client:
    client = Client()
    client.post("/console/login", {"username": user.username, "password": PASSWORD})
    # A code is used once; step to the next time window's code.
    device = TOTPDevice.objects.get(user=user)
    device.last_t = -1
    device.save(update_fields=["last_t"])
    client.post("/console/login/code", {"code": code_for(user)})
    return client


def visible(page: str) -> str:
    """The text a person reads on the page: no tags, attributes or scripts, spaces collapsed."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    text = re.sub(r"<[^>]+>", " ", text)
    return re.sub(r"\s+", " ", html.unescape(text))
