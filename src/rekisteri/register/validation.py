"""Cleaning of what clients send, with maintained libraries where the rule is not ours.

Every refusal is an ``InvalidInput`` naming the field and the rule; the value
itself never enters the message, since it may be personal data.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import EmailValidator, URLValidator
from stdnum import luhn

from rekisteri.core import clock, countries
from rekisteri.core.errors import InvalidInput
from rekisteri.core.text import UNSTORABLE
from rekisteri.policy.selectors import policy_get

# Re-exported: the codes lived here once, and callers still import them from here.
from rekisteri.register.error_codes import RegisterCode as RegisterCode

MAX_IMAGE_BYTES = 2 * 1024 * 1024
# Magic numbers of the image types we accept; SVG is refused (it can carry script).
IMAGE_SIGNATURES = {
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
    b"GIF87a": "image/gif",
    b"GIF89a": "image/gif",
}
# Control characters other than tab and newline (Unicode category Cc).
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# 13-19 digits, with any one separator between digits (after NFKC, so that
# full-width digits and no-break spaces count too).
_CARD_LIKE = re.compile(r"(?<![0-9])(?:[0-9][ .\-/_]{0,2}){12,18}[0-9](?![0-9])")
# Characters that make a single-line text lie about itself: line breaks, and
# bidirectional overrides and isolates that reorder what a reader sees.
_SINGLE_LINE_REFUSED = re.compile(r"[\n\r\t\u202a-\u202e\u2066-\u2069\ufeff\u200b]")


def _refuse(
    field: str, code: RegisterCode, rule: str, *, data: dict[str, Any] | None = None
) -> InvalidInput:
    # ``data["rule"]`` names the rule for the doors that word it; the English is for logs.
    return InvalidInput(f"{field}: {rule}", code=code, data={"field": field, **(data or {})})


_HETU_LIKE = re.compile(r"(?<![0-9])[0-9]{6}[-+A-FU-Y][0-9]{3}[0-9A-Y](?![0-9A-Z])", re.I)


def clean_note(value: str, *, field: str, max_length: int) -> str:
    """A staff member's note (a reason, a reference): it must not carry identifiers."""
    text = clean_text(value, field=field, max_length=max_length)
    if _HETU_LIKE.search(text):
        raise _refuse(
            field,
            RegisterCode.INVALID_TEXT,
            "must not contain a personal identity code; the register keeps it elsewhere",
            data={"rule": "identity_code"},
        )
    return text


def clean_storable(value: str, *, field: str) -> str:
    """Refuse a text that no database could store."""
    if UNSTORABLE.search(value):
        raise _refuse(
            field,
            RegisterCode.INVALID_TEXT,
            "contains characters that cannot be stored",
            data={"rule": "unstorable"},
        )
    return value


def clean_text(
    value: str, *, field: str, max_length: int, required: bool = True, multiline: bool = False
) -> str:
    """Trim, normalise and bound a text; refuse control characters and card numbers."""
    text = unicodedata.normalize("NFC", clean_storable(value, field=field).strip())
    if required and not text:
        raise _refuse(field, RegisterCode.INVALID_TEXT, "is required", data={"rule": "required"})
    if len(text) > max_length:
        raise _refuse(
            field,
            RegisterCode.INVALID_TEXT,
            f"is longer than {max_length} characters",
            data={"rule": "too_long", "max_length": max_length},
        )
    if not multiline and _SINGLE_LINE_REFUSED.search(text):
        raise _refuse(
            field,
            RegisterCode.INVALID_TEXT,
            "must be one line without direction controls",
            data={"rule": "one_line"},
        )
    if _CONTROL.search(text.replace("\n", "").replace("\t", "")):
        raise _refuse(
            field,
            RegisterCode.INVALID_TEXT,
            "contains control characters",
            data={"rule": "control"},
        )
    # The register keeps no card numbers anywhere (notice §5: only the provider's token).
    refuse_card_number(text, field=field)
    return text


def clean_email(value: str, *, field: str = "email") -> str:
    address = clean_storable(value, field=field).strip()
    try:
        EmailValidator()(address)
    except ValidationError:
        raise _refuse(field, RegisterCode.INVALID_EMAIL, "is not a valid e-mail address") from None
    local, _, domain = address.rpartition("@")
    return f"{local}@{domain.lower()}"


def controller_country() -> str:
    """The controller's country: the default of people's addresses, phone numbers and
    identity codes (the policy's ``[controller] country``)."""
    return policy_get().controller.country


