"""Machine codes of the rights app's refusals, one place for the doors to map."""

from __future__ import annotations

from enum import StrEnum


class RightsCode(StrEnum):
    """Machine codes of the rights app's refusals."""

    INVALID_STATE = "request_invalid_state"
    NOT_VERIFIED = "request_not_verified"
