"""The current state of a person's choices, derived from the ledger."""

from __future__ import annotations

from django.db.models import Exists, F, OuterRef, Q

from rekisteri.consent.models import ConsentAction, ConsentEvent
from rekisteri.register.models import Delivery


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


def deliveries_despite_objection() -> int:
    """Marketing sent after the person objected to direct marketing (Art. 21(3)): never allowed."""
    objected = ConsentEvent.objects.filter(
        Q(scope="marketing") | Q(scope__startswith="marketing:"),
        person_id=OuterRef("person_id"),
        action=ConsentAction.OBJECTED,
        occurred_at__lte=OuterRef("sent_at"),
    )
    return Delivery.objects.filter(Exists(objected)).count()


def deliveries_while_restricted() -> int:
    """Marketing sent to a person while their processing is restricted (Art. 18)."""
    return Delivery.objects.filter(person__restricted_since__lte=F("sent_at")).count()
