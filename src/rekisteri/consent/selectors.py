"""The current state of a person's choices, derived from the ledger."""

from __future__ import annotations

from rekisteri.consent.models import ConsentAction, ConsentEvent


def person_objects_to(*, person_id: int, purpose: str) -> bool:
    """Whether the person has objected to the purpose (Art. 21): an objection always wins."""
    return (
        ConsentEvent.objects.filter(
            person_id=person_id, scope__in=[purpose], action=ConsentAction.OBJECTED
        ).exists()
        or ConsentEvent.objects.filter(
            person_id=person_id, scope__startswith=f"{purpose}:", action=ConsentAction.OBJECTED
        ).exists()
    )
