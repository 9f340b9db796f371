"""The request engine's services, gathered for the doors.

Each job lives in its own module: filing (``requests``), verifying
(``verification``), the handler's decisions (``decisions``), the one table of
moves (``transitions``), the answer to each right (``fulfilment``), and the
package files (``package_files``). This module re-exports their public names,
so ``from rekisteri.rights.services import request_create`` keeps working.
"""

from __future__ import annotations

from rekisteri.rights.actors import ENGINE, handler_require
from rekisteri.rights.decisions import (
    request_extend,
    request_fulfil,
    request_package_ready,
    request_reject,
    restriction_lift,
)
from rekisteri.rights.error_codes import RightsCode
from rekisteri.rights.fulfilment.access import PACKAGE_DAYS
from rekisteri.rights.package_files import package_file_take
from rekisteri.rights.requests import (
    RECTIFICATION_NO_REASON,
    RESTRICTING_KINDS,
    SELF_SERVICE_KINDS,
    erasure_needs_review,
    register_began_on,
    request_create,
    request_file_by_client,
)
from rekisteri.rights.transitions import TRANSITIONS, Move, request_transition
from rekisteri.rights.verification import (
    CODE_ATTEMPTS,
    CODE_MINUTES,
    request_verification_code_send,
    request_verify,
    request_verify_code,
)

__all__ = [
    "CODE_ATTEMPTS",
    "CODE_MINUTES",
    "ENGINE",
    "PACKAGE_DAYS",
    "RECTIFICATION_NO_REASON",
    "RESTRICTING_KINDS",
    "SELF_SERVICE_KINDS",
    "TRANSITIONS",
    "Move",
    "RightsCode",
    "erasure_needs_review",
    "handler_require",
    "package_file_take",
    "register_began_on",
    "request_create",
    "request_extend",
    "request_file_by_client",
    "request_fulfil",
    "request_package_ready",
    "request_reject",
    "request_transition",
    "request_verification_code_send",
    "request_verify",
    "request_verify_code",
    "restriction_lift",
]
