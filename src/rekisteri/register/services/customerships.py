"""Customerships and the services a person subscribes to; the end of a customership
starts the retention clock (notice §6)."""

from __future__ import annotations

import datetime as dt

from django.db import transaction

from rekisteri.core import clock
from rekisteri.core.actors import Actor
from rekisteri.core.errors import Conflict, InvalidInput, NotFound
from rekisteri.register import validation as v
from rekisteri.register.error_codes import RegisterCode
from rekisteri.register.models import (
    Customership,
    ServiceSubscription,
)
from rekisteri.register.services.writing import (
    collected_require,
    person_lock,
    person_row_add,
    row_change_audit,
    source_require,
)


@transaction.atomic
def customership_start(
    *, actor: Actor, person_id: int, source: str, started_on: dt.date | None = None
) -> Customership:
    """Start a customership; a person may hold several."""
    source_require(source)
    person_lock(person_id)
    return person_row_add(
        actor=actor,
        model=Customership,
        person_id=person_id,
        source=source,
        started_on=started_on or clock.today(),
    )


@transaction.atomic
def customership_end(
    *,
    actor: Actor,
    person_id: int,
    customership_id: int,
    ended_on: dt.date | None = None,
    reason: str = "",
) -> Customership:
    """End a customership; from its end the retention clock runs (notice §6)."""
    collected_require(Customership, {"ended_on": ended_on, "end_reason": reason})
    person_lock(person_id)
    try:
        customership = Customership.objects.select_for_update().get(
            pk=customership_id, person_id=person_id
        )
    except Customership.DoesNotExist:
        raise NotFound(
            f"person {person_id} has no customership {customership_id}",
            data={"person_id": person_id, "customership_id": customership_id},
        ) from None
    if customership.ended_on is not None:
        raise Conflict(
            f"customership {customership_id} has already ended",
            code=RegisterCode.INVALID_STATE,
        )
    end = ended_on or clock.today()
    if end < customership.started_on:
        raise InvalidInput(
            "ended_on: a customership cannot end before it started",
            code=RegisterCode.INVALID_STATE,
            data={"field": "ended_on"},
        )
    customership.ended_on = end
    customership.end_reason = v.clean_text(reason, field="reason", max_length=200, required=False)
    customership.save(update_fields=["ended_on", "end_reason"])
    row_change_audit(actor, customership)
    return customership


@transaction.atomic
def service_subscription_start(
    *, actor: Actor, person_id: int, source: str, service: str, started_on: dt.date | None = None
) -> ServiceSubscription:
    return person_row_add(
        actor=actor,
        model=ServiceSubscription,
        person_id=person_id,
        source=source,
        service=v.clean_text(service, field="service", max_length=100),
        started_on=started_on or clock.today(),
    )
