"""Bad input gets a clear refusal that names the field, never the value."""

from __future__ import annotations

from pathlib import Path

import pytest

from rekisteri.core.errors import InvalidInput
from rekisteri.register import validation as v
from rekisteri.register.error_codes import RegisterCode
from tests.images import PNG


@pytest.mark.parametrize(
    ("given", "expected"),
    [("Aino.Virtanen@Example.FI", "Aino.Virtanen@example.fi"), (" a@b.fi ", "a@b.fi")],
)
def test_valid_email_is_kept_with_its_domain_lower_cased(given: str, expected: str) -> None:
    assert v.clean_email(given) == expected


@pytest.mark.parametrize("given", ["aino", "aino@", "@example.fi", "aino@@example.fi", "a b@c.fi"])
def test_invalid_email_is_refused_without_echoing_it(given: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        v.clean_email(given)

    assert refused.value.code == RegisterCode.INVALID_EMAIL
    assert refused.value.message == "email: is not a valid e-mail address"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("040 123 4567", "+358401234567"),
        ("+358 50 765 4321", "+358507654321"),
        ("09 310 1691", "+35893101691"),
    ],
)
def test_phone_numbers_are_stored_in_e164(given: str, expected: str, in_finland: Path) -> None:
    assert v.clean_phone(given) == expected


@pytest.mark.parametrize("given", ["123", "abc", "+358 0", "040 123 45678901"])
def test_invalid_phone_is_refused(given: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        v.clean_phone(given)

    assert refused.value.code == RegisterCode.INVALID_PHONE
    assert given not in refused.value.message


def test_finnish_postal_code_must_be_five_digits() -> None:
    assert v.clean_postal_code("40100", country="FI") == "40100"
    with pytest.raises(InvalidInput, match="five digits"):
        v.clean_postal_code("4010", country="FI")


def test_business_id_check_digit_is_verified(in_finland: Path) -> None:
    assert v.clean_business_id("2817330-9") == "2817330-9"
    with pytest.raises(InvalidInput) as refused:
        v.clean_business_id("2817330-8")
    assert refused.value.code == RegisterCode.INVALID_BUSINESS_ID


def test_personal_identity_code_is_verified_and_shown_masked(in_finland: Path) -> None:
    code = v.clean_personal_identity_code("131052-308t")

    assert code == "131052-308T"
    assert v.mask_personal_identity_code(code) == "131052-****"
    with pytest.raises(InvalidInput) as refused:
        v.clean_personal_identity_code("131052-308A")
    assert "131052" not in refused.value.message


@pytest.mark.parametrize(
    "text",
    ["4111 1111 1111 1111", "card 4111-1111-1111-1111 please", "5555555555554444"],
)
def test_a_full_card_number_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        v.refuse_card_number(text, field="provider_token")

    assert refused.value.code == RegisterCode.CARD_NUMBER_REFUSED
    assert "4111" not in refused.value.message


@pytest.mark.parametrize("text", ["tok_4242", "4111 1111 1111 1112", "123456789012"])
def test_tokens_and_non_luhn_digits_are_not_card_numbers(text: str) -> None:
    v.refuse_card_number(text, field="provider_token")


def test_image_type_is_sniffed_from_content_not_name() -> None:
    png = PNG

    assert v.clean_image(png) == "image/png"
    with pytest.raises(InvalidInput, match="not a PNG"):
        v.clean_image(PNG[:8] + b"<script>")
    with pytest.raises(InvalidInput, match="not a PNG, JPEG, GIF or WebP"):
        v.clean_image(b"<svg onload='alert(1)'></svg>")
    with pytest.raises(InvalidInput, match="larger than"):
        v.clean_image(png + b"\x00" * v.MAX_IMAGE_BYTES)


@pytest.mark.parametrize("given", ["javascript:alert(1)", "ftp://example.fi/x", "not a url"])
def test_only_http_urls_are_accepted(given: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        v.clean_url(given, field="website")

    assert refused.value.code == RegisterCode.INVALID_URL


def test_text_with_control_characters_is_refused() -> None:
    with pytest.raises(InvalidInput, match="control characters"):
        v.clean_text("Aino\x07", field="first_name", max_length=100)


@pytest.mark.parametrize("text", ["Aino\x00", "Aino\ud800"])
def test_text_no_database_can_store_is_refused(text: str) -> None:
    with pytest.raises(InvalidInput, match="cannot be stored"):
        v.clean_text(text, field="first_name", max_length=100)
