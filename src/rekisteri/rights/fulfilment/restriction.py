"""Restriction (Art. 18): the person is left out of processing until it is lifted."""

from __future__ import annotations

from rekisteri.core.actors import Actor
from rekisteri.register import services as register
from rekisteri.rights.fulfilment.registry import Answer, fulfils
from rekisteri.rights.models import RightKind, SubjectRequest
from rekisteri.rights.recipients import recipients_to_tell


@fulfils(RightKind.RESTRICTION)
def processing_restrict(request: SubjectRequest, actor: Actor) -> Answer:
    """Restrict the person's processing; the recipients are told (Art. 19)."""
    register.person_restrict(actor=actor, person_id=request.person_id)
    return Answer(result={"recipients_to_tell": recipients_to_tell(request.person_id)})
