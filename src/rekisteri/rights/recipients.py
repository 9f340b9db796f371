"""Art. 19: telling the recipients of a person's data of a rectification, erasure or restriction.

Each recipient that received the person's data (the disclosure log) is told,
from a job, at the address the transfer named or the contact the policy
gives the recipient; each notice is recorded with when it was sent, and the
person's access answer lists them (Art. 19, last sentence: the person is told
who was notified when they ask).
"""

from __future__ import annotations

import logging
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation

from rekisteri.audit.models import Disclosure
from rekisteri.core import clock
from rekisteri.core.jobs import JobRun, job, job_enqueue
from rekisteri.policy.selectors import policy_get
from rekisteri.register.disclosures import disclosures_of, recipient_address
from rekisteri.rights.models import RecipientNotice, RightKind, SubjectRequest

logger = logging.getLogger(__name__)


def recipients_to_tell(person_id: int) -> list[dict[str, Any]]:
    """Art. 19: every recipient the person's data were disclosed to, for the request's result."""
    return [
        {
            "disclosure": d.pk,
            "recipient": d.recipient,
            "disclosed_on": d.disclosed_on.isoformat(),
            "categories": d.categories,
        }
        for d in disclosures_of(person_id=person_id)
    ]


def recipients_notify(request: SubjectRequest) -> list[RecipientNotice]:
    """Record a notice to every recipient of the person's data, and queue their sending."""
    now = clock.now()
    notices = [
        RecipientNotice.objects.get_or_create(
            request=request,
            disclosure_id=d.pk,
            defaults={"recipient": d.recipient, "created_at": now},
        )[0]
        for d in disclosures_of(person_id=request.person_id)
    ]
    if notices:
        job_enqueue("rights.recipients_tell", request_id=request.pk)
    return notices


@job("rights.recipients_tell")
def _recipients_tell_job(run: JobRun) -> None:
    request = SubjectRequest.objects.get(pk=run.arguments["request_id"])
    policy = policy_get()
    # The controller's own language: the recipients are its partners.
    language = settings.LANGUAGE_CODE
    for notice in request.recipient_notices.filter(sent_at__isnull=True).order_by("pk"):
        disclosure = Disclosure.objects.filter(pk=notice.disclosure_id).first()
        address = recipient_address(disclosure) if disclosure else ""
        if disclosure is None or not address:
            # The DPO tells them by other means; `rekisteri check` counts the unsent.
            logger.warning("recipient notice %s has no address to go to", notice.pk)
            continue
        with translation.override(language):
            text = render_to_string(
                "rights/email/recipient_notice.txt",
                {
                    "controller": policy.controller,
                    "what": RightKind(request.kind).label,
                    "disclosure": disclosure,
                    "person_id": request.person_id,
                },
            )
        subject, _, body = text.strip().partition("\n")
        send_mail(subject.strip(), body.strip() + "\n", settings.DEFAULT_FROM_EMAIL, [address])
        RecipientNotice.objects.filter(pk=notice.pk).update(sent_at=clock.now())


def recipient_notices_unsent() -> int:
    """Notices under Art. 19 that found no address: the DPO's to send by other means."""
    return RecipientNotice.objects.filter(sent_at__isnull=True).count()


def recipient_notices_of(*, person_id: int, language: str) -> list[dict[str, Any]]:
    """Who was told of the person's rectification, erasure or restriction, and when."""
    policy = policy_get()
    found = []
    for notice in RecipientNotice.objects.filter(request__person_id=person_id).select_related(
        "request"
    ):
        recipient = policy.recipients.get(notice.recipient)
        found.append(
            {
                "recipient": recipient.name(language) if recipient else notice.recipient,  # type: ignore[arg-type]
                "about": str(RightKind(notice.request.kind).label),
                "sent_at": notice.sent_at.isoformat() if notice.sent_at else None,
            }
        )
    return found
