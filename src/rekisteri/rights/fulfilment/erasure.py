"""Erasure (Art. 17): the person is erased by the retention engine, and what they asked goes too."""

from __future__ import annotations

from rekisteri.core.actors import Actor
from rekisteri.retention.erasure import person_erase
from rekisteri.rights import notify
from rekisteri.rights.fulfilment.registry import Answer, fulfils
from rekisteri.rights.models import ExportPackage, RightKind, SignInLink, SubjectRequest
from rekisteri.rights.recipients import recipients_to_tell


@fulfils(RightKind.ERASURE)
def person_forget(request: SubjectRequest, actor: Actor) -> Answer:
    """Erase the person; the recipients, listed first, are told (Art. 19)."""
    recipients = recipients_to_tell(request.person_id)
    notify.erasure_capture(request)
    certificate = person_erase(
        actor=actor, person_id=request.person_id, reason=f"request {request.pk}"
    )
    # What the person asked for, in their own words, and the copies of their
    # data made for them, go with them.
    SubjectRequest.objects.filter(person_id=request.person_id).update(details={})
    ExportPackage.objects.filter(request__person_id=request.person_id).delete()
    SignInLink.objects.filter(person_id=request.person_id).delete()
    request.details = {}
    return Answer(
        result={"certificate": certificate.as_dict(), "recipients_to_tell": recipients},
        person_erased=True,
    )
