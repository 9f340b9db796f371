"""Password rules beyond Django's own: common Finnish and Swedish passwords, the username.

NIST SP 800-63B and OWASP ASVS ask that a password be checked against common
and breached ones. Django's list is English; ``common-passwords.txt`` beside
this module holds Finnish and Swedish ones (salasana, lösenord, kesä2024 ...),
and a word of it with digits or punctuation around it is as weak as the word.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from pathlib import Path
from typing import Any

from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

LIST_FILE = Path(__file__).with_name("common-passwords.txt")
# Digits, punctuation and spaces around a word add little: "Salasana2024!" is "salasana".
_AROUND = re.compile(r"^[\W\d_]+|[\W\d_]+$")
_FOLD = str.maketrans("äöå", "aoa")


def _forms(password: str) -> set[str]:
    text = unicodedata.normalize("NFC", password).strip().casefold()
    core = _AROUND.sub("", text)
    forms = {text, core}
    return forms | {form.translate(_FOLD) for form in forms}


@functools.cache
def _common() -> frozenset[str]:
    lines = LIST_FILE.read_text(encoding="utf-8").splitlines()
    words = {line.strip().casefold() for line in lines if line.strip() and not line.startswith("#")}
    return frozenset(words | {word.translate(_FOLD) for word in words})


class MinimumLengthValidator(password_validation.MinimumLengthValidator):
    """Django's length rule, with a message our catalogue translates (Django's Finnish lags)."""

    def get_error_message(self) -> str:
        return ngettext(
            "This password is too short: it must be at least %(min_length)d character long.",
            "This password is too short: it must be at least %(min_length)d characters long.",
            self.min_length,
        ) % {"min_length": self.min_length}


class NordicCommonPasswordValidator:
    """Refuse a common Finnish or Swedish password, or one of their words with digits added."""

    def validate(self, password: str, user: Any = None) -> None:
        if _forms(password) & _common():
            raise ValidationError(
                _("This password is too common: it is a common Finnish or Swedish password."),
                code="password_too_common",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot be a common Finnish or Swedish password.")


class UsernameInPasswordValidator:
    """Refuse a password that holds the username, whatever the case or what is around it."""

    def __init__(self, min_username_length: int = 3) -> None:
        # A two-letter username is found inside too many good passphrases.
        self.min_username_length = min_username_length

    def validate(self, password: str, user: Any = None) -> None:
        username = str(getattr(user, "username", "") or "").casefold()
        if len(username) >= self.min_username_length and username in password.casefold():
            raise ValidationError(
                _("The password must not contain the username."),
                code="password_contains_username",
            )

    def get_help_text(self) -> str:
        return _("Your password cannot contain your username.")
