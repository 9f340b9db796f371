"""Sending a marketing e-mail campaign to its audience, with a working opt-out in each.

Each page of the audience is checked against the rules again and its
deliveries recorded before the messages go; a message the mail server does
not take has its delivery taken back. A campaign reaches each person once:
running it again sends only what did not go before.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.template.loader import render_to_string
from django.utils import translation

from rekisteri.consent.marketing import MarketingChannel, Recipient, audience_iter
from rekisteri.consent.services import deliveries_record
from rekisteri.core.actors import Actor
from rekisteri.core.errors import InvalidInput
from rekisteri.policy.selectors import (
    language_default,
    languages_offered,
    languages_phrase,
    policy_get,
)
from rekisteri.register.models import Delivery

MAX_BODY = 100_000


@dataclass
class CampaignReport:
    sent: int = 0
    # The rules no longer allowed it when the message was about to go.
    refused: int = 0
    # Sent by an earlier run of the same campaign.
    already: int = 0
    # The mail server did not take it; not recorded, so a rerun tries again.
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


def _deliver(connection: Any, messages: list[tuple[int, EmailMessage]]) -> list[int]:
    """Send each message; return the people whose message the mail server did not take."""
    failed: list[int] = []
    try:
        connection.open()
    except OSError:
        return [pid for pid, _ in messages]
    try:
        for pid, message in messages:
            try:
                connection.send_messages([message])
            except OSError:
                failed.append(pid)
    finally:
        connection.close()
    return failed


def campaign_send(
    *,
    actor: Actor,
    purpose: str,
    campaign: str,
    subject: str,
    body: str,
    language: str = "",
    progress: Callable[[CampaignReport], None] | None = None,
) -> CampaignReport:
    """E-mail everyone the rules allow, page by page; ``{first_name}`` in the body is filled."""
    if not subject.strip() or len(subject) > 200 or "\n" in subject or "\r" in subject:
        raise InvalidInput("subject: one line of 1 to 200 characters", data={"field": "subject"})
    if not body.strip() or len(body) > MAX_BODY:
        raise InvalidInput(f"body: 1 to {MAX_BODY} characters", data={"field": "body"})
    language = language or language_default()
    if language not in languages_offered():
        raise InvalidInput(f"language: {languages_phrase()}", data={"field": "language"})
    report = CampaignReport()
    channel = MarketingChannel.EMAIL
    connection = get_connection()
    pages = audience_iter(
        actor=actor, purpose=purpose, channel=channel, page=500, language=language
    )
    for page in pages:
        recorded = deliveries_record(
            actor=actor,
            purpose=purpose,
            channel=channel,
            campaign=campaign,
            person_ids=[r.person_id for r in page],
        )
        report.refused += sum(1 for why in recorded.refused.values() if why != "already_sent")
        report.already += sum(1 for why in recorded.refused.values() if why == "already_sent")
        messages = [
            (r.person_id, _message(r, subject=subject, body=body, language=language))
            for r in page
            if r.person_id in recorded.delivery_ids
        ]
        failed = _deliver(connection, messages)
        report.sent += len(messages) - len(failed)
        if failed:
            # Taken back: a later run of the same campaign tries them again.
            report.failed += len(failed)
            Delivery.objects.filter(pk__in=[recorded.delivery_ids[pid] for pid in failed]).delete()
        if progress:
            progress(report)
    return report
