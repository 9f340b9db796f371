"""Machine codes of the rights app's refusals, one place for the doors to map."""

from __future__ import annotations

from enum import StrEnum


class RightsCode(StrEnum):
    """Machine codes of the rights app's refusals."""

    INVALID_STATE = "request_invalid_state"
    NOT_VERIFIED = "request_not_verified"
    RECTIFICATION_EMPTY = "rectification_empty"
    ADDRESS_INCOMPLETE = "address_incomplete"
    SIGN_IN_FAILED = "sign_in_failed"
    SIGN_IN_LINK_INVALID = "sign_in_link_invalid"
    NOT_HANDLER = "request_not_handler"
    NO_VERIFIED_ADDRESS = "request_no_verified_address"
    CODE_NOT_VALID = "verification_code_not_valid"
    CODE_WRONG = "verification_code_wrong"
    EXTENDED_ALREADY = "request_extended_already"
    DEADLINE_PASSED = "request_deadline_passed"
    RESTRICTION_NOT_GRANTED = "restriction_not_granted"
    RESTRICTION_LIFTED_ALREADY = "restriction_lifted_already"
