"""Verifying that the requester is the person (Art. 12(6)): by staff, or by a code sent to them."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.errors import Conflict, InvalidInput
from rekisteri.register import validation as v
from rekisteri.rights import notify
from rekisteri.rights.actors import handler_require
from rekisteri.rights.error_codes import RightsCode
from rekisteri.rights.models import SubjectRequest, VerificationCode, VerificationMethod
from rekisteri.rights.transitions import (
    Move,
    request_lock,
    request_move_check,
    request_transition,
)

CODE_MINUTES = 30
CODE_ATTEMPTS = 5


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def request_verify(
    *, actor: Actor, request_id: int, method: VerificationMethod, note: str = ""
) -> SubjectRequest:
    """Record that the requester is the person (Art. 12(6)); the deadline does not move."""
    handler_require(actor)
    request = request_lock(request_id)
    if method == VerificationMethod.STAFF_CHECK:
        if not note.strip():
            raise InvalidInput(
                "note: say what was checked (never copy an identity document)",
                data={"field": "note"},
            )
        request.verification_note = v.clean_note(note, field="note", max_length=500)
    request.verification_method = method
    return request_transition(request, Move.VERIFY, actor=actor, method=str(method))


@transaction.atomic
def request_verification_code_send(*, actor: Actor, request_id: int) -> VerificationCode:
    """E-mail a one-time code to the address on file; answering it verifies the request."""
    handler_require(actor)
    request = request_lock(request_id)
    request_move_check(request, Move.VERIFY)
    address = notify.address_on_file(request.person_id)
    if address is None:
        raise Conflict(
            "the person has no verified e-mail address; verify by another way",
            code=RightsCode.NO_VERIFIED_ADDRESS,
        )
    code = f"{secrets.randbelow(10**8):08d}"
    now = clock.now()
    VerificationCode.objects.filter(request=request, used_at__isnull=True).update(used_at=now)
    created = VerificationCode.objects.create(
        request=request,
        code_hash=_digest(code),
        created_at=now,
        expires_at=now + dt.timedelta(minutes=CODE_MINUTES),
    )
    notify.code_send(request, address, code)
    audit_record(
        actor=actor,
        event=AuditEvent.REQUEST_CHANGED,
        person_id=request.person_id,
        data={"request": request.pk, "verification_code_sent": True},
    )
    return created


def request_verify_code(*, actor: Actor, request_id: int, code: str) -> SubjectRequest:
    """Verify a request with the code the person received; five wrong tries use a code up."""
    with transaction.atomic():
        request = request_lock(request_id)
        pending = (
            VerificationCode.objects.select_for_update()
            .filter(request=request, used_at__isnull=True)
            .order_by("-created_at")
            .first()
        )
        now = clock.now()
        if pending is None or pending.expires_at < now or pending.attempts >= CODE_ATTEMPTS:
            raise InvalidInput(
                "there is no valid code for this request; send a new one",
                code=RightsCode.CODE_NOT_VALID,
                data={"field": "code"},
            )
        # Counted in its own transaction, so that a wrong guess is not rolled back.
        pending.attempts += 1
        pending.save(update_fields=["attempts"])
    if not secrets.compare_digest(pending.code_hash, _digest(code.strip())):
        raise InvalidInput(
            "the code is not right", code=RightsCode.CODE_WRONG, data={"field": "code"}
        )
    with transaction.atomic():
        request = request_lock(request_id)
        # A request verified meanwhile (another way) needs no code.
        request_move_check(request, Move.VERIFY)
        VerificationCode.objects.filter(pk=pending.pk).update(used_at=clock.now())
        request.verification_method = VerificationMethod.CODE
        return request_transition(request, Move.VERIFY, actor=actor, method="code")
