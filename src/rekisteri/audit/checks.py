"""The audit trail's promise the self-check counts: the chain of seals is unbroken."""

from __future__ import annotations

from django.utils.translation import gettext_noop

from rekisteri.audit.selectors import audit_verify
from rekisteri.core.selfcheck import Check


def audit_chain() -> list[Check]:
    return [
        Check(
            "audit.chain",
            gettext_noop("Problems in the audit chain"),
            len(audit_verify()),
        )
    ]
