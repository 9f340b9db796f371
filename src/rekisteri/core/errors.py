"""The one error hierarchy of the register.

Every error a client can cause is a ``RekisteriError``: a machine code (a
``StrEnum`` member of the app that raises it), a human message without personal
data, and structured data (ids, key paths, counts; never personal data). The
subclasses carry their HTTP meaning so that every door maps them the same way;
services never import HTTP code.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, ClassVar


class CoreCode(StrEnum):
    INVALID = "invalid"
    NOT_FOUND = "not_found"
    FORBIDDEN = "forbidden"
    CONFLICT = "conflict"
    POLICY_REFUSAL = "policy_refusal"
    UNAUTHENTICATED = "unauthenticated"
    THROTTLED = "throttled"


class RekisteriError(Exception):
    """Base of every error a client of the register can cause."""

    http_status: ClassVar[int] = 400
    default_code: ClassVar[StrEnum] = CoreCode.INVALID

    def __init__(
        self,
        message: str,
        *,
        code: StrEnum | None = None,
        data: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code: StrEnum = code or self.default_code
        self.data: dict[str, Any] = data or {}
        # Audit entries that record this refusal (a refused read). They are written in
        # the transaction that raised the error; when the error rolls it back, the door
        # writes them again once the error has left the transaction.
        self.audit_kept: list[Any] = []

    def as_dict(self) -> dict[str, Any]:
        return {"code": str(self.code), "message": self.message, "data": self.data}


class InvalidInput(RekisteriError):
    """The input has the wrong shape or breaks a business rule (400)."""


class Unauthenticated(RekisteriError):
    http_status = 401
    default_code = CoreCode.UNAUTHENTICATED


class Forbidden(RekisteriError):
    http_status = 403
    default_code = CoreCode.FORBIDDEN


class NotFound(RekisteriError):
    http_status = 404
    default_code = CoreCode.NOT_FOUND


class Conflict(RekisteriError):
    """The change clashes with the current state (409)."""

    http_status = 409
    default_code = CoreCode.CONFLICT


class PolicyRefusal(RekisteriError):
    """The register description forbids what was asked (422)."""

    http_status = 422
    default_code = CoreCode.POLICY_REFUSAL


class Throttled(RekisteriError):
    """Too many requests of one kind in a short time; try again later (429)."""

    http_status = 429
    default_code = CoreCode.THROTTLED
