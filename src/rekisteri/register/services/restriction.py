"""Restriction of processing (GDPR Art. 18): set and lifted here, honoured by the purpose gate."""

from __future__ import annotations

from django.db import transaction

from rekisteri.audit.models import AuditEvent
from rekisteri.audit.services import audit_record
from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.policy.selectors import policy_get
from rekisteri.register.models import (
    Person,
)
from rekisteri.register.services.writing import person_lock


def _restriction_set(actor: Actor, person_id: int, restricted: bool) -> Person:
    person = person_lock(person_id)
    if (person.restricted_since is not None) != restricted:
        person.restricted_since = clock.now() if restricted else None
        person.save(update_fields=["restricted_since"])
        audit_record(
            actor=actor,
            event=AuditEvent.RESTRICTION_CHANGED,
            person_id=person.pk,
            categories=policy_get().categories_of("person.restricted_since"),
            data={"restricted": restricted},
        )
    return person


@transaction.atomic
def person_restrict(*, actor: Actor, person_id: int) -> Person:
    """Restrict processing of the person (GDPR Art. 18): only storage and the DPO's view remain."""
    return _restriction_set(actor, person_id, restricted=True)


@transaction.atomic
def person_restriction_lift(*, actor: Actor, person_id: int) -> Person:
    """Lift the restriction; the rights app tells the person first (Art. 18(3))."""
    return _restriction_set(actor, person_id, restricted=False)
