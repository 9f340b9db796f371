"""The register's machine codes: what each refusal of the register app is called.

Every ``RekisteriError`` the register raises carries one of these; the doors map
them to answers and messages by the code, so a code once published keeps its value.
"""

from __future__ import annotations

from enum import StrEnum


class RegisterCode(StrEnum):
    INVALID_EMAIL = "invalid_email"
    INVALID_PHONE = "invalid_phone"
    INVALID_POSTAL_CODE = "invalid_postal_code"
    INVALID_BUSINESS_ID = "invalid_business_id"
    INVALID_PERSONAL_IDENTITY_CODE = "invalid_personal_identity_code"
    INVALID_URL = "invalid_url"
    INVALID_IMAGE = "invalid_image"
    INVALID_TEXT = "invalid_text"
    INVALID_NUMBER = "invalid_number"
    CARD_NUMBER_REFUSED = "card_number_refused"
    UNKNOWN_SOURCE = "unknown_source"
    SOURCE_NOT_ALLOWED = "source_not_allowed"
    EMAIL_TAKEN = "email_taken"
    USERNAME_TAKEN = "username_taken"
    NOT_FOUND = "person_not_found"
    INVALID_STATE = "invalid_state"
    PURPOSE_DOES_NOT_COVER = "purpose_does_not_cover"
    LINK_INVALID = "link_invalid"
    NOT_COLLECTED = "not_collected"
    SEARCH_TOO_SHORT = "search_too_short"
