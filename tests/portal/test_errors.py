"""The portal words an error by its machine code, never by the English message."""

from __future__ import annotations

import pytest
from django.utils import translation

from rekisteri.core.errors import Conflict, InvalidInput
from rekisteri.portal import errors
from rekisteri.register.validation import RegisterCode
from rekisteri.rights.services import RightsCode


@pytest.mark.parametrize("lang", ["fi", "sv", "en"])
def test_every_code_the_portal_knows_reads_as_a_sentence_of_the_readers_language(
    lang: str,
) -> None:
    with translation.override(lang):
        said = {
            code: errors.error_text(InvalidInput("in English", code=code)) for code in errors.CODES
        }

    assert all(text and text != "in English" for text in said.values())
    if lang != "en":
        # Translated: not one sentence left in English.
        with translation.override("en"):
            english = {code: str(text) for code, text in errors.CODES.items()}
        assert [code for code, text in said.items() if text == english[code]] == []


def test_the_same_code_reads_the_same_whatever_the_service_wrote() -> None:
    with translation.override("en"):
        one = errors.error_text(Conflict("one wording", code=RightsCode.SIGN_IN_LINK_INVALID))
        other = errors.error_text(Conflict("another", code=RightsCode.SIGN_IN_LINK_INVALID))

    assert one == other == "The link has expired or has been used. Ask for a new one."


@pytest.mark.parametrize(
    ("error", "said"),
    [
        (
            InvalidInput(
                "x",
                code=RegisterCode.INVALID_TEXT,
                data={"field": "address.city", "rule": "required"},
            ),
            "Fill in the city.",
        ),
        (
            InvalidInput(
                "x",
                code=RegisterCode.INVALID_TEXT,
                data={"field": "address.street_address", "rule": "too_long", "max_length": 200},
            ),
            "The street address can be at most 200 characters long.",
        ),
        (
            InvalidInput(
                "x",
                code=RegisterCode.INVALID_POSTAL_CODE,
                data={"field": "address.postal_code", "rule": "digits", "digits": 5},
            ),
            "The postal code must be 5 digits.",
        ),
        (
            InvalidInput("x", code=RegisterCode.INVALID_EMAIL, data={"field": "email"}),
            "The e-mail address is not a valid e-mail address.",
        ),
        (
            InvalidInput("x", code=RegisterCode.NOT_COLLECTED, data={"field": "phone"}),
            "We do not collect your phone number.",
        ),
        (InvalidInput("email: is not a valid e-mail address"), "Please check what you entered."),
    ],
)
def test_a_refused_field_is_worded_by_code_field_and_rule(error: InvalidInput, said: str) -> None:
    with translation.override("en"):
        assert errors.error_text(error) == said
