"""Ending the customership at the customer's request; direct marketing ends with it."""

from __future__ import annotations

from rekisteri.core.actors import Actor
from rekisteri.register import models as rm
from rekisteri.register import services as register
from rekisteri.rights.fulfilment.objection import object_to_direct_marketing
from rekisteri.rights.fulfilment.registry import Answer, fulfils
from rekisteri.rights.models import RightKind, SubjectRequest


@fulfils(RightKind.DELETION)
def customerships_end(request: SubjectRequest, actor: Actor) -> Answer:
    """End every open customership of the person, and their direct marketing."""
    open_customerships = rm.Customership.objects.filter(
        person_id=request.person_id, ended_on__isnull=True
    ).values_list("pk", flat=True)
    ended = 0
    for customership_id in open_customerships:
        register.customership_end(
            actor=actor,
            person_id=request.person_id,
            customership_id=customership_id,
            reason="ended at the customer's request",
        )
        ended += 1
    object_to_direct_marketing(request, actor=actor)
    return Answer(result={"customerships_ended": ended})
