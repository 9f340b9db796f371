"""Rectification (Art. 16): the register's details corrected as the person asked."""

from __future__ import annotations

from rekisteri.core.actors import Actor
from rekisteri.register import services as register
from rekisteri.rights.fulfilment.registry import Answer, fulfils
from rekisteri.rights.models import RightKind, SubjectRequest
from rekisteri.rights.recipients import recipients_to_tell


@fulfils(RightKind.RECTIFICATION)
def details_correct(request: SubjectRequest, actor: Actor) -> Answer:
    """Apply the checked change the person proposed; the recipients are told (Art. 19)."""
    address = request.details.get("address")
    register.person_rectify(
        actor=actor,
        person_id=request.person_id,
        reason=request.details.get("reason", ""),
        # The person's own request (Art. 16) is the ground; no purpose needed.
        purpose=None,
        email=request.details.get("email"),
        phone=request.details.get("phone"),
        address=register.AddressIn(**address) if address else None,
    )
    return Answer(result={"recipients_to_tell": recipients_to_tell(request.person_id)})
