"""Sending a marketing e-mail campaign to its audience, with a working opt-out in each.

Each page of the audience is checked against the rules again and its
deliveries recorded before the messages go; a message the mail server refuses
has its delivery taken back.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import translation

from rekisteri.consent.marketing import MarketingChannel, Recipient, audience_iter
from rekisteri.consent.services import deliveries_record
from rekisteri.core.actors import Actor
from rekisteri.core.errors import InvalidInput
from rekisteri.policy.selectors import policy_get
from rekisteri.register.models import Delivery

MAX_BODY = 100_000


@dataclass
class CampaignReport:
    sent: int = 0
    refused: int = 0
    failed: int = 0


def _message(recipient: Recipient, *, subject: str, body: str, language: str) -> EmailMessage:
    with translation.override(language):
        footer = render_to_string(
            f"consent/email/footer_{language}.txt",
            {"opt_out_url": recipient.opt_out_url, "controller": policy_get().controller},
        )
    text = body.replace("{first_name}", recipient.first_name)
    return EmailMessage(
        subject=subject,
        body=f"{text.rstrip()}\n\n{footer.strip()}\n",
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient.address],
        headers={
            # RFC 2369 and RFC 8058: the mail program's own "unsubscribe" button.
            "List-Unsubscribe": f"<{recipient.opt_out_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


def campaign_send(
    *,
    actor: Actor,
    purpose: str,
    campaign: str,
    subject: str,
    body: str,
    language: str = "fi",
    progress: Callable[[CampaignReport], None] | None = None,
) -> CampaignReport:
    """E-mail everyone the rules allow, page by page; ``{first_name}`` in the body is filled."""
    if not subject.strip() or len(subject) > 200 or "\n" in subject:
        raise InvalidInput("subject: one line of 1 to 200 characters", data={"field": "subject"})
    if not body.strip() or len(body) > MAX_BODY:
        raise InvalidInput(f"body: 1 to {MAX_BODY} characters", data={"field": "body"})
    if language not in ("fi", "en"):
        raise InvalidInput("language: fi or en", data={"field": "language"})
    report = CampaignReport()
    channel = MarketingChannel.EMAIL
    connection = get_connection()
    for page in audience_iter(actor=actor, purpose=purpose, channel=channel, page=500):
        recorded = deliveries_record(
            actor=actor,
            purpose=purpose,
            channel=channel,
            campaign=campaign,
            person_ids=[r.person_id for r in page],
        )
        report.refused += len(recorded.refused)
        allowed = set(recorded.recorded)
        failed: list[int] = []
        with connection:
            for recipient in page:
                if recipient.person_id not in allowed:
                    continue
                try:
                    connection.send_messages(
                        [_message(recipient, subject=subject, body=body, language=language)]
                    )
                    report.sent += 1
                except OSError:
                    failed.append(recipient.person_id)
        if failed:
            report.failed += len(failed)
            Delivery.objects.filter(person_id__in=failed, campaign=campaign.strip()).delete()
        if progress:
            progress(report)
    return report