def clean_phone(value: str, *, field: str = "phone", region: str | None = None) -> str:
    """Return the number in E.164; numbers without a country code are taken as the
    controller's country's."""
    try:
        number = phonenumbers.parse(
            clean_storable(value, field=field), region or controller_country()
        )
    except phonenumbers.NumberParseException:
        raise _refuse(field, RegisterCode.INVALID_PHONE, "is not a phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise _refuse(field, RegisterCode.INVALID_PHONE, "is not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def clean_postal_code(value: str, *, country: str, field: str = "postal_code") -> str:
    """Return the postal code as its country writes it ("114 55"); any country's shape
    where the register knows no rule of the country."""
    try:
        return countries.postal_code_clean(country, value)
    except countries.Refused as refused:
        rule = countries.postal_code_rule(country)
        digits = {"rule": "digits", "digits": rule.digits} if rule and rule.digits else {}
        raise _refuse(
            field, RegisterCode.INVALID_POSTAL_CODE, refused.reason, data=digits
        ) from None


def clean_country(value: str, *, field: str = "country") -> str:
    code = value.strip().upper()
    # phonenumbers knows every ISO 3166 region that has a telephone plan.
    if not re.fullmatch(r"[A-Z]{2}", code) or code not in phonenumbers.SUPPORTED_REGIONS:
        raise _refuse(field, RegisterCode.INVALID_TEXT, "is not an ISO 3166 country code")
    return code


def clean_business_id(value: str, *, field: str = "business_id", country: str | None = None) -> str:
    """An organisation's business id by the rules of ``country`` (the controller's
    country by default), written as its register writes it."""
    try:
        return countries.business_id_clean(country or controller_country(), value)
    except countries.Refused as refused:
        raise _refuse(field, RegisterCode.INVALID_BUSINESS_ID, refused.reason) from None


def clean_personal_identity_code(
    value: str, *, field: str = "personal_identity_code", country: str | None = None
) -> str:
    """A personal identity code by the rules of the person's country (the controller's
    country by default); never one that gives a birth date in the future."""
    try:
        return countries.personal_identity_code_clean(
            country or controller_country(), value, today=clock.today()
        )
    except countries.Refused as refused:
        raise _refuse(field, RegisterCode.INVALID_PERSONAL_IDENTITY_CODE, refused.reason) from None


def mask_personal_identity_code(code: str) -> str:
    """Show the date of birth and century sign only: 131052-****.

    Codes of other shapes are masked whole: their visible parts are not known to be
    harmless.
    """
    if _HETU_LIKE.fullmatch(code):
        return code[:7] + "****"
    return "*" * len(code)


def clean_url(value: str, *, field: str) -> str:
    url = clean_storable(value, field=field).strip()
    if len(url) > 500:
        raise _refuse(field, RegisterCode.INVALID_URL, "is longer than 500 characters")
    try:
        URLValidator(schemes=["http", "https"])(url)
    except ValidationError:
        raise _refuse(field, RegisterCode.INVALID_URL, "is not an http(s) URL") from None
    return url


def clean_image(data: bytes, *, field: str = "logo") -> str:
    """Return the image's type, sniffed from its content; refuse others and large files."""
    if len(data) > MAX_IMAGE_BYTES:
        raise _refuse(
            field, RegisterCode.INVALID_IMAGE, f"is larger than {MAX_IMAGE_BYTES // 1024} KiB"
        )
    content_type = next(
        (kind for signature, kind in IMAGE_SIGNATURES.items() if data.startswith(signature)),
        "image/webp" if data[:4] == b"RIFF" and data[8:12] == b"WEBP" else None,
    )
    # Not only the first bytes: each format's own frame must be whole, so that a
    # signature glued to a script is not an image.
    whole = {
        "image/png": data[12:16] == b"IHDR" and data.endswith(b"IEND\xaeB`\x82"),
        "image/jpeg": data.endswith(b"\xff\xd9"),
        "image/gif": len(data) > 13 and data.endswith(b"\x3b"),
        "image/webp": int.from_bytes(data[4:8], "little") + 8 == len(data),
    }
    if content_type is None or not whole[content_type]:
        raise _refuse(field, RegisterCode.INVALID_IMAGE, "is not a PNG, JPEG, GIF or WebP image")
    return content_type


def refuse_card_number(value: str, *, field: str) -> None:
    """Refuse text holding what looks like a full card number (13-19 digits, Luhn-valid).

    The register keeps only the payment provider's token and the last four digits.
    """
    for match in _CARD_LIKE.finditer(unicodedata.normalize("NFKC", value)):
        digits = re.sub(r"\D", "", match.group())
        if 13 <= len(digits) <= 19 and luhn.is_valid(digits):
            raise _refuse(
                field,
                RegisterCode.CARD_NUMBER_REFUSED,
                "looks like a full card number; store only the provider's token and last four",
            )


def clean_last_four(value: str, *, field: str = "last_four") -> str:
    if not re.fullmatch(r"\d{4}", value.strip()):
        raise _refuse(field, RegisterCode.INVALID_NUMBER, "must be exactly four digits")
    return value.strip()


def clean_birth_year(value: int, *, field: str = "birth_year") -> int:
    if not 1900 <= value <= clock.today().year:
        raise _refuse(field, RegisterCode.INVALID_NUMBER, "is not a plausible year of birth")
    return value


def clean_rating(value: int, *, field: str = "rating") -> int:
    if not 1 <= value <= 5:
        raise _refuse(field, RegisterCode.INVALID_NUMBER, "must be from 1 to 5")
    return value
