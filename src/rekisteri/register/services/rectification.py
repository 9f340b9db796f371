"""Correction of a person's data with its reason (GDPR Art. 16)."""

from __future__ import annotations

from django.db import transaction

from rekisteri.core.actors import Actor
from rekisteri.policy.schema import SourceRecord
from rekisteri.policy.selectors import policy_get
from rekisteri.register import validation as v
from rekisteri.register.models import (
    Rectification,
)
from rekisteri.register.services.contact import person_contact_update
from rekisteri.register.services.people import AddressIn
from rekisteri.register.services.writing import person_row_add


@transaction.atomic
def person_rectify(
    *,
    actor: Actor,
    person_id: int,
    reason: str,
    purpose: str | None,
    email: str | None = None,
    phone: str | None = None,
    address: AddressIn | None = None,
) -> list[Rectification]:
    """Correct contact details with a stated reason (GDPR Art. 16), kept with the change.

    ``purpose`` as for ``person_contact_update``: staff correcting on their own
    motion name one that covers the details; a handler fulfilling the person's
    rectification request passes None.
    """
    why = v.clean_note(reason, field="reason", max_length=500)
    # A correction is entered by staff (or handled for the person by the request's handler).
    source = policy_get().source_for(SourceRecord.STAFF_ENTRIES)
    person_contact_update(
        actor=actor,
        person_id=person_id,
        source=source,
        purpose=purpose,
        email=email,
        phone=phone,
        address=address,
    )
    changed = [
        name for name, value in (("email", email), ("phone", phone), ("address", address)) if value
    ]
    return [
        person_row_add(
            actor=actor,
            model=Rectification,
            person_id=person_id,
            source=source,
            field=name,
            reason=why,
            made_by=actor.id,
        )
        for name in changed
    ]
