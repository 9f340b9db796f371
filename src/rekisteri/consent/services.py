"""Recording consents, withdrawals and objections: events are appended, never rewritten."""

from __future__ import annotations

from django.db import transaction

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record
from rekisteri.consent.models import ConsentAction, ConsentEvent
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.errors import InvalidInput
from rekisteri.policy.selectors import notice_version_current, policy_get
from rekisteri.register.models import Person

# Consent is given or withdrawn through one of these.
CHANNELS = ("portal", "api", "form", "customer_service", "letter", "email")


def scope_require(scope: str) -> str:
    """A scope is a purpose of the policy, or a purpose and a channel: "marketing:email"."""
    purpose = scope.split(":", 1)[0]
    if purpose not in policy_get().purposes:
        raise InvalidInput(f"scope: unknown purpose {purpose!r}", data={"field": "scope"})
    return scope


@transaction.atomic
def consent_record(
    *,
    actor: Actor,
    person_id: int,
    scope: str,
    action: ConsentAction,
    channel: str,
    text_hash: str = "",
) -> ConsentEvent:
    """Append one choice of the person to the ledger, with the notice version in force."""
    scope_require(scope)
    if channel not in CHANNELS:
        raise InvalidInput(
            f"channel: must be one of {', '.join(CHANNELS)}", data={"field": "channel"}
        )
    Person.objects.select_for_update().filter(pk=person_id).first()
    version = notice_version_current()
    event = ConsentEvent.objects.create(
        person_id=person_id,
        scope=scope,
        action=action,
        channel=channel,
        text_hash=text_hash,
        notice_version=version.number if version else None,
        occurred_at=clock.now(),
        stored_at=clock.now(),
        source="subject",
    )
    audit_record(
        actor=actor,
        event=AuditEvent.CONSENT_CHANGED,
        person_id=person_id,
        categories=["choices"],
        data={"scope": scope, "action": str(action), "event": event.pk},
    )
    return event
